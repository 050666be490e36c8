"""Staff watch each Sunday email in the admin, and act on it."""

import re

import pytest
from django.core import mail
from django.utils import timezone

from episodes.mailing import release_email_build, release_mailing_prepare
from episodes.models import ReleaseDelivery, ReleaseMailing
from tests.factories import SubscriberFactory

pytestmark = pytest.mark.django_db

MAILINGS = "/admin/episodes/releasemailing/"


@pytest.fixture
def admin_client(client, staff):
    staff.wants_sunday_email = False  # so the mailings below are only the four readers
    staff.save()
    client.force_login(staff)
    return client


@pytest.fixture
def mailing(premium_episode):
    """Four recipients: two sent, one waiting, one the server refused."""
    for email in ["sent.1@example.com", "sent.2@example.com", "waiting@example.com"]:
        SubscriberFactory(email=email)
    SubscriberFactory(email="refused@example.com")
    mailing = release_mailing_prepare(episode=premium_episode)
    mailing.deliveries.filter(email__startswith="sent.").update(
        status=ReleaseDelivery.Status.SENT, sent_at=timezone.now()
    )
    mailing.deliveries.filter(email="refused@example.com").update(
        status=ReleaseDelivery.Status.FAILED, smtp_code=550, error="550 5.1.1 No such mailbox"
    )
    return mailing


def _act(client, action, mailing):
    return client.post(MAILINGS, {"action": action, "_selected_action": [mailing.pk]}, follow=True)


def test_the_mailing_list_shows_progress_as_an_accessible_bar(admin_client, mailing):
    response = admin_client.get(MAILINGS)

    assert response.status_code == 200
    bar = re.search(r"<progress[^>]*>.*?</progress>", response.text, re.S).group(0)
    assert 'max="4"' in bar
    assert 'value="2"' in bar
    assert "aria-label=" in bar
    assert "style=" not in bar
    assert "2 of 4 sent" in response.text
    assert "1 failed" in response.text


def test_the_mailing_page_shows_progress_and_links_to_its_deliveries(admin_client, mailing):
    response = admin_client.get(f"{MAILINGS}{mailing.pk}/change/")

    assert response.status_code == 200
    assert "<progress" in response.text
    assert f"/admin/episodes/releasedelivery/?mailing__id__exact={mailing.pk}" in response.text


def test_failed_deliveries_show_their_status_and_the_servers_reason(admin_client, mailing):
    response = admin_client.get(
        f"/admin/episodes/releasedelivery/?mailing__id__exact={mailing.pk}&status__exact=failed"
    )

    assert response.status_code == 200
    assert "refused@example.com" in response.text
    assert "550 5.1.1 No such mailbox" in response.text
    assert "waiting@example.com" not in response.text


def test_send_a_test_to_me_mails_only_the_signed_in_staff_member(admin_client, mailing, staff):
    response = _act(admin_client, "send_test_to_me", mailing)

    assert response.status_code == 200
    assert [m.to for m in mail.outbox] == [[staff.email]]
    assert mail.outbox[0].subject == f"[Test] New episode: {mailing.episode.title}"
    assert "Sent a test" in response.text
    statuses = sorted(mailing.deliveries.values_list("status", flat=True))
    assert statuses == ["failed", "pending", "sent", "sent"]  # nobody else touched


def test_retry_failed_sends_the_refused_again_and_nobody_else(
    admin_client, mailing, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _act(admin_client, "retry_failed", mailing)

    assert response.status_code == 200
    assert sorted(m.to[0] for m in mail.outbox) == ["refused@example.com", "waiting@example.com"]
    refused = mailing.deliveries.get(email="refused@example.com")
    assert (refused.status, refused.smtp_code) == ("sent", None)
    assert ReleaseMailing.objects.get(pk=mailing.pk).completed_at is not None


def test_resume_sends_the_waiting_and_leaves_the_failed(
    admin_client, mailing, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _act(admin_client, "resume", mailing)

    assert response.status_code == 200
    assert [m.to for m in mail.outbox] == [["waiting@example.com"]]
    assert mailing.deliveries.get(email="refused@example.com").status == "failed"


def test_non_staff_cannot_reach_the_mailings(client, free_member, mailing):
    client.force_login(free_member)
    response = client.get(MAILINGS)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_email_opens_with_a_preview_line(premium_episode):
    message = release_email_build(episode=premium_episode, email="reader@example.com")
    html = message.alternatives[0][0]

    assert message.body.splitlines()[0] == premium_episode.standfirst
    preheader = re.search(r'<div class="preheader" style="display:none;[^"]*">(.*?)</div>', html)
    assert preheader
    assert preheader.group(1).strip().startswith(premium_episode.standfirst)
    assert re.search(r"<style>[^<]*\.preheader\s*\{[^}]*display:\s*none", html)
