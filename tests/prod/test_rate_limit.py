"""The comment rate limit counts per visitor address, as nginx sees it."""

import time
import zlib

import pytest

from tests.prod.browsing import filled, form_with, visitor

pytestmark = pytest.mark.prod

PERIOD = 600  # seconds: 5 comments per 10 minutes by default


def rate_window_seconds_left(value: str, *, period: int) -> float:
    """Seconds until django-ratelimit's current window for `value` ends. Its windows are
    fixed, each ending at the same offset into the period for one value: crc32(value) %
    period seconds after each multiple of the period (django_ratelimit.core._get_window)."""
    offset = zlib.crc32(value.encode()) % period
    return (offset - time.time()) % period


def guest_comment(shape, session, slug: str, n: int):
    """The answer to guest n's comment on the episode (a redirect, not followed)."""
    episode = f"{shape.base}/episodes/{slug}/"
    page = session.get(episode, timeout=10)
    return session.post(
        f"{episode}comments/",
        data=filled(
            form_with(page.text, "body"),
            name=f"Guest {n}",
            email=f"guest{n}@example.com",
            body=f"Guest comment number {n}.",
        ),
        headers={"Referer": episode, "Origin": shape.base},
        allow_redirects=False,
        timeout=10,
    )


@pytest.fixture(scope="module")
def six_comments_from_one_address(shape, episode_slug) -> list[int]:
    """The status of each of six guest comments from 127.0.0.2. The limit's windows are
    fixed, so the six must not straddle the end of one: a window ending mid-way would let
    the sixth through, rightly."""
    window_left = rate_window_seconds_left("127.0.0.2", period=PERIOD)
    if window_left < 30:
        time.sleep(window_left + 1)
    first = visitor("127.0.0.2", shape.cert)
    return [guest_comment(shape, first, episode_slug, n).status_code for n in range(6)]


def test_the_sixth_comment_from_one_address_is_limited_429(six_comments_from_one_address):
    assert six_comments_from_one_address == [302] * 5 + [429]


def test_another_address_is_not_limited(shape, episode_slug, six_comments_from_one_address):
    other = guest_comment(shape, visitor("127.0.0.3", shape.cert), episode_slug, 99)

    assert other.status_code == 302
