"""Staff sign in to the admin with their second step and upload an episode's audio, which
object storage then serves with byte ranges and the podcast feed links."""

import html
import os
import re
from urllib.parse import urlsplit

import pytest
import requests

from tests.prod.browsing import filled, form_with, visitor
from tests.prod.shape import BUCKET

pytestmark = pytest.mark.prod

AUDIO = os.urandom(64 * 1024)


@pytest.fixture(scope="module")
def audio_uploaded(admin, published_episode_change_url):
    """The admin's answer to saving the episode with a new audio file."""
    page = admin.get(published_episode_change_url, timeout=10)
    return admin.post(
        published_episode_change_url,
        data=filled(form_with(page.text, "title"), _save="Save"),
        files={"audio_file": ("prod-check.mp3", AUDIO, "audio/mpeg")},
        headers={"Referer": published_episode_change_url},
        allow_redirects=False,
        timeout=30,
    )


@pytest.fixture(scope="module")
def audio_link(shape, admin, audio_uploaded, published_episode_slug) -> str | None:
    """The episode page's link to its audio in object storage, if there is one."""
    page = admin.get(f"{shape.base}/episodes/{published_episode_slug}/", timeout=10)
    found = re.search(re.escape(shape.moto_base) + r"/" + BUCKET + r"/[^\"'\s<>]+\.mp3", page.text)
    return found.group(0) if found else None


def test_the_admin_asks_staff_for_their_second_step(staff_second_step):
    assert urlsplit(staff_second_step.url).path == "/accounts/2fa/authenticate/"


def test_staff_signs_in_to_the_admin(staff_signed_in):
    assert staff_signed_in.url.rstrip("/").endswith("/admin"), staff_signed_in.url


def test_upload_audio_in_the_admin(audio_uploaded):
    errors = re.findall(r"errorlist[^<]*<li>([^<]*)", audio_uploaded.text)[:3]

    assert audio_uploaded.status_code == 302, errors


def test_the_episode_links_its_audio_in_object_storage(audio_link):
    assert audio_link, "no S3 link on the page"


def test_audio_served_with_byte_ranges_206(audio_link):
    assert audio_link, "no S3 link on the page"

    ranged = requests.get(html.unescape(audio_link), headers={"Range": "bytes=0-9"}, timeout=10)

    assert ranged.status_code == 206
    assert ranged.content == AUDIO[:10]


def test_the_podcast_feeds_enclosure_is_the_storage_url(shape, audio_link):
    assert audio_link, "no S3 link on the page"

    feed = visitor("127.0.0.1", shape.cert).get(f"{shape.base}/feeds/podcast.xml", timeout=10)

    assert audio_link in feed.text
