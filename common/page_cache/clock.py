"""The content clock: when public content changes with nothing saved.

An episode scheduled for Sunday at seven goes live at seven by the clock alone: no save
moves a generation (generations.py), yet the home page, the lists and the feeds change.
So the page cache asks whoever knows such moments two things: how many seconds until the
next one (no page is kept past it), and when what is kept under a generation last changed
(the pages' Last-Modified: the generation's own moment, or a later moment passed since).

Only episodes knows its release moments, and common/ may not import an app (the import
layers in pyproject.toml). So episodes hands its two functions over when the apps are
ready (episodes/apps.py), as the apps hand what they know down to the layers below them
elsewhere. Until a clock is registered, content changes only when something is saved.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass


def _none_waiting(*, generation: int) -> int | None:
    return None


def generation_changed_at(*, generation: int) -> dt.datetime:
    """The moment of the change that started `generation` (a generation is that moment in
    nanoseconds since the epoch: generations.py)."""
    return dt.datetime.fromtimestamp(generation / 1e9, tz=dt.UTC)


@dataclass(frozen=True)
class ContentClock:
    # (generation=) → seconds until content next changes by the clock, None if nothing waits.
    seconds_to_next_change: Callable[..., int | None]
    # (generation=) → when what is kept under that generation last changed (aware datetime).
    changed_at: Callable[..., dt.datetime]


_SAVES_ONLY = ContentClock(seconds_to_next_change=_none_waiting, changed_at=generation_changed_at)
_registered: dict[str, ContentClock] = {}


def register_content_clock(
    *,
    seconds_to_next_change: Callable[..., int | None],
    changed_at: Callable[..., dt.datetime],
) -> None:
    """Tell the page cache when content changes with nothing saved; registering again
    replaces the clock."""
    _registered["clock"] = ContentClock(
        seconds_to_next_change=seconds_to_next_change, changed_at=changed_at
    )


def content_clock() -> ContentClock:
    """The registered clock, or one by which content changes only when something is saved."""
    return _registered.get("clock", _SAVES_ONLY)
