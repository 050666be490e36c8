import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.utils import timezone

from episodes import services
from episodes.models import Episode
from episodes.schedule import next_release_at
from episodes.tasks import publish_due_episodes
from tests.factories import EpisodeFactory

pytestmark = pytest.mark.django_db
LONDON = zoneinfo.ZoneInfo("Europe/London")


def test_draft_episode_is_404_to_the_public(visitor):
    draft = EpisodeFactory(status=Episode.Status.DRAFT)
    assert visitor.get(draft.get_absolute_url()).status_code == 404


def test_scheduled_episode_is_404_to_the_public(visitor):
    scheduled = EpisodeFactory(
        status=Episode.Status.SCHEDULED, publish_at=timezone.now() + dt.timedelta(days=3)
    )
    assert visitor.get(scheduled.get_absolute_url()).status_code == 404


def test_published_episode_with_future_date_is_hidden(visitor):
    future = EpisodeFactory(publish_at=timezone.now() + dt.timedelta(hours=2))
    assert visitor.get(future.get_absolute_url()).status_code == 404
    assert future.title not in visitor.get("/episodes/").text


def test_free_member_cannot_preview_drafts(client, free_member):
    draft = EpisodeFactory(status=Episode.Status.DRAFT)
    client.force_login(free_member)
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_staff_get_a_preview_of_a_draft(client, staff):
    draft = EpisodeFactory(status=Episode.Status.DRAFT, title="Work in progress")
    client.force_login(staff)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert "Preview." in response.text
    assert 'name="robots" content="noindex"' in response.text


def test_drafts_never_appear_in_lists(visitor):
    EpisodeFactory(status=Episode.Status.DRAFT, title="Secret draft title")
    for url in ["/", "/episodes/", "/search/?q=secret"]:
        assert "Secret draft title" not in visitor.get(url).text


def test_next_release_is_the_coming_sunday_at_release_time():
    wednesday = dt.datetime(2026, 11, 25, 12, 0, tzinfo=LONDON)
    release = next_release_at(wednesday)
    assert release.astimezone(LONDON) == dt.datetime(2026, 11, 29, 7, 0, tzinfo=LONDON)


def test_next_release_after_sunday_release_time_is_a_week_later():
    sunday_after = dt.datetime(2026, 11, 29, 7, 30, tzinfo=LONDON)
    assert next_release_at(sunday_after).astimezone(LONDON).date() == dt.date(2026, 12, 6)


def test_next_release_keeps_wall_clock_time_across_the_clock_change():
    # Clocks go back in the UK on 25 October 2026; the release stays at 07:00 local time.
    before_change = dt.datetime(2026, 10, 21, 9, 0, tzinfo=LONDON)
    release = next_release_at(before_change).astimezone(LONDON)
    assert (release.date(), release.hour, release.minute) == (dt.date(2026, 10, 25), 7, 0)
    assert release.utcoffset() == dt.timedelta(0)


def test_new_episode_defaults_to_next_sunday_release():
    with time_machine.travel(dt.datetime(2026, 11, 25, 12, 0, tzinfo=LONDON), tick=False):
        episode = Episode(number=99, title="t", slug="t", standfirst="s", body="b")
    local = episode.publish_at.astimezone(LONDON)
    assert (local.weekday(), local.hour) == (6, 7)


def test_publish_due_episodes_publishes_only_due_ones():
    due = EpisodeFactory(
        status=Episode.Status.SCHEDULED, publish_at=timezone.now() - dt.timedelta(minutes=1)
    )
    later = EpisodeFactory(
        status=Episode.Status.SCHEDULED, publish_at=timezone.now() + dt.timedelta(days=2)
    )
    assert publish_due_episodes.delay().get() == [due.slug]
    due.refresh_from_db()
    later.refresh_from_db()
    assert due.status == Episode.Status.PUBLISHED
    assert later.status == Episode.Status.SCHEDULED


def test_publishing_twice_is_harmless():
    EpisodeFactory(
        status=Episode.Status.SCHEDULED, publish_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert len(services.episodes_publish_due()) == 1
    assert services.episodes_publish_due() == []


def test_publish_now_brings_a_future_episode_forward():
    scheduled = EpisodeFactory(
        status=Episode.Status.SCHEDULED, publish_at=timezone.now() + dt.timedelta(days=4)
    )
    services.episode_publish(episode=scheduled)
    assert Episode.objects.published().filter(pk=scheduled.pk).exists()


def test_schedule_keeps_a_future_date_and_fills_a_past_one():
    future = timezone.now() + dt.timedelta(days=10)
    kept = services.episode_schedule(episode=EpisodeFactory(status="draft", publish_at=future))
    assert kept.publish_at == future
    filled = services.episode_schedule(episode=EpisodeFactory(status="draft"))
    assert filled.publish_at > timezone.now()
    assert filled.publish_at.astimezone(LONDON).weekday() == 6
