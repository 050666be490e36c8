"""System checks for what Django's own cannot know about this site.

Run by `manage.py check --deploy` (and so by `make lint`, through scripts/check_deploy.py);
the one on the cache also stops the site from starting (backinshape/wsgi.py), since
gunicorn runs no check of its own.
"""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

# Caches that are not shared between processes: each process has its own, or none at all.
_NOT_SHARED = {
    "django.core.cache.backends.locmem.LocMemCache": "keeps its entries in each process's memory",
    "django.core.cache.backends.dummy.DummyCache": "keeps nothing",
}


@checks.register(checks.Tags.caches, deploy=True)
def shared_cache_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """In production, every process must use one cache, unless there is only one process.

    The page-cache generations (common/page_cache/generations.py), the rate-limit counters
    and the cached sessions all live in the cache. A cache per process means a change staff
    make forgets the cached pages of one gunicorn worker only (the others go on serving,
    say, a paragraph just moved behind the members-only divider), every rate limit is
    multiplied by the number of workers, and a session signed out in one worker stays
    signed in in the others. With DEBUG on (`make run`, the tests) there is one process.
    """
    if settings.DEBUG:
        return []
    backend = settings.CACHES["default"]["BACKEND"]
    if backend == "django.core.cache.backends.filebased.FileBasedCache":
        return [
            checks.Warning(
                "The cache is in files (CACHE_DIR): every process of this machine shares it, "
                "but another machine would not, and its rate-limit counts are not atomic.",
                hint="In production set REDIS_URL to a Redis every process shares.",
                id="backinshape.W001",
            )
        ]
    if backend not in _NOT_SHARED:
        return []
    if settings.WEB_CONCURRENCY == 1 and not settings.CELERY_BROKER_URL:
        return []  # the operator says so: one gunicorn worker, and tasks run inside it
    if settings.WEB_CONCURRENCY == 1:
        processes = "the Celery worker (CELERY_BROKER_URL is set) is a process of its own"
    elif settings.WEB_CONCURRENCY:
        processes = f"gunicorn runs {settings.WEB_CONCURRENCY} workers (WEB_CONCURRENCY)"
    else:
        processes = "gunicorn runs two workers per core plus one (WEB_CONCURRENCY is not set)"
    return [
        checks.Error(
            f"The cache ({backend}) {_NOT_SHARED[backend]}, and {processes}: each process "
            "would keep its own cached pages, rate limits and sessions, so a change would "
            "not show everywhere. Set REDIS_URL to a Redis every process shares.",
            hint=(
                "For example REDIS_URL=redis://127.0.0.1:6379/1. Only a site served by one "
                "process may do without: WEB_CONCURRENCY=1 and no CELERY_BROKER_URL."
            ),
            id="backinshape.E001",
        )
    ]


def refuse_to_serve_without_a_shared_cache() -> None:
    """Stop a web process from starting when shared_cache_check finds an error."""
    for error in shared_cache_check():
        raise ImproperlyConfigured(f"{error.msg} {error.hint} ({error.id})")
