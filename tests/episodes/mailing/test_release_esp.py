"""The Sunday email through an email provider (django-anymail), and the provider's feedback.

The webhook payloads are shaped like the providers' own (Mailgun's signed JSON webhooks,
Postmark's bounce webhook), signed the way the providers sign them.
"""

import base64
import hashlib
import hmac
import importlib
import json
import time

import pytest
from anymail.backends.test import EmailBackend as AnymailTestBackend
from anymail.exceptions import AnymailAPIError
from anymail.message import AnymailRecipientStatus
from django.core import mail

import backinshape.settings as settings_module
from episodes.mailing import MailServerUnavailable, ReleaseEmail, release_send
from episodes.mailing.transport import ESP_BATCH_APIS, EspBatchApi
from episodes.models import ReleaseDelivery
from members.models import EmailSuppression, Subscriber
from members.selectors import sunday_email_recipients
from members.services import sunday_email_address_for_token
from tests.factories import SubscriberFactory, UserFactory

pytestmark = pytest.mark.django_db

SIGNING_KEY = "mailgun-webhook-signing-key"
BASIC_AUTH = "anymail:webhook-secret"


@pytest.fixture
def anymail_test_backend(settings):
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"


@pytest.fixture
def provider_webhooks(settings):
    """Mailgun as the provider, with its tracking webhook's secret and signing key."""
    settings.ANYMAIL_ESP = "mailgun"
    settings.ANYMAIL = {"WEBHOOK_SECRET": BASIC_AUTH, "MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY}


def _refuse_some(monkeypatch, responses):
    """Make the test provider answer `responses[email]` for chosen recipients."""
    original = ReleaseEmail.for_recipient

    def for_recipient(self, email):
        message = original(self, email)
        if email in responses:
            message.anymail_test_response = responses[email]
        return message

    monkeypatch.setattr(ReleaseEmail, "for_recipient", for_recipient)


def test_with_a_provider_configured_the_release_goes_through_anymail(
    anymail_test_backend, premium_episode
):
    SubscriberFactory(email="one@example.com")
    SubscriberFactory(email="two@example.com")

    assert release_send(episode=premium_episode) == 2

    assert sorted(m.anymail_test_params["to"][0].addr_spec for m in mail.outbox) == [
        "one@example.com",
        "two@example.com",
    ]
    for message in mail.outbox:
        assert message.anymail_status.status == {"sent"}
        assert message.anymail_test_params["tags"] == ["sunday-email"]
        assert "List-Unsubscribe" in message.anymail_test_params["extra_headers"]


def test_a_recipient_the_provider_refuses_fails_alone(
    anymail_test_backend, premium_episode, monkeypatch
):
    for email in ["a@example.com", "b.refused@example.com", "c@example.com"]:
        SubscriberFactory(email=email)
    _refuse_some(
        monkeypatch,
        {"b.refused@example.com": AnymailAPIError("Inactive recipient", status_code=406)},
    )

    assert release_send(episode=premium_episode) == 2

    refused = ReleaseDelivery.objects.get(email="b.refused@example.com")
    assert (refused.status, refused.smtp_code) == ("failed", 406)
    assert "Inactive recipient" in refused.error
    assert ReleaseDelivery.objects.filter(status="sent").count() == 2


def test_a_refused_recipients_answer_fails_that_delivery(
    anymail_test_backend, premium_episode, monkeypatch
):
    SubscriberFactory(email="gone@example.com")
    rejected = AnymailRecipientStatus(message_id=None, status="rejected")
    _refuse_some(
        monkeypatch, {"gone@example.com": {"recipient_status": {"gone@example.com": rejected}}}
    )

    assert release_send(episode=premium_episode) == 0
    assert ReleaseDelivery.objects.get().status == "failed"


@pytest.mark.parametrize("status_code", [429, 500, 503, None])
def test_a_provider_outage_keeps_everyone_waiting(
    anymail_test_backend, premium_episode, monkeypatch, status_code
):
    for email in ["a@example.com", "b@example.com", "c@example.com"]:
        SubscriberFactory(email=email)
    _refuse_some(monkeypatch, {"b@example.com": AnymailAPIError("Down", status_code=status_code)})

    with pytest.raises(MailServerUnavailable):
        release_send(episode=premium_episode)

    statuses = dict(ReleaseDelivery.objects.values_list("email", "status"))
    assert statuses == {
        "a@example.com": "sent",
        "b@example.com": "pending",
        "c@example.com": "pending",
    }


class BatchProviderBackend(AnymailTestBackend):
    """anymail's test backend, named as a provider with a batch API (Mailgun), answering
    each recipient's status the way a provider's batch response does."""

    esp_name = "Mailgun"
    statuses: dict[str, str] = {}  # address -> status; "sent" for anyone else

    def post_to_esp(self, payload, message):
        super().post_to_esp(payload, message)
        return {
            "recipient_status": {
                email: AnymailRecipientStatus(
                    message_id=None, status=self.statuses.get(email, "sent")
                )
                for email in payload.recipient_emails
            }
        }


@pytest.fixture
def batch_provider(settings, monkeypatch):
    settings.EMAIL_BACKEND = f"{__name__}.BatchProviderBackend"
    monkeypatch.setattr(BatchProviderBackend, "statuses", {})
    return BatchProviderBackend


def test_a_provider_with_a_batch_api_gets_one_call_per_group(
    batch_provider, premium_episode, monkeypatch
):
    emails = [f"reader.{i:03d}@example.com" for i in range(150)]
    for email in emails:
        SubscriberFactory(email=email)
    monkeypatch.setitem(
        ESP_BATCH_APIS,
        "mailgun",
        EspBatchApi(merge_field="%recipient.{}%", limit=60),
    )

    assert release_send(episode=premium_episode) == 150

    # 150 claimed as 100 + 50, sent in groups of at most 60: 60, 40, 50.
    assert [len(m.anymail_test_params["to"]) for m in mail.outbox] == [60, 40, 50]
    sent_to = [a.addr_spec for m in mail.outbox for a in m.anymail_test_params["to"]]
    assert sorted(sent_to) == emails
    first = mail.outbox[0].anymail_test_params
    # The link is the provider's merge field in the body, each person's own in merge data.
    assert "%recipient.unsubscribe_url%" in first["text_body"]
    assert "unsubscribe.invalid" not in first["text_body"] + first["html_body"]
    assert "List-Unsubscribe" not in first["extra_headers"]
    for address in [a.addr_spec for a in first["to"]]:
        url = first["merge_data"][address]["unsubscribe_url"]
        assert first["merge_headers"][address]["List-Unsubscribe"] == f"<{url}>"
        assert sunday_email_address_for_token(url.rstrip("/").rsplit("/", 1)[1]) == address
    assert ReleaseDelivery.objects.filter(status="sent").count() == 150


def test_addresses_a_batch_api_refuses_fail_alone(batch_provider, premium_episode):
    for email in ["a@example.com", "b.bounced@example.com", "c@example.com", "d.bad@example"]:
        SubscriberFactory(email=email)
    batch_provider.statuses = {"b.bounced@example.com": "rejected", "d.bad@example": "invalid"}

    assert release_send(episode=premium_episode) == 2

    assert len(mail.outbox) == 1
    statuses = dict(ReleaseDelivery.objects.values_list("email", "status"))
    assert statuses == {
        "a@example.com": "sent",
        "b.bounced@example.com": "failed",
        "c@example.com": "sent",
        "d.bad@example": "failed",
    }
    assert "rejected" in ReleaseDelivery.objects.get(email="b.bounced@example.com").error


@pytest.mark.parametrize("status_code", [429, 500, None])
def test_a_failed_batch_call_keeps_its_group_waiting(
    batch_provider, premium_episode, monkeypatch, status_code
):
    for email in ["a@example.com", "b@example.com"]:
        SubscriberFactory(email=email)

    def down(self, payload, message):
        raise AnymailAPIError("Down", status_code=status_code)

    monkeypatch.setattr(BatchProviderBackend, "post_to_esp", down)

    with pytest.raises(MailServerUnavailable):
        release_send(episode=premium_episode)

    assert set(ReleaseDelivery.objects.values_list("status", flat=True)) == {"pending"}
    assert ReleaseDelivery.objects.filter(claimed_by="").count() == 2  # free for the retry


def test_the_provider_is_picked_by_ANYMAIL_ESP(monkeypatch):
    monkeypatch.setenv("ANYMAIL_ESP", "postmark")
    monkeypatch.setenv("ANYMAIL_POSTMARK_SERVER_TOKEN", "server-token")
    try:
        reloaded = importlib.reload(settings_module)
        assert reloaded.EMAIL_BACKEND == "anymail.backends.postmark.EmailBackend"
        assert reloaded.ANYMAIL["POSTMARK_SERVER_TOKEN"] == "server-token"
    finally:
        monkeypatch.delenv("ANYMAIL_ESP")
        monkeypatch.delenv("ANYMAIL_POSTMARK_SERVER_TOKEN")
        importlib.reload(settings_module)


# --- Feedback: the provider's tracking webhook --------------------------------------------


def _mailgun_event(
    event_data, *, key=SIGNING_KEY, token="a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3"
):
    timestamp = str(int(time.time()))
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    return {
        "signature": {"timestamp": timestamp, "token": token, "signature": signature},
        "event-data": {
            "id": "G9Bn5sl1TC6nu79C8C0bwg",
            "timestamp": time.time(),
            "log-level": "error",
            "tags": ["sunday-email"],
            "user-variables": {"list": "sunday"},
            "message": {
                "headers": {
                    "to": event_data["recipient"],
                    "message-id": "20261206070000.1.ABCDEF@mg.backinshape.example",
                    "from": "hello@backinshape.example",
                    "subject": "New episode",
                }
            },
            **event_data,
        },
    }


def _post(client, esp, payload, *, auth=BASIC_AUTH):
    headers = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(auth.encode()).decode()}
    return client.post(
        f"/anymail/{esp}/tracking/", json.dumps(payload), content_type="application/json", **headers
    )


