"""Compression as the app sends it with no nginx in front (gunicorn alone, `make run`).

A browser sends `Accept-Encoding: gzip, deflate, br`; a bare HTTP client sends none. Each
gets a body it can read, and `Vary: Accept-Encoding` tells every cache on the way that
the two differ. The nginx side is in tests/test_nginx.py.
"""

import gzip

import brotli
import pytest
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils.cache import has_vary_header

from common import compression
from tests.factories import EpisodeFactory
from tests.test_media_ranges import debug_urls  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

BROWSER = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}
# Dynamic responses: a page, a feed, the sitemap and robots.txt.
DYNAMIC = ["/", "/feeds/podcast.xml", "/sitemap.xml", "/robots.txt"]


def content(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


@pytest.fixture
def catalogue(db):
    EpisodeFactory.create_batch(3)


@pytest.mark.parametrize("url", DYNAMIC)
def test_a_browser_gets_it_gzipped_with_vary(catalogue, url):
    plain = Client().get(url)
    response = Client().get(url, **BROWSER)

    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert has_vary_header(response, "Accept-Encoding")
    assert int(response["Content-Length"]) == len(response.content) < len(plain.content)
    assert gzip.decompress(response.content) == plain.content


@pytest.mark.parametrize("url", DYNAMIC)
def test_a_client_that_asks_for_no_compression_gets_plain_text_with_vary(catalogue, url):
    response = Client().get(url)

    assert response.status_code == 200
    assert "Content-Encoding" not in response
    assert has_vary_header(response, "Accept-Encoding")
    assert response.content.lstrip().startswith((b"<", b"User-agent"))


def test_a_page_cached_for_a_browser_is_plain_for_a_client_without_gzip(catalogue):
    assert Client().get("/episodes/", **BROWSER)["X-Cache"] == "miss"

    response = Client().get("/episodes/")

    assert response["X-Cache"] == "hit"
    assert "Content-Encoding" not in response
    assert b"<!doctype html>" in response.content


def test_a_page_cached_for_a_plain_client_is_gzipped_for_a_browser(catalogue):
    plain = Client().get("/episodes/")
    assert plain["X-Cache"] == "miss"

    response = Client().get("/episodes/", **BROWSER)

    assert response["X-Cache"] == "hit"
    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.content) == plain.content


def test_cache_hits_send_the_copy_compressed_when_the_page_was_stored(catalogue, monkeypatch):
    calls = []
    compress = compression.compress_string
    monkeypatch.setattr(
        compression, "compress_string", lambda data: calls.append(len(data)) or compress(data)
    )

    responses = [Client().get("/episodes/", **BROWSER) for _ in range(4)]

    assert [r["X-Cache"] for r in responses] == ["miss", "hit", "hit", "hit"]
    assert len({r.content for r in responses}) == 1
    assert len(calls) == 1


def test_a_conditional_request_for_a_gzipped_page_gets_a_304(catalogue):
    first = Client().get("/episodes/", **BROWSER)
    assert first["ETag"].startswith('W/"')  # a compressed body's ETag is weak

    again = Client().get("/episodes/", HTTP_IF_NONE_MATCH=first["ETag"], **BROWSER)

    assert again.status_code == 304
    assert has_vary_header(again, "Accept-Encoding")


def test_a_signed_in_page_is_gzipped_with_random_padding(client, premium_member):
    client.force_login(premium_member)

    responses = [client.get("/account/", **BROWSER) for _ in range(5)]

    for response in responses:
        assert response["Content-Encoding"] == "gzip"
        assert "private" in response["Cache-Control"]
        # Django's "Heal The BREACH" padding: a file name of random length in the header.
        assert response.content[3] & gzip.FNAME
    padding = {response.content.index(b"\0", 10) - 10 for response in responses}
    assert len(padding) > 1


@pytest.mark.parametrize(
    ("name", "headers"),
    [("audio/episode.mp3", {}), ("transcripts/2026/episode.vtt", {"HTTP_RANGE": "bytes=0-99"})],
    ids=["audio", "a byte range"],
)
@pytest.mark.usefixtures("debug_urls")
def test_audio_and_byte_ranges_are_never_compressed(settings, tmp_path, name, headers):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / name).parent.mkdir(parents=True)
    (tmp_path / name).write_bytes(b"WEBVTT\n\n" + b"00:00.000 --> 00:01.000\nWords.\n\n" * 40)

    response = Client().get(f"/media/{name}", **BROWSER, **headers)

    assert response.status_code in (200, 206)
    assert "Content-Encoding" not in response


# --- Static files ---------------------------------------------------------------------------


PRODUCTION_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


@pytest.fixture(scope="module")
def collected_static(tmp_path_factory):
    """collectstatic as production runs it: hashed names, with .gz and .br beside each
    file (WhiteNoise's CompressedManifestStaticFilesStorage, Brotli installed)."""
    root = tmp_path_factory.mktemp("staticfiles")
    with override_settings(STATIC_ROOT=root, STORAGES=PRODUCTION_STORAGES):
        call_command("collectstatic", "--noinput", verbosity=0)
    return root


@pytest.fixture
def production_static(collected_static, settings):
    """WhiteNoise serving the collected files, as with DJANGO_DEBUG off."""
    settings.STATIC_ROOT = collected_static
    settings.STORAGES = PRODUCTION_STORAGES
    settings.WHITENOISE_USE_FINDERS = False
    settings.WHITENOISE_AUTOREFRESH = False


@pytest.mark.parametrize("name", ["css/site.css", "js/site.js"])
def test_production_static_files_are_served_precompressed(production_static, name):
    url = staticfiles_storage.url(name)
    assert url != f"/static/{name}"  # the hashed name
    plain = Client().get(url)
    original = content(plain)

    gzipped = Client().get(url, HTTP_ACCEPT_ENCODING="gzip")
    brotlied = Client().get(url, **BROWSER)

    assert "Content-Encoding" not in plain
    assert gzipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(content(gzipped)) == original
    assert brotlied["Content-Encoding"] == "br"
    assert brotli.decompress(content(brotlied)) == original
    for response in (plain, gzipped, brotlied):
        assert has_vary_header(response, "Accept-Encoding")


@pytest.mark.parametrize("name", ["css/site.css", "js/site.js"])
def test_static_files_in_development_are_gzipped_on_the_way_out(name):
    url = f"/static/{name}"
    plain = Client().get(url)

    response = Client().get(url, **BROWSER)

    assert response["Content-Encoding"] == "gzip"
    assert has_vary_header(response, "Accept-Encoding")
    assert gzip.decompress(content(response)) == content(plain)
