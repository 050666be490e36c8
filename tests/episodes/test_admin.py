import datetime as dt

import pytest
from django.utils import timezone

from episodes.models import Comment, Episode
from tests.factories import CommentFactory, EpisodeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, staff):
    client.force_login(staff)
    return client


def test_episode_changelist_filters_and_searches(admin_client):
    EpisodeFactory(title="Sciatica basics", status=Episode.Status.DRAFT)
    EpisodeFactory(title="Hip hinge", status=Episode.Status.PUBLISHED)
    response = admin_client.get("/admin/episodes/episode/?status__exact=draft&q=sciatica")
    assert response.status_code == 200
    assert "Sciatica basics" in response.text
    assert "Hip hinge" not in response.text


def test_publish_action_publishes_now(admin_client):
    episode = EpisodeFactory(
        status=Episode.Status.SCHEDULED, publish_at=timezone.now() + dt.timedelta(days=3)
    )
    # The action first asks about the Sunday email (tests/test_admin_publishing.py).
    admin_client.post(
        "/admin/episodes/episode/",
        {
            "action": "publish_selected",
            "_selected_action": [episode.pk],
            "apply": "1",
            "email": "none",
        },
    )
    assert Episode.objects.published().filter(pk=episode.pk).exists()


def test_schedule_action_queues_for_next_sunday(admin_client):
    episode = EpisodeFactory(status=Episode.Status.DRAFT)
    admin_client.post(
        "/admin/episodes/episode/",
        {"action": "schedule_selected", "_selected_action": [episode.pk]},
    )
    episode.refresh_from_db()
    assert episode.status == Episode.Status.SCHEDULED
    assert episode.publish_at > timezone.now()


def test_add_form_prefills_next_sunday(admin_client):
    response = admin_client.get("/admin/episodes/episode/add/")
    assert response.status_code == 200
    assert "prepopulated" in response.text  # slug follows the title


def test_changelist_links_to_live_page_or_preview(admin_client):
    EpisodeFactory(status=Episode.Status.DRAFT, slug="draft-one")
    EpisodeFactory(slug="live-one")
    page = admin_client.get("/admin/episodes/episode/").text
    assert 'href="/episodes/draft-one/">Preview' in page
    assert 'href="/episodes/live-one/">View live page' in page


def test_moderation_queue_lists_only_pending(admin_client, episode):
    CommentFactory(episode=episode, body="Waiting here", status=Comment.Status.PENDING)
    CommentFactory(episode=episode, body="Already fine", status=Comment.Status.APPROVED)
    page = admin_client.get("/admin/episodes/pendingcomment/").text
    assert "Waiting here" in page
    assert "Already fine" not in page


@pytest.mark.parametrize(
    ("action", "status"),
    [
        ("approve_selected", Comment.Status.APPROVED),
        ("mark_spam_selected", Comment.Status.SPAM),
        ("remove_selected", Comment.Status.REMOVED),
    ],
)
def test_bulk_moderation_actions(admin_client, episode, action, status):
    comments = CommentFactory.create_batch(3, episode=episode, status=Comment.Status.PENDING)
    admin_client.post(
        "/admin/episodes/pendingcomment/",
        {"action": action, "_selected_action": [c.pk for c in comments]},
    )
    assert Comment.objects.filter(status=status).count() == 3


def test_non_staff_cannot_reach_the_admin(client, free_member):
    client.force_login(free_member)
    response = client.get("/admin/episodes/episode/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_add_form_suggests_the_next_episode_number(admin_client):
    EpisodeFactory(number=41)
    response = admin_client.get("/admin/episodes/episode/add/")
    assert 'name="number" value="42"' in response.text
