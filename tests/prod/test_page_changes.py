"""Staff add a paragraph to an episode in the admin, then move it behind the members-only
divider and back: each change shows through nginx's micro-cache within
CHANGE_SHOWS_WITHIN seconds, for a visitor reading all along and for the first one after a
quiet spell. Nothing purges that cache: its copy simply expires (PAGE_CACHE_CONTROL).

Each step starts from the one before, so each is a fixture taking the previous one."""

import html
import re
import secrets
import time
from dataclasses import dataclass

import pytest

from episodes.rendering import MEMBERS_ONLY_DIVIDER_TEXT as DIVIDER
from tests.prod.browsing import filled, form_with, visitor
from tests.prod.conftest import TIMINGS

pytestmark = pytest.mark.prod

CHANGE_SHOWS_WITHIN = 10.0  # seconds: PAGE_CACHE_CONTROL's s-maxage and stale window


@dataclass
class Change:
    """One save in the admin, and what a reader saw of it through nginx."""

    cached_before: str  # X-Proxy-Cache on the last read before the save
    as_it_was: bool  # that read showed the page as it was before the save
    saved: bool
    took: float | None  # seconds from the save until the change showed; None if it didn't

    @property
    def problem(self) -> str:
        if not (self.cached_before == "HIT" and self.as_it_was):
            return f"nginx's copy before the save was not the page as it was ({self.cached_before})"
        if not self.saved:
            return "the admin refused the save"
        return f"not yet after {CHANGE_SHOWS_WITHIN:.0f} s"

    @property
    def shown_in_time(self) -> bool:
        return self.cached_before == "HIT" and self.as_it_was and self.took is not None


class PageEditor:
    """Staff moving one paragraph about in an episode, and a reader watching the page."""

    def __init__(self, *, staff, reader, change_url: str, page_url: str):
        self.staff, self.reader = staff, reader
        self.change_url, self.page_url = change_url, page_url
        self.paragraph = f"Prod-check paragraph {secrets.token_hex(4)}: stand tall and breathe out."

    def public_page(self) -> str:
        return html.unescape(self.reader.get(self.page_url, timeout=10).text)

    def shows(self, *, public: bool) -> bool:
        """The page as a reader gets it now shows the paragraph (public), or doesn't."""
        return (self.paragraph in self.public_page()) is public

    def body_with_paragraph(self, body: str, *, public: bool) -> str:
        """The body with the paragraph just before the divider, or just after it."""
        before, _, after = (self._blocks(part) for part in body.partition(DIVIDER))
        if public:
            return "\n\n".join([*before, self.paragraph, *([DIVIDER, *after] if after else [])])
        return "\n\n".join([*before, DIVIDER, self.paragraph, *after])

    def _blocks(self, text: str) -> list[str]:
        found = (block.strip() for block in re.split(r"\n\s*\n", text))
        return [block for block in found if block and block != self.paragraph]

    def save(self, *, public: bool) -> float | None:
        """Save the episode in the admin with the paragraph placed; the moment the save was
        answered, or None if the admin refused it."""
        page = self.staff.get(self.change_url, timeout=10)
        form = form_with(page.text, "title")
        body = dict(form["fields"])["body"].replace("\r\n", "\n")
        saved = self.staff.post(
            self.change_url,
            data=filled(form, body=self.body_with_paragraph(body, public=public), _save="Save"),
            headers={"Referer": self.change_url},
            allow_redirects=False,
            timeout=30,
        )
        return time.monotonic() if saved.status_code == 302 else None

    def place(self, *, public: bool, quiet: bool = False) -> Change:
        """Read the page until nginx holds it, save the change, then poll four times a
        second until it shows, or (`quiet`) send no request at all until the first
        visitor's, once nginx's copy can no longer be fresh."""
        for _ in range(2):
            before = self.reader.get(self.page_url, timeout=10)
        saved_at = self.save(public=public)
        took = None
        if saved_at is not None and quiet:
            time.sleep(max(0.0, saved_at + CHANGE_SHOWS_WITHIN + 1 - time.monotonic()))
            took = time.monotonic() - saved_at if self.shows(public=public) else None
        elif saved_at is not None:
            while time.monotonic() - saved_at <= CHANGE_SHOWS_WITHIN:
                if self.shows(public=public):
                    took = time.monotonic() - saved_at
                    break
                time.sleep(0.25)
        return Change(
            cached_before=before.headers.get("X-Proxy-Cache", "none"),
            as_it_was=(self.paragraph in html.unescape(before.text)) is not public,
            saved=saved_at is not None,
            took=took,
        )


@pytest.fixture(scope="module")
def page_reader(shape):
    """Reads the episode all along, without an account."""
    return visitor("127.0.0.1", shape.cert)


@pytest.fixture(scope="module")
def editor(shape, admin, page_reader, published_episode_change_url, published_episode_slug):
    return PageEditor(
        staff=admin,
        reader=page_reader,
        change_url=published_episode_change_url,
        page_url=f"{shape.base}/episodes/{published_episode_slug}/",
    )


@pytest.fixture(scope="module")
def paragraph_added(editor) -> Change:
    return editor.place(public=True)


@pytest.fixture(scope="module")
def paragraph_moved_behind(editor, paragraph_added) -> Change:
    return editor.place(public=False)


@pytest.fixture(scope="module")
def paragraph_moved_back_out(editor, paragraph_moved_behind) -> Change:
    return editor.place(public=True)


@pytest.fixture(scope="module")
def paragraph_moved_behind_after_quiet(editor, paragraph_moved_back_out) -> Change:
    return editor.place(public=False, quiet=True)


def shown_after(change: Change, record_property) -> None:
    record_property(TIMINGS, f"{change.took:.1f} s")


def test_a_new_paragraph_shows_through_nginx_within_10_s(paragraph_added, record_property):
    assert paragraph_added.shown_in_time, paragraph_added.problem
    shown_after(paragraph_added, record_property)


def test_a_paragraph_moved_behind_the_divider_is_gone_through_nginx_within_10_s(
    paragraph_moved_behind, record_property
):
    assert paragraph_moved_behind.shown_in_time, paragraph_moved_behind.problem
    shown_after(paragraph_moved_behind, record_property)


def test_a_paragraph_moved_back_out_shows_through_nginx_within_10_s(
    paragraph_moved_back_out, record_property
):
    assert paragraph_moved_back_out.shown_in_time, paragraph_moved_back_out.problem
    shown_after(paragraph_moved_back_out, record_property)


def test_after_a_quiet_spell_a_paragraph_moved_behind_the_divider_is_gone_through_nginx_within_10_s(
    paragraph_moved_behind_after_quiet,
):
    assert paragraph_moved_behind_after_quiet.shown_in_time, (
        paragraph_moved_behind_after_quiet.problem
    )


def test_a_browser_revalidating_an_unchanged_page_gets_304(editor):
    """A visitor's browser asks again each time (max-age=0) and gets a 304 while unchanged."""
    first = editor.reader.get(editor.page_url, timeout=10)
    again = editor.reader.get(
        editor.page_url, headers={"If-None-Match": first.headers.get("ETag", "")}, timeout=10
    )

    assert "max-age=0" in first.headers.get("Cache-Control", ""), first.headers
    assert again.status_code == 304