MAILGUN_HARD_BOUNCE = {
    "event": "failed",
    "severity": "permanent",
    "reason": "bounce",
    "recipient": "bounced.reader@example.com",
    "delivery-status": {
        "attempt-no": 1,
        "code": 550,
        "message": "5.1.1 The email account that you tried to reach does not exist.",
        "description": "",
    },
}


@pytest.fixture
def reader_and_member():
    SubscriberFactory(email="bounced.reader@example.com")
    return UserFactory(email="Bounced.Reader@example.com")


def test_a_hard_bounce_stops_the_sunday_email_for_subscriber_and_member(
    client, provider_webhooks, reader_and_member
):
    response = _post(client, "mailgun", _mailgun_event(MAILGUN_HARD_BOUNCE))

    assert response.status_code == 200
    assert Subscriber.objects.get().suppressed_at is not None
    reader_and_member.refresh_from_db()
    assert reader_and_member.wants_sunday_email is False
    record = EmailSuppression.objects.get()
    assert (record.email, record.reason, record.esp) == (
        "bounced.reader@example.com",
        "bounced",
        "Mailgun",
    )
    assert "does not exist" in record.detail
    assert sunday_email_recipients() == []


def test_a_temporary_failure_stops_nothing(client, provider_webhooks, reader_and_member):
    event = {**MAILGUN_HARD_BOUNCE, "severity": "temporary", "reason": "generic"}

    assert _post(client, "mailgun", _mailgun_event(event)).status_code == 200
    assert EmailSuppression.objects.count() == 0
    assert Subscriber.objects.get().suppressed_at is None


