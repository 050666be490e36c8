import pytest

pytestmark = pytest.mark.django_db


def test_home_lists_published_episode(visitor, episode):
    response = visitor.get("/")
    assert response.status_code == 200
    assert episode.title in response.text


def test_episode_page_renders(visitor, episode):
    response = visitor.get(episode.get_absolute_url())
    assert response.status_code == 200
    assert "Start here" in response.text
