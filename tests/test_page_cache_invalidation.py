"""Which change forgets which cached pages (common/page_cache/invalidation.py), read from the
generations themselves. The pages a visitor then sees are in tests/test_page_cache.py."""

import datetime as dt

import pytest
from django.core.cache import cache

from common.page_cache import CATALOGUE_KEY, COMMENTS_KEY, GENERATION_KEY, catalogue_generation
from common.page_cache import clock as page_cache_clock
from episodes.models import PodcastShow
from programs.demo import program_load_demo
from programs.models import RoutineStep
from tests.factories import CommentFactory, EpisodeFactory, site_page

pytestmark = pytest.mark.django_db


def generations() -> dict:
    catalogue_generation()  # made on first read
    return cache.get_many([GENERATION_KEY, COMMENTS_KEY, CATALOGUE_KEY])


def moved(before: dict) -> set[str]:
    after = generations()
    return {
        {GENERATION_KEY: "content", COMMENTS_KEY: "comments", CATALOGUE_KEY: "catalogue"}[key]
        for key in before
        if after[key] != before[key]
    }


def test_a_guests_new_comment_forgets_nothing_until_it_is_moderated():
    episode = EpisodeFactory()
    before = generations()
    CommentFactory(episode=episode, status="pending")
    assert moved(before) == set()


def test_an_approved_comment_forgets_the_comment_lists_and_keeps_the_catalogue():
    comment = CommentFactory(episode=EpisodeFactory(), status="pending")
    before = generations()
    comment.status = "approved"
    comment.save()
    assert moved(before) == {"content", "comments"}


def test_editing_the_podcast_show_forgets_the_catalogue_and_keeps_the_comment_lists():
    show = PodcastShow.objects.get()
    before = generations()
    show.title = "Back In Shape Radio"
    show.save()
    assert moved(before) == {"content", "catalogue"}


def test_editing_a_routine_step_forgets_the_catalogue():
    program_load_demo()
    step = RoutineStep.objects.first()
    before = generations()
    step.notes = "Slowly, both ways."
    step.save()
    assert moved(before) == {"content", "catalogue"}


def test_editing_a_site_page_forgets_the_catalogue():
    page = site_page()
    before = generations()
    page.title = "Privacy, plainly"
    page.save()
    assert moved(before) == {"content", "catalogue"}


def test_without_a_content_clock_content_changes_only_when_something_is_saved(monkeypatch):
    # No app has registered a clock (episodes always does, when the apps are ready).
    monkeypatch.setattr(page_cache_clock, "_registered", {})
    EpisodeFactory(status="scheduled", publish_at=dt.datetime(2099, 1, 4, 7, tzinfo=dt.UTC))
    generation = catalogue_generation()
    clock = page_cache_clock.content_clock()
    assert clock.seconds_to_next_change(generation=generation) is None
    assert clock.changed_at(generation=generation).timestamp() == pytest.approx(generation / 1e9)