@pytest.mark.parametrize("event", ["complained", "unsubscribed"])
def test_a_complaint_or_provider_unsubscribe_stops_the_sunday_email(
    client, provider_webhooks, reader_and_member, event
):
    payload = _mailgun_event({"event": event, "recipient": "bounced.reader@example.com"})

    assert _post(client, "mailgun", payload).status_code == 200
    assert EmailSuppression.objects.get().reason == event
    assert Subscriber.objects.get().suppressed_at is not None


def test_the_same_event_twice_is_recorded_once(client, provider_webhooks, reader_and_member):
    payload = _mailgun_event(MAILGUN_HARD_BOUNCE)
    _post(client, "mailgun", payload)
    assert _post(client, "mailgun", payload).status_code == 200
    assert EmailSuppression.objects.count() == 1


def test_a_webhook_with_a_bad_signature_is_refused(client, provider_webhooks, reader_and_member):
    payload = _mailgun_event(MAILGUN_HARD_BOUNCE, key="not-the-signing-key")

    assert _post(client, "mailgun", payload).status_code == 400
    assert EmailSuppression.objects.count() == 0
    assert Subscriber.objects.get().suppressed_at is None


def test_a_webhook_without_the_shared_secret_is_refused(
    client, provider_webhooks, reader_and_member
):
    response = _post(client, "mailgun", _mailgun_event(MAILGUN_HARD_BOUNCE), auth="anymail:wrong")

    assert response.status_code == 401
    assert Subscriber.objects.get().suppressed_at is None


def test_without_a_webhook_secret_the_webhook_is_not_there(client, settings, reader_and_member):
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY}

    assert _post(client, "mailgun", _mailgun_event(MAILGUN_HARD_BOUNCE)).status_code == 404
    assert Subscriber.objects.get().suppressed_at is None


def _postmark_bounce(bounce_type):
    return {
        "RecordType": "Bounce",
        "ID": 4323372036854775807,
        "Type": bounce_type,
        "TypeCode": 1 if bounce_type == "HardBounce" else 4096,
        "Name": "Hard bounce" if bounce_type == "HardBounce" else "Soft bounce",
        "Tag": "sunday-email",
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "Metadata": {"list": "sunday"},
        "ServerID": 23,
        "MessageStream": "broadcast",
        "Description": "The server was unable to deliver your message (ex: unknown user).",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
        "Email": "bounced.reader@example.com",
        "From": "hello@backinshape.example",
        "BouncedAt": "2026-12-06T07:01:02Z",
        "DumpAvailable": False,
        "Inactive": True,
        "CanActivate": True,
        "Subject": "New episode",
    }


def test_a_postmark_hard_bounce_suppresses_and_a_soft_bounce_does_not(
    client, settings, provider_webhooks, reader_and_member
):
    settings.ANYMAIL_ESP = "postmark"
    assert _post(client, "postmark", _postmark_bounce("SoftBounce")).status_code == 200
    assert EmailSuppression.objects.count() == 0

    assert _post(client, "postmark", _postmark_bounce("HardBounce")).status_code == 200
    assert EmailSuppression.objects.get().esp == "Postmark"
    assert Subscriber.objects.get().suppressed_at is not None


def test_staff_see_why_an_address_was_suppressed(
    client, staff, provider_webhooks, reader_and_member
):
    _post(client, "mailgun", _mailgun_event(MAILGUN_HARD_BOUNCE))
    client.force_login(staff)

    response = client.get("/admin/members/emailsuppression/")

    assert response.status_code == 200
    assert "bounced.reader@example.com" in response.text
    assert "Hard bounce" in response.text
