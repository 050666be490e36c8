"""deploy/nginx/backinshape.conf as it runs: compression and media types through nginx.

Debian's nginx runs the shipped config (rendered by tests/prod/shape.py's render_nginx
for a temporary directory and a throwaway certificate) in front of Django's live test
server, with the static files collectstatic wrote and a media folder of podcast files.
Requests go over HTTPS as a browser's or a bare client's would; bodies are read as they
came over the wire, before any decompression. Skips without nginx and openssl; CI has both.
"""

import contextlib
import gzip
import json
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import require_service
from tests.factories import EpisodeFactory
from tests.prod.shape import render_nginx, self_signed_certificate
from tests.run_stack import free_port
from tests.test_compression import collected_static  # noqa: F401 (a fixture)

BROWSER = "gzip, deflate, br"
MEDIA = {  # name under MEDIA_ROOT -> the Content-Type nginx must send
    "transcripts/2026/episode.vtt": "text/vtt",
    "transcripts/2026/episode.srt": "application/x-subrip",
    "transcripts/2026/episode.json": "application/json",
    "chapters/2026/episode.json": "application/json+chapters",
    "audio/2026/episode.mp3": "audio/mpeg",
    "covers/2026/cover.png": "image/png",
}


@pytest.fixture(scope="module")
def media_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("media")
    for name in MEDIA:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(f"{name}\n".encode() * 200)
    return root


@pytest.fixture
def nginx(live_server, collected_static, media_root, tmp_path):  # noqa: F811
    """The shipped config in front of the live server; yields its https:// base URL."""
    require_service(
        bool(shutil.which("nginx") and shutil.which("openssl")), "nginx and openssl on PATH"
    )
    (tmp_path / "logs").mkdir()
    cert, key = self_signed_certificate(tmp_path)
    https_port = free_port()
    upstream = int(live_server.url.rsplit(":", 1)[1])
    conf = render_nginx(
        tmp_path, http_port=free_port(), https_port=https_port, upstreams=[upstream, upstream],
        cert=cert, key=key, static_root=collected_static, media=media_root,
    )  # fmt: skip
    command = ["nginx", "-c", str(conf), "-p", str(tmp_path), "-e", str(tmp_path / "logs/e.log")]
    tested = subprocess.run([*command, "-t", "-q"], capture_output=True, text=True, check=False)
    assert tested.returncode == 0, tested.stderr
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"https://localhost:{https_port}"
    try:
        for _ in range(100):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", https_port)):
                break
            time.sleep(0.05)
        yield Fetcher(base, cert)
    finally:
        process.terminate()
        process.wait(timeout=10)


class Fetcher:
    def __init__(self, base: str, cert: Path):
        self.base, self.cert = base, cert

    def get(self, path: str, *, accept_encoding: str | None, **headers):
        """The response, with `.wire` holding the body exactly as nginx sent it."""
        headers["Accept-Encoding"] = accept_encoding or "identity"
        response = requests.get(
            self.base + path, headers=headers, verify=str(self.cert), stream=True, timeout=10
        )
        response.wire = response.raw.read(decode_content=False)
        return response


def varies_on_encoding(response) -> bool:
    vary = response.headers.get("Vary", "")
    return "accept-encoding" in [part.strip().lower() for part in vary.split(",")]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", ["css/site.css", "js/site.js"])
def test_nginx_sends_the_precompressed_static_file_to_a_browser(nginx, collected_static, name):  # noqa: F811
    hashed = json.loads((collected_static / "staticfiles.json").read_text())["paths"][name]
    path = f"/static/{hashed}"

    compressed = nginx.get(path, accept_encoding=BROWSER)
    plain = nginx.get(path, accept_encoding=None)

    assert compressed.headers["Content-Encoding"] == "gzip"
    assert compressed.wire == (collected_static / f"{hashed}.gz").read_bytes()
    assert "Content-Encoding" not in plain.headers
    assert plain.wire == (collected_static / hashed).read_bytes()
    assert varies_on_encoding(compressed)
    assert varies_on_encoding(plain)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/", "/feeds/podcast.xml", "/sitemap.xml", "/robots.txt"])
