"""The Sunday email against a real SMTP server that refuses, throttles or goes away.

A refusal that belongs to one recipient (RFC 5321 §4.2.1: a 5yz reply to that message)
fails that delivery only and the send moves on; a failure of the server or of the way to it
(4yz, a dropped connection, nobody listening) stops, keeps everyone else waiting, and the
task tries again later.
"""

import socket

import pytest

from backinshape.celery import app
from episodes.mailing import MailServerUnavailable, release_send
from episodes.models import ReleaseDelivery, ReleaseMailing
from episodes.tasks import send_release, send_release_chunk
from tests.factories import SubscriberFactory

pytestmark = pytest.mark.django_db

LIST = ["a.first@example.com", "b.refused@example.com", "c.after@example.com", "d.last@example.com"]


@pytest.fixture
def recipients():
    for email in LIST:
        SubscriberFactory(email=email)
    return LIST


def _delivery(email):
    return ReleaseDelivery.objects.get(email=email)


@pytest.mark.parametrize(
    ("stage", "reply", "code"),
    [
        ("rcpt", "550 5.1.1 No such mailbox", 550),
        ("rcpt", "552 5.2.2 Mailbox full", 552),
        ("rcpt", "554 5.7.1 Relay access denied", 554),
        ("data", "550 5.7.1 Rejected by policy for this recipient", 550),
        ("data", "552 5.3.4 Message too big for this mailbox", 552),
        ("data", "554 5.7.1 Message refused for this recipient", 554),
    ],
)
def test_a_recipient_the_server_refuses_fails_alone_and_the_rest_still_get_it(
    smtp_sink, recipients, premium_episode, stage, reply, code
):
    replies = smtp_sink.rcpt_replies if stage == "rcpt" else smtp_sink.data_replies
    replies["b.refused@example.com"] = reply

    sent = release_send(episode=premium_episode)

    assert sent == 3
    assert smtp_sink.recipients == [
        "a.first@example.com",
        "c.after@example.com",
        "d.last@example.com",
    ]
    refused = _delivery("b.refused@example.com")
    assert (refused.status, refused.smtp_code, refused.attempts) == ("failed", code, 1)
    assert reply.split(" ", 1)[1] in refused.error
    assert refused.sent_at is None
    assert ReleaseMailing.objects.get(episode=premium_episode).completed_at is not None


def test_a_refused_recipient_is_not_tried_again_on_the_next_run(
    smtp_sink, recipients, premium_episode
):
    smtp_sink.data_replies["b.refused@example.com"] = "554 5.7.1 No thanks"
    release_send(episode=premium_episode)
    smtp_sink.data_replies.clear()

    assert release_send(episode=premium_episode) == 0
    assert len(smtp_sink.messages) == 3
    assert _delivery("b.refused@example.com").attempts == 1


def test_a_malformed_address_fails_alone(smtp_sink, recipients, premium_episode):
    SubscriberFactory(email="bad@@example.com")

    assert release_send(episode=premium_episode) == 4
    bad = _delivery("bad@@example.com")
    assert (bad.status, bad.smtp_code) == ("failed", None)
    assert "Invalid address" in bad.error


@pytest.mark.parametrize(
    ("stage", "reply"),
    [
        ("rcpt", "451 4.3.0 Temporary lookup failure"),
        ("rcpt", "421 4.7.0 Too many connections, closing"),
        ("data", "451 4.7.1 Greylisted, try again later"),
        ("data", "421 4.4.2 Timeout, closing"),
    ],
)
def test_a_transient_server_failure_stops_the_batch_and_keeps_the_rest_waiting(
    smtp_sink, recipients, premium_episode, stage, reply
):
    replies = smtp_sink.rcpt_replies if stage == "rcpt" else smtp_sink.data_replies
    replies["b.refused@example.com"] = reply

    with pytest.raises(MailServerUnavailable):
        release_send(episode=premium_episode)

    assert smtp_sink.recipients == ["a.first@example.com"]
    statuses = dict(ReleaseDelivery.objects.values_list("email", "status"))
    assert statuses == {
        "a.first@example.com": "sent",
        "b.refused@example.com": "pending",
        "c.after@example.com": "pending",
        "d.last@example.com": "pending",
    }
    assert reply.split(" ", 1)[1] in _delivery("b.refused@example.com").error
    assert ReleaseMailing.objects.get(episode=premium_episode).completed_at is None

    replies.clear()  # the server is back
    assert release_send(episode=premium_episode) == 3
    assert sorted(smtp_sink.recipients) == LIST
    attempts = dict(ReleaseDelivery.objects.values_list("email", "attempts"))
    assert attempts == {
        "a.first@example.com": 1,
        "b.refused@example.com": 2,
        "c.after@example.com": 1,
        "d.last@example.com": 1,
    }


def test_the_task_retries_a_throttling_server_until_everyone_has_it(
    smtp_sink, recipients, premium_episode, django_capture_on_commit_callbacks
):
    smtp_sink.fail_first(2, "451 4.7.1 Slow down", stage="data")
    # Eager tasks run each retry at once, unless told to raise the Retry instead.
    app.conf.task_eager_propagates = False
    try:
        with django_capture_on_commit_callbacks(execute=True):
            send_release.delay(premium_episode.pk)
    finally:
        app.conf.task_eager_propagates = True

    assert sorted(smtp_sink.recipients) == LIST
    assert not ReleaseDelivery.objects.exclude(status="sent").exists()


def test_the_chunk_task_retries_a_server_failure_with_exponential_backoff(settings):
    assert send_release_chunk.autoretry_for == (MailServerUnavailable,)
    assert send_release_chunk.retry_backoff
    assert send_release_chunk.retry_jitter
    assert send_release_chunk.max_retries == 10
    # A waiting retry must come back before the broker hands it to another worker.
    assert send_release_chunk.retry_backoff_max < settings.CELERY_VISIBILITY_TIMEOUT


def test_a_mail_server_nobody_answers_on_leaves_everyone_waiting(
    settings, recipients, premium_episode
):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens here
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2

    with pytest.raises(MailServerUnavailable):
        release_send(episode=premium_episode)

    assert ReleaseDelivery.objects.filter(status="pending").count() == 4
    assert ReleaseDelivery.objects.filter(attempts=0).count() == 4
