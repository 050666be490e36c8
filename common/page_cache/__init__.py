"""The page cache: public pages kept whole for visitors without an account, and the
fragments of pages kept for everyone.

- generations.py: the generations every entry is kept under, and the functions that
  bump them (what "forget" means here), with the per-request memo of cache reads;
- clock.py: the content clock, when content changes with nothing saved (a release);
- invalidation.py: which model's changes forget what, in one table, connected to the
  models' signals when the apps are ready (apps.py);
- middleware.py: AnonymousPageCacheMiddleware and PrivateCacheMiddleware.

What the apps use is imported from here; the middleware is named in MIDDLEWARE.
"""

from .clock import register_content_clock
from .generations import (
    CATALOGUE_KEY,
    COMMENTS_KEY,
    GENERATION_KEY,
    cache_get,
    cache_get_with_generations,
    cache_prefetch,
    catalogue_changed,
    catalogue_generation,
    comments_changed,
    comments_generation,
    content_changed,
    generation_read_once,
    last_modified_time,
    request_memo,
)

__all__ = [
    "CATALOGUE_KEY",
    "COMMENTS_KEY",
    "GENERATION_KEY",
    "cache_get",
    "cache_get_with_generations",
    "cache_prefetch",
    "catalogue_changed",
    "catalogue_generation",
    "comments_changed",
    "comments_generation",
    "content_changed",
    "generation_read_once",
    "last_modified_time",
    "register_content_clock",
    "request_memo",
]
