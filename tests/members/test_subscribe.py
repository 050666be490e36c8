import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from members.models import Subscriber
from tests.factories import SubscriberFactory, UserFactory

pytestmark = pytest.mark.django_db


def _confirm_path(message):
    return next(line for line in message.body.splitlines() if "/subscribe/confirm/" in line)


def test_subscribing_sends_a_confirmation_and_waits_for_it(visitor):
    response = visitor.post("/subscribe/", {"email": "reader@example.com"})
    assert response.status_code == 200
    assert "Check your inbox" in response.text
    subscriber = Subscriber.objects.get(email="reader@example.com")
    assert subscriber.confirmed_at is None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["reader@example.com"]
    assert subscriber.token in _confirm_path(mail.outbox[0])


def test_confirm_link_only_shows_a_page_until_the_button_is_pressed(visitor):
    visitor.post("/subscribe/", {"email": "reader@example.com"})
    path = "/" + _confirm_path(mail.outbox[0]).split("/", 3)[3]
    assert visitor.get(path).status_code == 200
    assert Subscriber.objects.get().confirmed_at is None  # mail scanners follow links
    visitor.post(path)
    assert Subscriber.objects.get().is_active


def test_a_bad_address_comes_back_with_what_was_typed(visitor):
    response = visitor.post("/subscribe/", {"email": "reader@example"})
    assert response.status_code == 400
    assert 'value="reader@example"' in response.text
    assert "Enter a valid email address" in response.text
    assert not Subscriber.objects.exists()


def test_subscribing_is_rate_limited_per_ip_address(visitor, settings):
    settings.SUBSCRIBE_RATE_LIMIT = "2/h"
    for n in range(2):
        visitor.post("/subscribe/", {"email": f"r{n}@example.com"})
    response = visitor.post("/subscribe/", {"email": "third@example.com"})
    assert response.status_code == 429
    assert 'value="third@example.com"' in response.text
    assert len(mail.outbox) == 2


def test_a_suppressed_address_gets_no_email(visitor):
    SubscriberFactory(email="bounced@example.com", suppressed_at=timezone.now())
    visitor.post("/subscribe/", {"email": "bounced@example.com"})
    assert mail.outbox == []


def test_unsubscribe_get_only_asks(visitor):
    subscriber = SubscriberFactory()
    response = visitor.get(f"/unsubscribe/{subscriber.token}/")
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.is_active


def test_one_click_unsubscribe_post_needs_no_cookie_or_csrf_token():
    subscriber = SubscriberFactory()
    client = Client(enforce_csrf_checks=True)
    response = client.post(f"/unsubscribe/{subscriber.token}/", {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert not subscriber.is_active


def test_unsubscribing_also_turns_off_a_members_preference(visitor):
    user = UserFactory(email="both@example.com")
    subscriber = SubscriberFactory(email="both@example.com")
    visitor.post(f"/unsubscribe/{subscriber.token}/")
    user.refresh_from_db()
    assert user.wants_sunday_email is False


def test_unknown_unsubscribe_token_is_404(visitor):
    assert visitor.get("/unsubscribe/not-a-token/").status_code == 404
    assert visitor.post("/unsubscribe/not-a-token/").status_code == 404


def test_subscribing_again_after_leaving_asks_for_confirmation_again(visitor):
    subscriber = SubscriberFactory(email="back@example.com", unsubscribed_at=timezone.now())
    visitor.post("/subscribe/", {"email": "back@example.com"})
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at is None
    assert subscriber.confirmed_at is None
    assert len(mail.outbox) == 1


# Behind a proxy: limited per visitor, never per proxy, and never a 500 -----------------

PROXY = "10.0.0.1"


def _subscribe_via_proxy(email, xff=None, client=None):
    headers = {"X-Forwarded-For": xff} if xff is not None else {}
    return (client or Client()).post(
        "/subscribe/", {"email": email}, headers=headers, REMOTE_ADDR=PROXY
    )


@pytest.mark.parametrize("xff", [None, "", "garbage", "1.2.3.4, nonsense", "1.2.3.4,,"])
def test_behind_a_proxy_an_odd_header_still_subscribes(settings, xff):
    settings.TRUSTED_PROXY_COUNT = 1
    client = Client(raise_request_exception=True)
    response = _subscribe_via_proxy("reader@example.com", xff, client=client)
    assert response.status_code == 200
    assert Subscriber.objects.filter(email="reader@example.com").exists()


def test_a_spoofed_address_does_not_escape_the_subscribe_limit(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.SUBSCRIBE_RATE_LIMIT = "2/h"
    for n in range(2):
        response = _subscribe_via_proxy(f"r{n}@example.com", f"6.6.6.{n}, 203.0.113.7")
        assert response.status_code == 200
    refused = _subscribe_via_proxy("third@example.com", "6.6.6.99, 203.0.113.7")
    assert refused.status_code == 429
    assert len(mail.outbox) == 2
    # Another reader behind the same proxy is not held back.
    assert _subscribe_via_proxy("other@example.com", "198.51.100.9").status_code == 200
    assert len(mail.outbox) == 3


def test_without_a_trusted_proxy_the_subscribe_limit_ignores_the_header(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.SUBSCRIBE_RATE_LIMIT = "2/h"
    for n in range(2):
        assert _subscribe_via_proxy(f"r{n}@example.com", f"6.6.6.{n}").status_code == 200
    assert _subscribe_via_proxy("third@example.com", "6.6.6.99").status_code == 429
    assert len(mail.outbox) == 2
