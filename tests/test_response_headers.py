"""Headers that protect people: nothing personal is stored by a shared cache, powerful
browser features are off, and the server does not advertise its software."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from programs import services as program_services
from programs.demo import program_load_demo

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent


def cache_directives(response) -> set[str]:
    header = response.headers.get("Cache-Control", "")
    return {part.strip().lower() for part in header.split(",") if part.strip()}


@pytest.fixture
def persona(request, client, free_member, premium_member, staff):
    """A client signed in as the named persona (or not signed in, for the visitor)."""
    user = {"free": free_member, "premium": premium_member, "staff": staff}.get(request.param)
    if user is not None:
        client.force_login(user)
    return client


SIGNED_IN = ["free", "premium", "staff"]


@pytest.mark.parametrize("persona", SIGNED_IN, indirect=True)
@pytest.mark.parametrize(
    "path",
    ["/", "/episodes/", "/episodes/discs-decoded/", "/search/?q=discs", "/membership/"],
)
def test_every_page_for_a_signed_in_person_is_private(persona, premium_episode, path):
    response = persona.get(path)
    assert response.status_code == 200
    assert "private" in cache_directives(response)
    assert "public" not in cache_directives(response)


@pytest.mark.parametrize("persona", SIGNED_IN, indirect=True)
@pytest.mark.parametrize("path", ["/account/", "/membership/"])
def test_account_and_billing_pages_are_never_stored(persona, path):
    response = persona.get(path)
    assert response.status_code == 200
    assert {"private", "no-store"} <= cache_directives(response)


def test_a_premium_article_is_private(client, premium_member, premium_episode):
    client.force_login(premium_member)
    response = client.get(premium_episode.get_absolute_url())
    assert "SECRET-PREMIUM-PARAGRAPH" in response.text
    assert "private" in cache_directives(response)


@pytest.mark.parametrize("persona", ["premium", "staff"], indirect=True)
def test_the_program_pages_are_private(persona):
    program_load_demo()
    response = persona.get("/program/")
    assert response.status_code == 200
    assert "private" in cache_directives(response)


def test_the_program_of_a_member_is_private(client, premium_member):
    program_load_demo()
    program_services.program_start(user=premium_member)
    client.force_login(premium_member)
    response = client.get("/program/")
    assert "private" in cache_directives(response)


def test_a_visitor_page_that_sets_a_cookie_is_private(client, episode):
    # The sign-up page carries a CSRF token tied to this visitor's cookie. (The episode
    # page no longer does: it is cached for visitors, see tests/test_page_cache.py.)
    response = client.get("/subscribe/")
    assert "csrftoken" in response.cookies
    assert "private" in cache_directives(response)


def test_a_visitor_feed_is_left_cacheable(client, episode):
    response = client.get("/feeds/podcast.xml")
    assert response.status_code == 200
    assert "private" not in cache_directives(response)


def test_powerful_browser_features_are_off(client):
    policy = client.get("/").headers["Permissions-Policy"]
    features = dict(part.strip().split("=", 1) for part in policy.split(","))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features[feature] == "()"
    # Only the click-to-play YouTube player may go full screen.
    assert features["fullscreen"] == '("https://www.youtube-nocookie.com")'


def test_passkeys_may_be_made_and_used_on_our_own_pages_only(client):
    policy = client.get("/").headers["Permissions-Policy"]
    features = dict(part.strip().split("=", 1) for part in policy.split(","))
    assert features["publickey-credentials-create"] == "(self)"
    assert features["publickey-credentials-get"] == "(self)"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_does_not_advertise_its_software(tmp_path):
    """The shipped gunicorn config hides gunicorn's name and version from `Server`."""
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "x" * 60,
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
    }
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "-c",
            str(ROOT / "deploy" / "gunicorn.conf.py"),
            "backinshape.wsgi",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    server_header = r.headers.get("Server", "")
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)
    assert "gunicorn" not in server_header.lower()
    assert not any(ch.isdigit() for ch in server_header)
