"""The content generations: the numbers every cached public page and fragment is stored under.

Anonymous pages (home, lists, episode pages, topics, the Program overview, feeds, the
sitemap) are kept whole in Django's cache by AnonymousPageCacheMiddleware (middleware.py),
and an episode page's parts are kept as fragments. Working out which of those pages one
edit touches (a new comment changes the episode page; a topic rename changes every card
on every list) is error-prone, so we do not try: any change to public content bumps a
generation, and every entry stored under an older one is simply never read again (the
cache evicts it in its own time). Simple, and always correct.

Besides that one, two narrower generations let a change forget only what it touches,
because most fragments show either comments or the rest, not both:
- the content generation, bumped by every change: whole pages are kept under it;
- the comments generation, bumped by every change to a comment or to what comments show
  (a commenter's name): the comment lists are kept under it;
- the catalogue generation, bumped by every change to anything else public (episodes,
  topics, the Program, the show, the plans): the fragments that show no comment (an
  episode with its topics and routines, the previous/next/related block, the Listen
  links, the join offer) are kept under it.
So approving a comment on a Sunday morning rebuilds the pages around the cached episode
and its links, and editing an episode rebuilds them around its cached comment list.

`comments_changed()` and `catalogue_changed()` bump the content generation and their
own; `content_changed()` bumps all three. They are called by the services that change
content and by the signal receivers of invalidation.py, whose table says which model's
changes call which (for admin saves and deletes). When unsure, `content_changed()`.

A generation is the moment of its bump (nanoseconds since the epoch), read from the
shared cache by every process alike, so it doubles as the time the content last
changed: the pages' Last-Modified.
"""

import math
import time
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.cache import cache
from django.db import transaction

GENERATION_KEY = "page-cache:generation"
COMMENTS_KEY = "page-cache:comments"
CATALOGUE_KEY = "page-cache:catalogue"
_GENERATION_KEYS = (GENERATION_KEY, COMMENTS_KEY, CATALOGUE_KEY)

# Within one request the generation is read once (a page asks for it for each of its
# fragments); outside a request (a worker, the shell) it is read every time.
_request_memo: ContextVar[dict | None] = ContextVar("page_cache_generation", default=None)


@contextmanager
def generation_read_once():
    """For the length of one request, remember the generation after its first read."""
    token = _request_memo.set({})
    try:
        yield
    finally:
        _request_memo.reset(token)


def request_memo() -> dict | None:
    """A dict that lives as long as the current request (None outside one), for values a
    page would otherwise fetch from the cache once per fragment."""
    return _request_memo.get()


def cache_prefetch(keys) -> None:
    """Read these cache keys in one round trip, for the cache_get() calls of this request
    that follow (a page reads several fragments; each read is otherwise a round trip).
    Outside a request it does nothing."""
    memo = _request_memo.get()
    keys = [key for key in keys if key]
    if memo is None or not keys:
        return
    found = cache.get_many(keys)
    memo.setdefault("prefetched", {}).update({key: found.get(key) for key in keys})


def cache_get(key: str):
    """cache.get(key), answered from this request's prefetch when it holds the key. Each
    prefetched value is used once, so a read after this request stored the key is fresh."""
    memo = _request_memo.get()
    prefetched = memo.get("prefetched") if memo is not None else None
    if prefetched and key in prefetched:
        return prefetched.pop(key)
    return cache.get(key)


def _new_generation() -> int:
    # A timestamp rather than a counter: if the cache ever loses the key, a fresh value can
    # never coincide with the generation that older entries were stored under.
    return time.time_ns()


def last_modified_time(changed_at: float) -> int | None:
    """A Last-Modified time (whole seconds since the epoch) for content that last changed
    at `changed_at`, or None while that second lasts.

    Rounded up, so the date is never before the change. Within that second a second
    change would carry the same date, and If-Modified-Since would answer 304 for a page
    that has changed since: a modification date only validates a representation obtained
    at least one second after it (RFC 9110, section 8.8.2.2). The ETag covers that second.
    """
    seconds = math.ceil(changed_at)
    return seconds if time.time() >= seconds else None


def _generations(found: dict | None = None) -> dict:
    """The three generations, read together (one round trip), creating any the cache lacks
    (first run, eviction). Within a request they are read once; `found` is a get_many
    answer that already holds them (the page cache reads them with the page)."""
    memo = _request_memo.get()
    if memo is not None and "generations" in memo:
        return memo["generations"]
    if found is None or any(found.get(key) is None for key in _GENERATION_KEYS):
        found = cache.get_many(_GENERATION_KEYS)
    generations = {key: found.get(key) for key in _GENERATION_KEYS}
    for key, value in generations.items():
        if value is None:
            cache.add(key, _new_generation(), timeout=None)
            generations[key] = cache.get(key)
    if memo is not None:
        memo["generations"] = generations
    return generations


def comments_generation() -> int:
    """The generation the comment lists are kept under."""
    return _generations()[COMMENTS_KEY]


def catalogue_generation() -> int:
    """The generation the fragments that show no comment are kept under."""
    return _generations()[CATALOGUE_KEY]


def cache_get_with_generations(key: str) -> tuple[int, object]:
    """The content generation and the entry at `key`, in one round trip."""
    found = cache.get_many([*_GENERATION_KEYS, key])
    return _generations(found)[GENERATION_KEY], found.get(key)


def _bumper(keys: tuple[str, ...]):
    def bump() -> None:
        value = _new_generation()
        cache.set_many(dict.fromkeys(keys, value), timeout=None)
        memo = _request_memo.get()
        if memo is not None:
            memo.pop("generations", None)

    return bump


_bump_all = _bumper(_GENERATION_KEYS)
_bump_comments = _bumper((GENERATION_KEY, COMMENTS_KEY))
_bump_catalogue = _bumper((GENERATION_KEY, CATALOGUE_KEY))


def content_changed() -> None:
    """Forget every cached public page and fragment: the next anonymous request renders
    afresh.

    Bumped now, and again once the surrounding transaction commits: a request that reads
    the database between the two (and so still sees the old rows) would otherwise store
    its stale page under the new generation.
    """
    _bump_all()
    transaction.on_commit(_bump_all)


def comments_changed() -> None:
    """Forget every cached public page and comment list, keeping the fragments that show
    no comment (see the module's docstring). Bumped twice, as content_changed() is."""
    _bump_comments()
    transaction.on_commit(_bump_comments)


def catalogue_changed() -> None:
    """Forget every cached public page and every fragment that shows no comment, keeping
    the comment lists (see the module's docstring). Bumped twice, as content_changed() is."""
    _bump_catalogue()
    transaction.on_commit(_bump_catalogue)
