"""The admin home is the "This Sunday" desk: the numbers staff act on, and one-click
moderation that goes through comments_moderate."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from episodes.models import Comment, Episode, ReleaseDelivery, ReleaseMailing
from episodes.schedule import next_release_at
from members.models import Membership
from programs.models import MemberProgress, PauseReason
from tests.factories import CommentFactory, EpisodeFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _desk(staff_client):
    response = staff_client.get(reverse("admin:index"))
    assert response.status_code == 200
    return response


def test_desk_shows_the_episode_scheduled_for_the_coming_sunday(staff_client):
    EpisodeFactory(
        title="Sitting without dread",
        status=Episode.Status.SCHEDULED,
        publish_at=next_release_at(),
    )

    response = _desk(staff_client)

    assert response.context["next_episode"].title == "Sitting without dread"
    assert response.context["sunday_covered"] is True
    assert b"Sitting without dread" in response.content
    assert b"Nothing is scheduled for the coming Sunday" not in response.content


def test_desk_warns_when_nothing_is_scheduled_for_the_coming_sunday(staff_client):
    EpisodeFactory(
        status=Episode.Status.SCHEDULED, publish_at=next_release_at() + dt.timedelta(days=7)
    )

    response = _desk(staff_client)

    assert response.context["sunday_covered"] is False
    assert b"Nothing is scheduled for the coming Sunday" in response.content


def test_desk_counts_waiting_comments_and_shows_the_newest_five(staff_client):
    episode = EpisodeFactory()
    now = timezone.now()
    for n in range(7):
        CommentFactory(
            episode=episode,
            status=Comment.Status.PENDING,
            body=f"Waiting comment {n}",
            created_at=now - dt.timedelta(minutes=n),
        )
    CommentFactory(episode=episode, status=Comment.Status.APPROVED, body="Already approved")

    response = _desk(staff_client)

    assert response.context["pending_count"] == 7
    shown = [c.body for c in response.context["pending_comments"]]
    assert shown == [f"Waiting comment {n}" for n in range(5)]
    assert b"Already approved" not in response.content


def test_desk_shows_the_last_mailings_progress(staff_client):
    older = ReleaseMailing.objects.create(episode=EpisodeFactory())
    ReleaseDelivery.objects.create(mailing=older, email="old@example.com", status="sent")
    latest = ReleaseMailing.objects.create(episode=EpisodeFactory(title="Latest one"))
    for n, status in enumerate(["sent", "sent", "sent", "pending", "failed"]):
        ReleaseDelivery.objects.create(mailing=latest, email=f"r{n}@example.com", status=status)

    response = _desk(staff_client)

    progress = response.context["mailing"]
    assert progress.mailing == latest
    assert (progress.sent, progress.waiting, progress.failed) == (3, 1, 1)
    assert b'<progress max="5" value="3"' in response.content


def test_desk_counts_new_members_and_cancellations_this_week(staff_client):
    MembershipFactory(user=UserFactory(email="new@example.com"))
    MembershipFactory(user=UserFactory(email="leaving@example.com"), cancel_at_period_end=True)
    old = MembershipFactory(user=UserFactory(email="longstanding@example.com"))
    Membership.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(days=30),
        updated_at=timezone.now() - dt.timedelta(days=30),
    )

    response = _desk(staff_client)

    assert {m.user.email for m in response.context["new_members"]} == {
        "new@example.com",
        "leaving@example.com",
    }
    assert [m.user.email for m in response.context["cancellations"]] == ["leaving@example.com"]


def test_desk_lists_members_paused_by_a_red_flag(staff_client):
    flagged = UserFactory(email="flagged@example.com")
    MemberProgress.objects.create(
        user=flagged, paused_at=timezone.now(), pause_reason=PauseReason.RED_FLAG
    )
    MemberProgress.objects.create(
        user=UserFactory(email="flare@example.com"),
        paused_at=timezone.now(),
        pause_reason=PauseReason.FLARE_UP,
    )

    response = _desk(staff_client)

    assert [p.user.email for p in response.context["red_flag_paused"]] == ["flagged@example.com"]
    assert b"flagged@example.com" in response.content


def test_developer_tables_are_folded_away_at_the_bottom(staff_client):
    response = _desk(staff_client)

    ours = {app["app_label"] for app in response.context["app_list"]}
    technical = {app["app_label"] for app in response.context["technical_app_list"]}
    assert "auth" in technical
    assert "auth" not in ours
    assert {"episodes", "members", "programs"} <= ours
    content = response.content.decode()
    assert content.index("Everything else") < content.index('<details class="desk__technical">')


def test_desk_is_branded(staff_client):
    content = _desk(staff_client).content.decode()

    assert "/static/css/admin.css" in content
    assert "/static/img/logo.svg" in content
    assert "Back In Shape admin" in content


def test_the_menu_shows_how_many_comments_wait(staff_client):
    CommentFactory(status=Comment.Status.PENDING)
    CommentFactory(status=Comment.Status.PENDING)

    response = staff_client.get(reverse("admin:app_list", args=["episodes"]))

    assert '<span class="menu-badge">2<span class="visually-hidden"> waiting</span>' in (
        response.content.decode()
    )


@pytest.mark.parametrize(
    ("status", "message"),
    [
        ("approved", "Approved the comment by Ada"),
        ("spam", "Marked as spam the comment by Ada"),
        ("removed", "Removed the comment by Ada"),
    ],
)
def test_one_click_moderation_from_the_desk(staff_client, status, message):
    comment = CommentFactory(name="Ada", status=Comment.Status.PENDING)

    response = staff_client.post(
        reverse("admin_desk_comment_moderate", args=[comment.pk]),
        {"status": status, "next": reverse("admin:index")},
        follow=True,
    )

    assert response.redirect_chain == [(reverse("admin:index"), 302)]
    comment.refresh_from_db()
    assert comment.status == status
    assert comment.moderated_at is not None
    assert message in response.content.decode()
    assert response.context["pending_count"] == 0


def test_moderation_with_an_unknown_status_changes_nothing(staff_client):
    comment = CommentFactory(status=Comment.Status.PENDING)

    response = staff_client.post(
        reverse("admin_desk_comment_moderate", args=[comment.pk]), {"status": "deleted"}
    )

    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_moderation_never_redirects_off_site(staff_client):
    comment = CommentFactory(status=Comment.Status.PENDING)

    response = staff_client.post(
        reverse("admin_desk_comment_moderate", args=[comment.pk]),
        {"status": "approved", "next": "https://evil.example/"},
    )

    assert response["Location"] == reverse("admin:index")


def test_moderation_refuses_get(staff_client):
    comment = CommentFactory(status=Comment.Status.PENDING)

    response = staff_client.get(reverse("admin_desk_comment_moderate", args=[comment.pk]))

    assert response.status_code == 405
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_moderation_is_for_staff_only(client, free_member):
    comment = CommentFactory(status=Comment.Status.PENDING)
    client.force_login(free_member)

    url = reverse("admin_desk_comment_moderate", args=[comment.pk])
    response = client.post(url, {"status": "approved"})

    assert response.status_code == 302
    assert response["Location"] == f"/admin/login/?next={url}"
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_moderation_needs_the_csrf_token(staff):
    comment = CommentFactory(status=Comment.Status.PENDING)
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)

    response = client.post(
        reverse("admin_desk_comment_moderate", args=[comment.pk]), {"status": "approved"}
    )

    assert response.status_code == 403
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_moderating_a_missing_comment_is_not_found(staff_client):
    response = staff_client.post(
        reverse("admin_desk_comment_moderate", args=[999999]), {"status": "approved"}
    )

    assert response.status_code == 404


def test_the_desk_costs_the_same_queries_however_much_is_waiting(
    staff_client, django_assert_max_num_queries
):
    for _ in range(8):
        CommentFactory(status=Comment.Status.PENDING)
        MembershipFactory()
    with django_assert_max_num_queries(12):
        _desk(staff_client)
