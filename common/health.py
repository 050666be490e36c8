"""What the load balancer (/healthz) and staff (the status page, staff/status.py) ask
about the running site: is each service there, and are the background parts (celery beat
and at least one worker) alive?

Beat schedules `backinshape.tasks.heartbeat` every minute; a worker runs it and writes the
time into the cache. A fresh heartbeat therefore proves beat, the broker and a worker all
work, which no single ping can.
"""

import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from kombu import Connection

logger = logging.getLogger(__name__)

HEARTBEAT_KEY = "operations:heartbeat"
# Beat runs the heartbeat every minute: three missed beats is a real outage, not a blip.
HEARTBEAT_STALE_SECONDS = 180
BROKER_TIMEOUT_SECONDS = 2.0

OK, EAGER = "ok", "eager"


def heartbeat_record(*, now: float | None = None) -> None:
    cache.set(HEARTBEAT_KEY, time.time() if now is None else now, timeout=None)


def heartbeat_age() -> float | None:
    """Seconds since a worker last ran the heartbeat, or None if it never has."""
    beat = cache.get(HEARTBEAT_KEY)
    return None if beat is None else max(0.0, time.time() - beat)


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("Health check: the database is unreachable")
        return "unreachable"
    return OK


def _check_cache() -> str:
    try:
        token = str(time.time())
        cache.set("operations:healthz", token, timeout=30)
        if cache.get("operations:healthz") != token:
            return "unreachable"
    except Exception:
        logger.exception("Health check: the cache is unreachable")
        return "unreachable"
    return OK


def _broker_connection():

    return Connection(settings.CELERY_BROKER_URL, connect_timeout=BROKER_TIMEOUT_SECONDS)


def _check_broker() -> str:
    if not settings.CELERY_BROKER_URL:
        return EAGER  # tasks run in the web process: there is no broker to be down
    try:
        with _broker_connection() as conn:
            conn.ensure_connection(max_retries=0, timeout=BROKER_TIMEOUT_SECONDS)
    except Exception:
        logger.exception("Health check: the broker is unreachable")
        return "unreachable"
    return OK


def _check_heartbeat() -> str:
    if not settings.CELERY_BROKER_URL:
        return EAGER
    age = heartbeat_age()
    if age is None:
        return "missing"
    return OK if age <= HEARTBEAT_STALE_SECONDS else "stale"


def health_checks(*, deep: bool = False) -> dict[str, str]:
    """Each service's state: "ok", "eager" (no broker, by design) or what is wrong."""
    checks = {"database": _check_database(), "cache": _check_cache(), "broker": _check_broker()}
    if deep:
        checks["heartbeat"] = _check_heartbeat()
    return checks


def health_is_good(checks: dict[str, str]) -> bool:
    return all(value in (OK, EAGER) for value in checks.values())


def broker_queue_length() -> int | None:
    """Tasks waiting in the default queue (Redis: LLEN of the list), None if unknown."""
    if not settings.CELERY_BROKER_URL:
        return None
    try:
        with _broker_connection() as conn:
            conn.ensure_connection(max_retries=0, timeout=BROKER_TIMEOUT_SECONDS)
            client = getattr(conn.default_channel, "client", None)
            if client is not None and hasattr(client, "llen"):
                return int(client.llen(settings.CELERY_TASK_DEFAULT_QUEUE))
            declared = conn.default_channel.queue_declare(
                queue=settings.CELERY_TASK_DEFAULT_QUEUE, passive=True
            )
            return int(declared.message_count)
    except Exception:
        logger.exception("Status: could not read the broker's queue length")
        return None
