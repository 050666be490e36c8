from django.apps import AppConfig

from .invalidation import invalidation_connect


class PageCacheConfig(AppConfig):
    """The page cache as an app only to connect its invalidation table once the models are
    loaded (invalidation.py); it has no models of its own."""

    name = "common.page_cache"
    label = "page_cache"
    verbose_name = "Page cache"

    def ready(self):
        invalidation_connect()
