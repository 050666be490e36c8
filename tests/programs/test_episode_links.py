"""Episodes and the routines that put them into practice, linked both ways."""

import pytest
from django.db import connection, migrations, models
from django.db.migrations.executor import MigrationExecutor

from episodes.models import Episode
from programs import services
from programs.demo import program_load_demo
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


def test_staff_link_episodes_from_the_routine_admin(client, staff, linked):
    _, first, _ = linked
    client.force_login(staff)
    page = client.get(f"/admin/programs/routine/{first.pk}/change/").text
    assert "why this helps: episodes" in page.lower()


# --------------------------------------------------------------------------- the migration

EPISODES_BEFORE_THE_MOVE = ("episodes", "0012_episode_release_email_at")
OLD_LINK_TABLE = "programs_routine_episodes"


def _link_table_made_as_programs_made_it(executor: MigrationExecutor) -> None:
    """The table programs' migration 0006 used to make (Routine.episodes), made the same
    way: the field it added, applied to the schema as it stood."""
    programs_leaf = next(
        node for node in executor.loader.graph.leaf_nodes() if node[0] == "programs"
    )
    before = executor.loader.project_state([EPISODES_BEFORE_THE_MOVE, programs_leaf])
    after = before.clone()
    operation = migrations.AddField(
        "routine",
        "episodes",
        models.ManyToManyField(to="episodes.episode", blank=True, related_name="routines"),
    )
    operation.state_forwards("programs", after)
    with connection.schema_editor() as editor:
        operation.database_forwards("programs", editor, before, after)


@pytest.mark.django_db(transaction=True)
def test_links_made_on_the_routine_side_move_to_the_episode(client):
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate([EPISODES_BEFORE_THE_MOVE])
    _link_table_made_as_programs_made_it(executor)
    program_load_demo()
    first = Routine.objects.get(slug="first-bridges")
    hinge = Routine.objects.get(slug="learning-the-hinge")
    episode = EpisodeFactory(title="Why bridges help")
    other = EpisodeFactory(title="Hinging, explained")
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {OLD_LINK_TABLE} (routine_id, episode_id) VALUES (%s, %s)",
            [(first.pk, episode.pk), (hinge.pk, episode.pk), (hinge.pk, other.pk)],
        )

    MigrationExecutor(connection).migrate(latest)

    assert set(Episode.routines.through.objects.values_list("episode_id", "routine_id")) == {
        (episode.pk, first.pk),
        (episode.pk, hinge.pk),
        (other.pk, hinge.pk),
    }
    assert OLD_LINK_TABLE not in connection.introspection.table_names()
    assert "Why bridges help" in client.get(first.get_absolute_url()).text
    assert "Why bridges help" in client.get(hinge.get_absolute_url()).text
    assert hinge.title in client.get(other.get_absolute_url()).text
