"""The sitemap: valid against the sitemaps.org schema, every indexable page in it, and
nothing members-only, signed-in or unpublished."""

import datetime as dt
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone
from lxml import etree

from programs.demo import program_load_demo
from programs.models import Exercise, Routine
from tests.factories import EpisodeFactory, TopicFactory

pytestmark = pytest.mark.django_db

SCHEMA = etree.XMLSchema(etree.parse(Path(__file__).parent / "schemas/sitemap.xsd"))
NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def at(year: int, month: int = 6) -> dt.datetime:
    return dt.datetime(year, month, 1, 7, tzinfo=dt.UTC)


@pytest.fixture
def catalogue():
    """Public episodes in two years; a bonus-audio episode alone in a third; a draft and a
    scheduled episode, each with a topic of its own."""
    program_load_demo()
    sitting = TopicFactory(slug="sitting")
    EpisodeFactory(slug="sit-well", publish_at=at(2025), topics=[sitting])
    EpisodeFactory(slug="lift-well", publish_at=at(2026, 1))
    EpisodeFactory(slug="bonus-audio", publish_at=at(2024), members_only_audio=True)
    EpisodeFactory(slug="a-draft", status="draft", topics=[TopicFactory(slug="draft-topic")])
    EpisodeFactory(
        slug="coming-soon",
        status="scheduled",
        publish_at=timezone.now() + dt.timedelta(days=3),
        topics=[TopicFactory(slug="future-topic")],
    )


def sitemap_paths(response) -> list[str]:
    document = etree.fromstring(response.content)
    return [urlsplit(loc).path for loc in document.xpath("//sm:url/sm:loc/text()", namespaces=NS)]


def test_the_sitemap_is_valid_against_the_sitemaps_org_schema(catalogue):
    response = Client().get("/sitemap.xml")

    assert response.status_code == 200
    document = etree.fromstring(response.content)
    assert SCHEMA.validate(document), SCHEMA.error_log


def test_the_sitemap_lists_every_indexable_page(catalogue):
    paths = sitemap_paths(Client().get("/sitemap.xml"))

    for page in [
        "/",
        "/episodes/",
        "/topics/",
        "/membership/",
        "/subscribe/",
        "/program/",
        "/episodes/sit-well/",
        "/topics/sitting/",
        "/episodes/archive/2025/",
        "/episodes/archive/2026/",
    ]:
        assert page in paths
    for routine in Routine.objects.select_related("phase"):
        assert routine.get_absolute_url() in paths
    exercises = list(Exercise.objects.all())
    assert exercises
    for exercise in exercises:
        assert exercise.get_absolute_url() in paths
    assert len(paths) == len(set(paths))


def test_nothing_members_only_or_unpublished_is_in_the_sitemap(catalogue):
    paths = sitemap_paths(Client().get("/sitemap.xml"))

    for hidden in [
        "/episodes/bonus-audio/",
        "/episodes/archive/2024/",  # its one episode is bonus audio for members
        "/episodes/a-draft/",
        "/topics/draft-topic/",
        "/episodes/coming-soon/",
        "/topics/future-topic/",
    ]:
        assert hidden not in paths
    assert not [path for path in paths if path.startswith(("/account", "/program/history"))]


def test_every_page_in_the_sitemap_is_there_for_a_visitor_to_read_and_index(catalogue):
    visitor = Client()

    for path in sitemap_paths(visitor.get("/sitemap.xml")):
        response = visitor.get(path)
        assert response.status_code == 200, path
        assert 'name="robots" content="noindex"' not in response.text, path
