import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from tests.factories import CommentFactory, EpisodeFactory, TopicFactory

pytestmark = pytest.mark.django_db


def test_home_shows_latest_and_recent_episodes(visitor):
    older = EpisodeFactory(title="Older one")
    newest = EpisodeFactory(title="Newest one")
    newest.publish_at = older.publish_at.replace(year=older.publish_at.year + 0)
    page = visitor.get("/").text
    assert "Newest one" in page
    assert "Older one" in page
    assert "Get the Sunday email" in page


def test_episode_list_is_paginated(visitor):
    EpisodeFactory.create_batch(14)
    first = visitor.get("/episodes/")
    assert "Page 1 of 2" in first.text
    assert visitor.get("/episodes/?page=2").status_code == 200


def _listings_with_two_pages() -> list[str]:
    """The episode list, a topic and a year archive, each with 14 episodes (two pages)."""
    topic = TopicFactory(slug="sitting")
    episodes = EpisodeFactory.create_batch(14, topics=[topic])
    year = episodes[0].publish_at.year
    for episode in episodes:
        episode.publish_at = episode.publish_at.replace(year=year)
        episode.save()
    return ["/episodes/", "/topics/sitting/", f"/episodes/archive/{year}/"]


def test_the_last_page_of_each_listing_is_there(visitor):
    for listing in _listings_with_two_pages():
        response = visitor.get(f"{listing}?page=2")
        assert response.status_code == 200, listing
        assert "Page 2 of 2" in response.text


def test_a_page_past_the_last_of_each_listing_is_the_styled_404(visitor):
    for listing in _listings_with_two_pages():
        response = visitor.get(f"{listing}?page=3")
        assert response.status_code == 404, listing
        assert "We can't find that page" in response.text


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", "2e0", "９", "9" * 30])
def test_a_page_that_is_not_a_whole_number_from_one_is_a_404(visitor, page):
    _listings_with_two_pages()
    assert visitor.get("/episodes/", {"page": page}).status_code == 404


@pytest.mark.parametrize("query", ["", "?page=", "?page=1"])
def test_no_page_number_is_the_first_page(visitor, query):
    EpisodeFactory.create_batch(14)
    response = visitor.get(f"/episodes/{query}")
    assert response.status_code == 200
    assert "Page 1 of 2" in response.text


def test_episode_page_has_toc_from_headings(visitor, episode):
    page = visitor.get(episode.get_absolute_url()).text
    assert 'href="#start-here"' in page
    assert 'id="start-here"' in page


def test_a_short_episode_gives_its_length_in_seconds_not_0_min(visitor):
    episode = EpisodeFactory(audio_url="https://media.example/trailer.mp3", audio_duration=46)

    page = visitor.get(episode.get_absolute_url()).text

    assert "· 46 sec</p>" in page
    assert "0 min" not in page


def test_the_player_loads_our_own_audio_length_before_play(visitor, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    episode = EpisodeFactory(audio_file=SimpleUploadedFile("001.mp3", b"ID3"), audio_duration=2460)

    page = visitor.get(episode.get_absolute_url()).text

    # "metadata": the player shows 41:00 at once, rather than 0:00 until pressed
    assert f'<audio controls preload="metadata" src="{episode.audio_file.url}">' in page


def test_the_player_asks_a_host_elsewhere_for_nothing_before_play(visitor):
    episode = EpisodeFactory(audio_url="https://media.example/001.mp3", audio_duration=2460)

    page = visitor.get(episode.get_absolute_url()).text

    # That host would learn of every visitor to the page, not only of listeners.
    assert '<audio controls preload="none" src="https://media.example/001.mp3">' in page


def test_youtube_video_is_a_click_to_load_facade(visitor):
    episode = EpisodeFactory(video_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ")
    page = visitor.get(episode.get_absolute_url()).text
    assert 'data-youtube-id="dQw4w9WgXcQ"' in page
    assert "<iframe" not in page


def test_topic_page_lists_its_episodes(visitor):
    topic = TopicFactory(name="Sciatica", slug="sciatica")
    EpisodeFactory(title="Nerve pain explained", topics=[topic])
    EpisodeFactory(title="Unrelated")
    page = visitor.get("/topics/sciatica/").text
    assert "Nerve pain explained" in page
    assert "Unrelated" not in page


def test_unknown_topic_and_episode_are_styled_404s(visitor):
    for url in ["/topics/nothing/", "/episodes/nothing/", "/no/such/page/"]:
        response = visitor.get(url)
        assert response.status_code == 404
        assert "We can't find that page" in response.text


def test_episode_page_query_count_does_not_grow_with_comments(
    visitor, episode, django_assert_max_num_queries
):
    for _ in range(50):
        top = CommentFactory(episode=episode)
        CommentFactory(episode=episode, parent=top)
    # A cold cache (every fragment built afresh) stays within the budget of 10.
    with django_assert_max_num_queries(10):
        response = visitor.get(episode.get_absolute_url())
    assert "100 comments" in response.text


def test_search_with_no_query_shows_the_form(visitor):
    response = visitor.get("/search/")
    assert response.status_code == 200
    assert 'name="q"' in response.text


def test_robots_and_sitemap(visitor, episode):
    assert "Sitemap:" in visitor.get("/robots.txt").text
    sitemap = visitor.get("/sitemap.xml")
    assert sitemap.status_code == 200
    assert episode.get_absolute_url() in sitemap.text


def test_healthz_answers_ok(visitor):
    response = visitor.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["database"] == "ok"


def test_healthz_says_what_failed(visitor, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise RuntimeError("db down")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = visitor.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "unreachable"
