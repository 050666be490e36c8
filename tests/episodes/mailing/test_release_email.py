import datetime as dt
import smtplib
from email import message_from_bytes

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from episodes.mailing import EpisodeNotLive, MailServerUnavailable, release_send
from episodes.models import Episode, ReleaseDelivery
from episodes.tasks import publish_due_episodes
from members.selectors import sunday_email_recipients
from tests.factories import EpisodeFactory, SubscriberFactory, UserFactory

pytestmark = pytest.mark.django_db

SECRET = "SECRET-PREMIUM-PARAGRAPH"


@pytest.fixture
def audience():
    """Two confirmed subscribers, a member who wants the email (also a subscriber, in
    another case), and everyone who must not get it."""
    SubscriberFactory(email="reader.one@example.com")
    SubscriberFactory(email="Member.Both@example.com")
    UserFactory(email="member.both@example.com")
    UserFactory(email="member.only@example.com")
    SubscriberFactory(email="unconfirmed@example.com", confirmed_at=None)
    SubscriberFactory(email="left@example.com", unsubscribed_at=timezone.now())
    SubscriberFactory(email="bounced@example.com", suppressed_at=timezone.now())
    UserFactory(email="bounced@example.com")
    UserFactory(email="opted.out@example.com", wants_sunday_email=False)
    UserFactory(email="unverified@example.com", verified=False)


def test_recipients_are_everyone_who_asked_once_each(audience):
    assert [e.lower() for e in sunday_email_recipients()] == [
        "member.both@example.com",
        "member.only@example.com",
        "reader.one@example.com",
    ]


def test_release_sends_one_email_to_each_recipient(audience, premium_episode):
    sent = release_send(episode=premium_episode)
    assert sent == 3
    assert sorted(m.to[0].lower() for m in mail.outbox) == [
        "member.both@example.com",
        "member.only@example.com",
        "reader.one@example.com",
    ]


def test_sending_twice_sends_nobody_a_second_copy(audience, premium_episode):
    release_send(episode=premium_episode)
    assert release_send(episode=premium_episode) == 0
    assert len(mail.outbox) == 3


def test_a_second_run_reaches_only_people_who_joined_since(audience, premium_episode):
    release_send(episode=premium_episode)
    SubscriberFactory(email="latecomer@example.com")
    release_send(episode=premium_episode)
    assert [m.to for m in mail.outbox[3:]] == [["latecomer@example.com"]]


def test_release_email_follows_the_bulk_sender_rules(premium_episode):
    SubscriberFactory(email="reader@example.com")
    release_send(episode=premium_episode)
    message = mail.outbox[0]
    raw = message_from_bytes(message.message().as_bytes())
    assert raw.get_content_type() == "multipart/alternative"
    html = message.alternatives[0][0]
    assert len(html.encode()) < 100_000
    unsubscribe = "".join(raw["List-Unsubscribe"].split())  # unfold the long header
    assert unsubscribe.startswith("<http")
    assert "/unsubscribe/" in unsubscribe
    assert raw["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert raw["List-Id"].startswith("Back In Shape Sunday email <sunday.")
    url = unsubscribe.strip("<>")
    assert url in message.body  # the link is in the body too
    assert url in html


def test_release_email_never_carries_members_only_text(premium_episode):
    SubscriberFactory(email="reader@example.com")
    release_send(episode=premium_episode)
    message = mail.outbox[0]
    assert SECRET not in message.body
    assert SECRET not in message.alternatives[0][0]
    assert "members" not in message.subject.lower()
    assert "The members" not in message.body  # the members-only heading stays out too


def test_one_click_unsubscribe_from_the_email_stops_the_next_one(premium_episode):
    member = UserFactory(email="member@example.com")
    release_send(episode=premium_episode)
    url = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    path = url.split("://", 1)[1].split("/", 1)[1]
    response = Client(enforce_csrf_checks=True).post("/" + path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.wants_sunday_email is False
    assert sunday_email_recipients() == []


def test_a_forged_unsubscribe_token_is_404(visitor):
    assert visitor.post("/unsubscribe/bWVtYmVyQGV4YW1wbGUuY29t:forged/").status_code == 404


def test_unpublished_episodes_send_nothing():
    draft = EpisodeFactory(status=Episode.Status.DRAFT)
    SubscriberFactory()
    with pytest.raises(EpisodeNotLive):
        release_send(episode=draft)
    assert mail.outbox == []


def test_the_sunday_beat_publishes_and_sends(audience, django_capture_on_commit_callbacks):
    due = EpisodeFactory(
        status=Episode.Status.SCHEDULED, publish_at=timezone.now() - dt.timedelta(minutes=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        publish_due_episodes.delay()
    assert Episode.objects.published().filter(pk=due.pk).exists()
    assert {m.subject for m in mail.outbox} == {f"New episode: {due.title}"}
    assert len(mail.outbox) == 3


def test_send_release_command_sends_and_resumes(audience, premium_episode):
    call_command("send_release", premium_episode.slug)
    call_command("send_release", premium_episode.slug)
    assert len(mail.outbox) == 3


def test_send_release_command_explains_an_unknown_or_unpublished_episode():
    with pytest.raises(CommandError, match="No episode"):
        call_command("send_release", "nope")
    draft = EpisodeFactory(status=Episode.Status.DRAFT)
    with pytest.raises(CommandError, match="Publish it first"):
        call_command("send_release", draft.slug)


def test_a_mail_server_outage_leaves_deliveries_waiting_for_the_retry(
    smtp_sink, premium_episode, monkeypatch
):
    SubscriberFactory.create_batch(3)

    def down(self, *args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(smtplib.SMTP, "mail", down)
    with pytest.raises(MailServerUnavailable):
        release_send(episode=premium_episode)
    assert ReleaseDelivery.objects.filter(status="pending").count() == 3
    monkeypatch.undo()
    assert release_send(episode=premium_episode) == 3


def test_release_over_real_smtp_reaches_each_address_once(smtp_sink, premium_episode):
    SubscriberFactory(email="one@example.com")
    SubscriberFactory(email="two@example.com")
    smtp_sink.refuse.add("gone@example.com")
    SubscriberFactory(email="gone@example.com")

    release_send(episode=premium_episode)
    release_send(episode=premium_episode)

    received = [message_from_bytes(raw) for raw in smtp_sink.messages]
    assert sorted(m["To"] for m in received) == ["one@example.com", "two@example.com"]
    for message in received:
        assert message.get_content_type() == "multipart/alternative"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    refused = ReleaseDelivery.objects.get(email="gone@example.com")
    assert (refused.status, refused.attempts, refused.smtp_code) == ("failed", 1, 550)
    assert "No such mailbox" in refused.error
