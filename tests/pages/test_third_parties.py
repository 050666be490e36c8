"""Public pages load nothing from another origin: not in their Content Security Policy and
not in their HTML. The exceptions are the ones the cookie statement names: the media host
(covers and audio in object storage, linked audio), Stripe (only as a place forms go), and
YouTube's privacy-enhanced player, which loads only when the visitor presses play.

The browser's own view of the same (every request a page makes, and the one the play
button makes) is tests/e2e/test_site_pages.py.
"""

import io
import json
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from programs.demo import program_load_demo
from programs.models import Exercise
from tests.factories import EpisodeFactory, TopicFactory, monthly_and_yearly_plans, site_page

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
SELF, NONE = "'self'", "'none'"
YOUTUBE_PLAYER = "https://www.youtube-nocookie.com"
STRIPE_PAGES = {"https://checkout.stripe.com", "https://billing.stripe.com"}
SITE = "http://testserver"


def csp_of(response) -> dict[str, list[str]]:
    policy = {}
    for part in response["Content-Security-Policy"].split(";"):
        if part.strip():
            name, *sources = part.split()
            policy[name] = sources
    return policy


def csp_outsiders(policy: dict[str, list[str]], *, media: set[str]) -> list[str]:
    """Each source a directive allows beyond the site itself and the named exceptions."""
    allowed = {
        "img-src": {SELF, "data:", *media},
        "media-src": {SELF, *media},
        "frame-src": {YOUTUBE_PLAYER},
        "form-action": {SELF, *STRIPE_PAGES},
        "frame-ancestors": {NONE},
        "object-src": {NONE},
    }
    return [
        f"{directive} {source}"
        for directive, sources in policy.items()
        for source in sources
        if source not in allowed.get(directive, {SELF})
    ]


class LoadedResources(HTMLParser):
    """The URLs a browser fetches by itself while showing the page (not links to follow),
    and the audio a player fetches only on play."""

    LOADING_LINKS = {"stylesheet", "icon", "preload", "modulepreload", "manifest", "prefetch"}

    def __init__(self):
        super().__init__()
        self.loaded: list[str] = []
        self.on_play: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in {"img", "script", "iframe", "embed", "video", "source", "track"}:
            self.loaded += [attrs[name] for name in ("src", "poster") if attrs.get(name)]
            if attrs.get("srcset"):
                self.loaded += [item.split()[0] for item in attrs["srcset"].split(",")]
        elif tag == "audio" and attrs.get("src"):
            wait = attrs.get("preload") == "none" and "autoplay" not in attrs
            (self.on_play if wait else self.loaded).append(attrs["src"])
        elif tag == "link" and self.LOADING_LINKS & set((attrs.get("rel") or "").split()):
            self.loaded.append(attrs["href"])
        elif tag == "object" and attrs.get("data"):
            self.loaded.append(attrs["data"])
        elif tag == "input" and attrs.get("type") == "image":
            self.loaded.append(attrs.get("src", ""))


def origin(url: str, page: str) -> str:
    parts = urlsplit(urljoin(SITE + page, url))
    return f"{parts.scheme}://{parts.netloc}"


@pytest.fixture
def public_pages(settings, tmp_path):
    """Every kind of public page, with everything that could pull something in: covers, a
    video, linked audio, an exercise picture, the plans."""
    settings.MEDIA_ROOT = tmp_path
    settings.SITE_URL = SITE
    topic = TopicFactory(slug="lifting")
    episode = EpisodeFactory(
        slug="lift-well",
        topics=[topic],
        video_url="https://www.youtube.com/watch?v=aBcDeFgHiJk",
        audio_url="https://audio.backinshape.example/episodes/001.mp3",
        audio_duration=1800,
        cover_alt="A person lifting a box",
    )
    episode.cover_image.save("cover.png", ContentFile(_png()), save=True)
    program_load_demo()
    exercise = Exercise.objects.order_by("name").first()
    exercise.video_url = "https://youtu.be/aBcDeFgHiJk"
    exercise.image_alt = "The starting position"
    exercise.image.save("start.png", ContentFile(_png()), save=True)
    monthly_and_yearly_plans()
    for kind in ("privacy", "terms", "cancellation", "contact", "about", "accessibility"):
        site_page(kind)
    site_page("medical-disclaimer")
    return [
        "/",
        "/episodes/",
        episode.get_absolute_url(),
        "/topics/",
        topic.get_absolute_url(),
        "/search/?q=lift",
        "/program/",
        "/program/build-the-base/first-bridges/",
        exercise.get_absolute_url(),
        "/program/get-help-now/",
        "/membership/",
        "/subscribe/",
        "/accounts/login/",
        "/accounts/signup/",
        "/privacy/",
        "/terms/",
        "/cancellation/",
        "/contact/",
        "/about/",
        "/accessibility/",
        "/medical-disclaimer/",
        "/no-such-page/",
    ]


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 630), "teal").save(buffer, "PNG")
    return buffer.getvalue()


def test_no_public_page_allows_another_origin_in_its_csp(visitor, public_pages):
    outsiders = []
    for url in public_pages:
        response = visitor.get(url)
        outsiders += [f"{url}: {source}" for source in csp_outsiders(csp_of(response), media=set())]
    assert outsiders == []


def test_no_public_page_loads_anything_from_another_origin(visitor, public_pages):
    found = []
    players = []
    for url in public_pages:
        parser = LoadedResources()
        parser.feed(visitor.get(url).text)
        found += [
            f"{url}: {resource}" for resource in parser.loaded if origin(resource, url) != SITE
        ]
        players += parser.on_play
    assert found == []
    # The linked audio is the only thing from elsewhere, and only its player asks for it.
    assert players == ["https://audio.backinshape.example/episodes/001.mp3"]


def test_the_video_is_a_poster_and_a_link_until_play(visitor, public_pages):
    html = visitor.get("/episodes/lift-well/").text
    assert 'data-youtube-id="aBcDeFgHiJk"' in html
    assert "youtube-nocookie" not in html  # site.js builds the player on the click
    assert "Nothing loads from YouTube until you press play." in html


def _csp_with(**env) -> dict:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "MEDIA_"))}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json, django; django.setup(); from django.conf import settings; "
            "print(json.dumps(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']))",
        ],
        cwd=ROOT,
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "backinshape.settings",
            "DJANGO_DEBUG": "true",
            **env,
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return {name: [str(s) for s in sources] for name, sources in json.loads(result.stdout).items()}


def test_the_media_host_and_linked_audio_are_the_only_origins_added():
    policy = _csp_with(
        MEDIA_STORAGE_URL="s3://bucket?custom_domain=media.backinshape.example",
        LINKED_AUDIO_ORIGINS="https://audio.backinshape.example",
    )
    media = {"https://media.backinshape.example"}
    assert policy["img-src"] == [SELF, "data:", *media]
    assert policy["media-src"] == [SELF, "https://audio.backinshape.example", *media]
    assert csp_outsiders(policy, media=media | {"https://audio.backinshape.example"}) == []


def test_without_a_media_host_nothing_but_the_site_plays_audio():
    assert _csp_with()["media-src"] == [SELF]


def test_a_linked_audio_origin_must_be_an_origin():
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "backinshape.settings",
            "DJANGO_DEBUG": "true",
            "LINKED_AUDIO_ORIGINS": "https:",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "LINKED_AUDIO_ORIGINS holds origins like https://audio.example.org" in result.stderr
