"""The content generation: one number that every cached public page is stored under.

Anonymous pages (home, lists, episode pages, topics, the Program overview, feeds, the
sitemap) are kept whole in Django's cache by `backinshape.middleware.AnonymousPageCacheMiddleware`,
and the comment threads of an episode page are kept as a fragment. Working out which of
those pages one edit touches (a new comment changes the episode page; a topic rename
changes every card on every list) is error-prone, so we do not try: any change to public
content bumps the generation, and every entry stored under an older generation is simply
never read again (the cache evicts it in its own time). Simple, and always correct.

`content_changed()` is called by the services that change content and by the signal
receivers in each app's `receivers.py` (for admin saves and deletes).
"""

import time
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.cache import cache
from django.db import transaction

GENERATION_KEY = "page-cache:generation"

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


def content_generation() -> int:
    """The current generation, creating one if the cache has none (first run, eviction)."""
    memo = _request_memo.get()
    if memo is not None and "generation" in memo:
        return memo["generation"]
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, _new_generation(), timeout=None)
        generation = cache.get(GENERATION_KEY)
    if memo is not None:
        memo["generation"] = generation
    return generation


def _bump() -> None:
    cache.set(GENERATION_KEY, _new_generation(), timeout=None)
    memo = _request_memo.get()
    if memo is not None:
        memo.pop("generation", None)


def content_changed() -> None:
    """Forget every cached public page: the next anonymous request renders afresh.

    Bumped now, and again once the surrounding transaction commits: a request that reads
    the database between the two (and so still sees the old rows) would otherwise store
    its stale page under the new generation.
    """
    _bump()
    transaction.on_commit(_bump)
