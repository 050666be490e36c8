import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from members.models import Subscriber

from ..factories import SubscriberFactory, UserFactory

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
    assert subscriber.unsubscribed_at is None and subscriber.confirmed_at is None
    assert len(mail.outbox) == 1
