"""Search finds the best match first; members-only text stays unsearchable for non-members.

The ranking tests run twice: on SQLite (the fallback) and on PostgreSQL (full-text search,
require_service: they run in CI).
"""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from episodes import services
from episodes.models import Episode, Topic
from episodes.selectors import episode_search
from tests.conftest import require_service
from tests.factories import EpisodeFactory

pytestmark = pytest.mark.django_db

ON_POSTGRES = connection.vendor == "postgresql"


def saved(**kwargs) -> Episode:
    """An episode stored the way staff store one (so its search vectors are kept)."""
    topics = kwargs.pop("topics", [])
    episode = EpisodeFactory.build(**kwargs)
    services.episode_save(episode=episode)
    if topics:
        episode.topics.set(topics)
        services.episode_search_index_update(episode=episode)
    return episode


def titles(results) -> list[str]:
    return [e.title for e in results]


@pytest.fixture
def library(db):
    now = timezone.now()
    older = now - dt.timedelta(days=30)
    return {
        "body": saved(
            number=1,
            slug="sitting",
            title="Sitting all day",
            standfirst="Desk life and your back.",
            body="Stand up often. A tight hamstring can pull on the pelvis too.",
            publish_at=now - dt.timedelta(days=1),
        ),
        "title": saved(
            number=2,
            slug="hamstrings",
            title="Hamstrings and back pain",
            standfirst="Why the backs of your thighs matter.",
            body="Gentle stretching, every day, for a few weeks.",
            publish_at=older,
        ),
        "standfirst": saved(
            number=3,
            slug="walking",
            title="Walking for a calmer back",
            standfirst="A walk loosens hamstring and hip alike.",
            body="Start with ten minutes.",
            publish_at=now - dt.timedelta(days=2),
        ),
        "premium": saved(
            number=4,
            slug="discs",
            title="Discs, decoded",
            standfirst="What a disc is and is not.",
            body=(
                "Public words about discs.\n\n<!-- members-only -->\n\n"
                "SECRET-PREMIUM-PARAGRAPH about the zygapophyseal routine."
            ),
            publish_at=now - dt.timedelta(days=3),
        ),
    }


def test_sqlite_fallback_puts_title_matches_first_then_standfirst_then_body(library, visitor):
    if ON_POSTGRES:
        pytest.skip("the SQLite fallback")

    results = episode_search(query="hamstring", user=None)

    assert titles(results) == [
        "Hamstrings and back pain",
        "Walking for a calmer back",
        "Sitting all day",
    ]


def test_sqlite_fallback_snippet_is_plain_text_around_the_match(library):
    if ON_POSTGRES:
        pytest.skip("the SQLite fallback")

    result = next(e for e in episode_search(query="pelvis", user=None))

    assert "<mark>pelvis</mark>" in result.search_snippet
    assert "hamstring" in result.search_snippet


def test_members_only_text_is_not_searchable_for_visitors_or_free_members(library, free_member):
    assert episode_search(query="zygapophyseal", user=None) == []
    assert episode_search(query="zygapophyseal", user=free_member) == []


def test_premium_members_find_members_only_text(library, premium_member):
    assert titles(episode_search(query="zygapophyseal", user=premium_member)) == ["Discs, decoded"]


def test_a_visitors_snippet_never_shows_the_members_only_part(library):
    results = episode_search(query="discs", user=None)

    assert titles(results) == ["Discs, decoded"]
    assert "SECRET" not in results[0].search_snippet


def test_the_search_page_shows_snippets_with_only_mark_tags(visitor):
    saved(
        number=9,
        slug="tags",
        title="Script kiddies",
        body="A <script>alert(1)</script> sciatica tale about sciatica.",
    )

    response = visitor.get("/search/?q=sciatica")

    assert response.status_code == 200
    assert "<mark>" in response.text
    assert "sciatica</mark>" in response.text.lower()
    assert "<script>alert(1)" not in response.text


# --- PostgreSQL: full-text search, stemming, trigram -------------------------------------


@pytest.fixture
def postgres():
    require_service(
        ON_POSTGRES,
        "PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/backinshape",
    )


def test_postgres_ranks_the_hamstring_episode_first(postgres, library):
    results = episode_search(query="hamstring", user=None)

    assert titles(results)[0] == "Hamstrings and back pain"
    assert set(titles(results)) == {
        "Hamstrings and back pain",
        "Walking for a calmer back",
        "Sitting all day",
    }


def test_postgres_stems_english_words(postgres, library):
    assert titles(episode_search(query="stretches", user=None)) == ["Hamstrings and back pain"]


def test_postgres_forgives_a_typo_in_a_short_query(postgres, library):
    assert titles(episode_search(query="hamstrng", user=None))[0] == "Hamstrings and back pain"


def test_postgres_snippet_marks_the_match(postgres, library):
    result = episode_search(query="stretches", user=None)[0]

    assert "<mark>stretching</mark>" in result.search_snippet.lower()


def test_postgres_finds_topics_after_they_change(postgres, library):
    episode = library["body"]
    episode.topics.set([Topic.objects.create(name="Sciatica", slug="sciatica")])
    services.episode_search_index_update(episode=episode)

    assert titles(episode_search(query="sciatica", user=None)) == ["Sitting all day"]


def test_postgres_index_rebuild_command_fills_missing_vectors(postgres, library):
    Episode.objects.update(search_vector=None, search_vector_full=None)
    call_command("search_index_rebuild")

    assert titles(episode_search(query="hamstring", user=None))[0] == "Hamstrings and back pain"


def test_postgres_has_the_gin_indexes_and_pg_trgm(postgres):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'episodes_episode'")
        indexes = {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone() == (1,)
    assert {"episodes_episode_search_gin", "episodes_episode_search_full_gin"} <= indexes


def test_a_renamed_topic_finds_its_episodes_by_the_new_name(client, staff):
    topic = Topic.objects.create(name="Nerves", slug="nerves")
    saved(number=40, slug="sciatica-basics", title="Leg pain basics", topics=[topic])
    client.force_login(staff)
    response = client.post(
        f"/admin/episodes/topic/{topic.pk}/change/",
        {"name": "Sciatica", "slug": "nerves", "description": ""},
    )
    assert response.status_code == 302
    assert titles(episode_search(query="sciatica", user=staff)) == ["Leg pain basics"]


def test_the_demo_content_is_indexed_at_once():
    require_service(ON_POSTGRES, "PostgreSQL: set DATABASE_URL=postgres://...")
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Episode.objects.exists()
    assert not Episode.objects.filter(search_vector__isnull=True).exists()
