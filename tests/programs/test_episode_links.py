"""Episodes and the routines that put them into practice, linked both ways."""

import pytest

from programs import services
from programs.models import Routine
from tests.factories import EpisodeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def linked(episode, program):
    first = Routine.objects.get(slug="first-bridges")
    hinge = Routine.objects.get(slug="learning-the-hinge")
    first.episodes.add(episode)
    hinge.episodes.add(episode)
    return episode, first, hinge


def test_a_visitor_sees_the_routines_locked_with_a_join_call(visitor, linked):
    episode, first, hinge = linked
    page = visitor.get(episode.get_absolute_url()).text
    assert "Put it into practice" in page
    assert first.title in page
    assert hinge.title in page
    assert "Phase One" in page
    assert "Join premium to follow them" in page
    assert "Open for you" not in page
    assert "Push through your heels" not in page  # no instructions leak
    assert first.instructions[:40] not in page


def test_a_free_member_sees_locks_and_the_join_call(client, free_member, linked):
    episode, *_ = linked
    client.force_login(free_member)
    page = client.get(episode.get_absolute_url()).text
    assert "Join premium to follow them" in page
    assert "Open for you" not in page


def test_a_member_sees_which_routines_are_open_for_them(client, premium_member, linked):
    episode, *_ = linked
    services.program_start(user=premium_member)
    client.force_login(premium_member)
    page = client.get(episode.get_absolute_url()).text
    assert page.count("Open for you") == 1
    assert "Join premium to follow them" not in page


def test_the_routine_page_says_why_it_helps_with_published_episodes_only(visitor, linked):
    episode, first, _ = linked
    draft = EpisodeFactory(status="draft", title="A draft about hinges")
    first.episodes.add(draft)
    page = visitor.get(first.get_absolute_url()).text
    assert "Why this helps" in page
    assert episode.title in page
    assert "A draft about hinges" not in page


def test_the_episode_page_stays_within_its_query_budget(
    visitor, linked, django_assert_max_num_queries
):
    episode, *_ = linked
    # Cold cache: the whole page is built once, within the site's budget of 10.
    with django_assert_max_num_queries(10):
        assert visitor.get(episode.get_absolute_url()).status_code == 200


def test_staff_link_routines_from_the_episode_admin(client, staff, linked):
    episode, *_ = linked
    client.force_login(staff)
    page = client.get(f"/admin/episodes/episode/{episode.pk}/change/").text
    assert "put it into practice: routines" in page.lower()