def test_nginx_sends_pages_feeds_sitemap_and_robots_gzipped_to_a_browser(nginx, path):
    EpisodeFactory.create_batch(2, audio_url="https://cdn.example/episode.mp3")

    compressed = nginx.get(path, accept_encoding=BROWSER)
    plain = nginx.get(path, accept_encoding=None)

    assert compressed.status_code == plain.status_code == 200
    assert compressed.headers["Content-Encoding"] == "gzip"
    assert varies_on_encoding(compressed)
    assert "Content-Encoding" not in plain.headers
    assert gzip.decompress(compressed.wire) == plain.wire


@pytest.mark.django_db(transaction=True)
def test_the_micro_cache_never_hands_a_gzipped_page_to_a_client_without_gzip(nginx):
    EpisodeFactory.create_batch(2)
    assert nginx.get("/episodes/", accept_encoding=BROWSER).headers["Content-Encoding"] == "gzip"

    plain = nginx.get("/episodes/", accept_encoding=None)
    again = nginx.get("/episodes/", accept_encoding=BROWSER)

    assert "Content-Encoding" not in plain.headers
    assert plain.wire.lstrip().startswith(b"<!doctype html>")
    assert again.headers["X-Proxy-Cache"] == "HIT"
    assert gzip.decompress(again.wire) == plain.wire


@pytest.mark.django_db(transaction=True)
def test_nginx_serves_podcast_files_with_the_types_the_feed_names(nginx, media_root):
    for name, content_type in MEDIA.items():
        response = nginx.get(f"/media/{name}", accept_encoding=None)
        assert response.status_code == 200, name
        assert response.headers["Content-Type"] == content_type, name
        assert response.wire == (media_root / name).read_bytes(), name
        assert response.headers["X-Content-Type-Options"] == "nosniff", name


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("name", "accept_encoding"),
    [
        ("audio/2026/episode.mp3", BROWSER),  # audio is never compressed: ranges always work
        ("chapters/2026/episode.json", None),  # (compressed, nginx sends the whole file)
    ],
)
def test_nginx_still_answers_byte_ranges_on_media(nginx, media_root, name, accept_encoding):
    response = nginx.get(f"/media/{name}", accept_encoding=accept_encoding, Range="bytes=0-9")

    assert response.status_code == 206
    assert response.wire == (media_root / name).read_bytes()[:10]


SECRET = "s3cr3t-t0ken-in-the-address"


def access_log(tmp_path) -> str:
    """The access log, once nginx has written its line (it writes after the response)."""
    path = tmp_path / "logs" / "nginx-access.log"
    for _ in range(100):
        if path.exists() and path.read_text().endswith("\n"):
            break
        time.sleep(0.02)
    return path.read_text()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "path",
    [
        f"/feeds/private/{SECRET}/podcast.xml",
        f"/feeds/%70rivate/{SECRET}/podcast.xml",
        f"/feeds/private/{SECRET}%2Fpodcast.xml",
        f"/unsubscribe/{SECRET}/",
        f"/subscribe/confirm/{SECRET}/",
        f"/program/reminders/stop/{SECRET}/",
        f"/accounts/password/reset/key/{SECRET}/",
        f"/accounts/confirm-email/{SECRET}/",
    ],
)
def test_nginx_access_log_never_holds_a_secret_link(nginx, tmp_path, path):
    nginx.get(path, accept_encoding=None, Referer=f"{nginx.base}/unsubscribe/{SECRET}/")

    log = access_log(tmp_path)
    assert SECRET not in log
    assert log.count("/...") == 2  # the request line and the Referer


@pytest.mark.django_db(transaction=True)
def test_nginx_access_log_keeps_an_ordinary_address_whole(nginx, tmp_path):
    nginx.get("/episodes/?page=1", accept_encoding=None)

    log = access_log(tmp_path)
    assert '"GET /episodes/?page=1 HTTP/1.1"' in log
