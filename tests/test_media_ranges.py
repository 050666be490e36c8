"""Uploaded audio in development answers byte ranges, so players can seek."""

import importlib.util
import sys

import pytest
from django.http import Http404
from django.test import RequestFactory

import backinshape.urls
from backinshape.views import media

DATA = bytes(range(256)) * 4  # 1024 bytes, every byte different within 256


@pytest.fixture
def audio_path(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "audio").mkdir()
    (tmp_path / "audio" / "episode.mp3").write_bytes(DATA)
    return "audio/episode.mp3"


def get(path, **headers):
    request = RequestFactory().get(f"/media/{path}", **headers)
    return media(request, path=path)


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_first_hundred_bytes(audio_path):
    response = get(audio_path, HTTP_RANGE="bytes=0-99")

    assert response.status_code == 206
    assert body(response) == DATA[:100]
    assert response["Content-Range"] == "bytes 0-99/1024"
    assert response["Accept-Ranges"] == "bytes"


def test_from_an_offset_to_the_end(audio_path):
    response = get(audio_path, HTTP_RANGE="bytes=100-")

    assert response.status_code == 206
    assert body(response) == DATA[100:]
    assert response["Content-Range"] == "bytes 100-1023/1024"


def test_the_last_fifty_bytes(audio_path):
    response = get(audio_path, HTTP_RANGE="bytes=-50")

    assert response.status_code == 206
    assert body(response) == DATA[-50:]
    assert response["Content-Range"] == "bytes 974-1023/1024"


def test_a_range_beyond_the_end_is_not_satisfiable(audio_path):
    response = get(audio_path, HTTP_RANGE="bytes=5000-6000")

    assert response.status_code == 416
    assert response["Content-Range"] == "bytes */1024"


def test_without_a_range_the_whole_file_says_ranges_are_accepted(audio_path):
    response = get(audio_path)

    assert response.status_code == 200
    assert body(response) == DATA
    assert response["Accept-Ranges"] == "bytes"


def test_a_missing_file_or_a_path_outside_media_is_a_404(audio_path):
    with pytest.raises(Http404):
        get("audio/nope.mp3")
    with pytest.raises(Http404):
        get("../secret.txt")


@pytest.fixture
def debug_urls(settings):
    """The site's URLs as a DEBUG server loads them (tests run with DEBUG off)."""
    settings.DEBUG = True
    spec = importlib.util.spec_from_file_location(
        "backinshape._debug_urls", backinshape.urls.__file__
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.modules["backinshape._debug_urls"] = module
    settings.ROOT_URLCONF = "backinshape._debug_urls"
    yield
    del sys.modules["backinshape._debug_urls"]


def test_the_debug_site_serves_media_with_ranges(client, audio_path, debug_urls):
    response = client.get(f"/media/{audio_path}", HTTP_RANGE="bytes=0-99")

    assert response.status_code == 206
    assert b"".join(response.streaming_content) == DATA[:100]
