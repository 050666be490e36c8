"""Running the site: health checks, the heartbeat, the staff status page, logs, Sentry."""

import json
import logging
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis

from backinshape.logging import (
    RequestIdFilter,
    celery_headers_add_request_id,
    request_id_var,
    sentry_before_send,
)
from backinshape.tasks import heartbeat
from common import health
from episodes.models import ReleaseDelivery, ReleaseMailing
from staff import status as status_page
from tests.conftest import CELERY_BROKER_URL, _broker_reachable, require_service
from tests.factories import EpisodeFactory

ROOT = Path(__file__).resolve().parent.parent


def _unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- /healthz ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_reports_database_cache_and_an_eager_broker(visitor, settings):
    settings.CELERY_BROKER_URL = ""
    response = visitor.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "broker": "eager"},
    }


@pytest.mark.django_db
def test_healthz_is_503_when_the_broker_is_unreachable(visitor, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{_unused_port()}/0"
    started = time.monotonic()
    response = visitor.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == "unreachable"
    assert time.monotonic() - started < 5  # a short timeout: the balancer is waiting


@pytest.mark.django_db
def test_healthz_is_503_when_the_cache_is_unreachable(visitor, monkeypatch, settings):
    settings.CELERY_BROKER_URL = ""

    def broken_set(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(health.cache, "set", broken_set)
    response = visitor.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"] == {
        "database": "ok",
        "cache": "unreachable",
        "broker": "eager",
    }


@pytest.fixture
def broker_up(settings, monkeypatch):
    """A broker is configured and answers (the connection itself is tested above)."""
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/15"
    monkeypatch.setattr(health, "_check_broker", lambda: health.OK)


@pytest.mark.django_db
def test_deep_healthz_is_503_before_any_heartbeat(visitor, broker_up):
    response = visitor.get("/healthz?deep=1")
    assert response.status_code == 503
    assert response.json()["checks"]["heartbeat"] == "missing"


@pytest.mark.django_db
def test_deep_healthz_is_503_when_the_heartbeat_is_stale(visitor, broker_up):
    health.heartbeat_record(now=time.time() - health.HEARTBEAT_STALE_SECONDS - 5)
    response = visitor.get("/healthz?deep=1")
    assert response.status_code == 503
    assert response.json()["checks"]["heartbeat"] == "stale"


@pytest.mark.django_db
def test_deep_healthz_is_ok_with_a_fresh_heartbeat(visitor, broker_up):
    health.heartbeat_record(now=time.time() - 30)
    response = visitor.get("/healthz?deep=1")
    assert response.status_code == 200
    assert response.json()["checks"]["heartbeat"] == "ok"


@pytest.mark.django_db
def test_plain_healthz_ignores_the_heartbeat(visitor, broker_up):
    response = visitor.get("/healthz")
    assert response.status_code == 200
    assert "heartbeat" not in response.json()["checks"]


def test_beat_runs_the_heartbeat_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["heartbeat"]
    assert entry == {"task": "backinshape.tasks.heartbeat", "schedule": 60.0}


def test_heartbeat_task_records_the_time():
    assert health.heartbeat_age() is None
    heartbeat.delay()
    assert health.heartbeat_age() < 5


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_heartbeat(celery_worker, visitor, settings):
    settings.CELERY_BROKER_URL = CELERY_BROKER_URL
    heartbeat.apply_async(queue="backinshape-tests")
    deadline = time.monotonic() + 10
    while health.heartbeat_age() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    response = visitor.get("/healthz?deep=1")
    assert response.json()["checks"] == {
        "database": "ok",
        "cache": "ok",
        "broker": "ok",
        "heartbeat": "ok",
    }
    assert response.status_code == 200


# --- The staff status page ------------------------------------------------------------------


@pytest.mark.django_db
def test_status_page_is_for_staff_only(client, free_member):
    for signed_in in (False, True):
        if signed_in:
            client.force_login(free_member)
        response = client.get("/admin/status/")
        assert response.status_code == 302, signed_in
        assert response["Location"] == "/admin/login/?next=/admin/status/", signed_in


@pytest.mark.django_db
def test_status_page_shows_heartbeat_last_sunday_run_and_queue(client, staff, monkeypatch):
    older = ReleaseMailing.objects.create(episode=EpisodeFactory(title="An older one"))
    ReleaseDelivery.objects.create(mailing=older, email="old@example.com")
    mailing = ReleaseMailing.objects.create(episode=EpisodeFactory(title="Sitting, reconsidered"))
    for n, status in enumerate(["sent", "sent", "sent", "pending", "failed"]):
        ReleaseDelivery.objects.create(mailing=mailing, email=f"r{n}@example.com", status=status)
    health.heartbeat_record(now=time.time() - 42)
    monkeypatch.setattr(status_page, "broker_queue_length", lambda: 17)
    monkeypatch.setattr(health.settings, "CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")

    client.force_login(staff)
    response = client.get("/admin/status/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "42 seconds ago" in page
    assert "Sitting, reconsidered" in page
    assert "An older one" not in page
    assert "3 of 5 sent, 1 failed" in page
    assert '<td id="status-queue">17</td>' in page
    for label, count in [("Sent", 3), ("Waiting", 1), ("Failed", 1)]:
        assert f'<th scope="row">{label}</th><td>{count}</td>' in page


@pytest.mark.django_db
def test_status_page_says_when_nothing_has_run(client, staff, settings):
    settings.CELERY_BROKER_URL = ""
    client.force_login(staff)
    page = client.get("/admin/status/").content.decode()
    assert "No Sunday email has gone out yet." in page
    assert "no heartbeat" in page


@pytest.mark.services
def test_queue_length_is_the_length_of_the_default_queue(settings):
    require_service(_broker_reachable(), "a Redis broker in CELERY_BROKER_URL")

    settings.CELERY_BROKER_URL = CELERY_BROKER_URL
    settings.CELERY_TASK_DEFAULT_QUEUE = "backinshape-tests-length"
    client = redis.Redis.from_url(CELERY_BROKER_URL)
    client.delete("backinshape-tests-length")
    try:
        client.rpush("backinshape-tests-length", "a", "b", "c")
        assert health.broker_queue_length() == 3
    finally:
        client.delete("backinshape-tests-length")


# --- Request ids and logs -------------------------------------------------------------------


@pytest.mark.django_db
def test_a_sane_incoming_request_id_is_echoed(visitor):
    response = visitor.get("/healthz", headers={"X-Request-ID": "abc123def456-nginx"})
    assert response["X-Request-ID"] == "abc123def456-nginx"


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["short", "has spaces in it ok", "x" * 200, "evil\u00e9chars-123"])
def test_an_odd_incoming_request_id_is_replaced(visitor, bad):
    response = visitor.get("/healthz", headers={"X-Request-ID": bad})
    assert response["X-Request-ID"] != bad
    assert len(response["X-Request-ID"]) == 32


@pytest.mark.django_db
def test_each_request_without_an_id_gets_its_own(visitor):
    first = visitor.get("/healthz")["X-Request-ID"]
    second = visitor.get("/healthz")["X-Request-ID"]
    assert first != second


def test_log_records_carry_the_current_request_id():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)
    token = request_id_var.set("req-0123456789")
    try:
        RequestIdFilter().filter(record)
    finally:
        request_id_var.reset(token)
    assert record.request_id == "req-0123456789"


def test_a_task_enqueued_during_a_request_carries_its_id():
    headers: dict = {}
    token = request_id_var.set("req-0123456789")
    try:
        celery_headers_add_request_id(headers=headers)
    finally:
        request_id_var.reset(token)
    assert headers["request_id"] == "req-0123456789"


def _production(**env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SENTRY_"))}
    return {
        **clean,
        "DJANGO_SETTINGS_MODULE": "backinshape.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "x" * 60,
        **env,
    }


def test_worker_and_beat_log_one_json_object_per_line_in_production():
    # What `celery worker`/`celery beat` do at start-up: send setup_logging, then log.
    code = (
        "import django; django.setup()\n"
        "from backinshape.celery import app\n"
        "from celery import signals\n"
        "signals.setup_logging.send(sender=None, loglevel='INFO', logfile=None,"
        " format='', colorize=False)\n"
        "from backinshape.logging import request_id_var\n"
        "request_id_var.set('task-0123456789')\n"
        "import logging; logging.getLogger('celery.worker').warning('Sunday email %s', 'sent')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=_production(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    record = json.loads(lines[-1])
    assert record["message"] == "Sunday email sent"
    assert record["level"] == "WARNING"
    assert record["name"] == "celery.worker"
    assert record["request_id"] == "task-0123456789"


# --- Sentry ---------------------------------------------------------------------------------


def test_sentry_never_receives_a_private_token():
    event = {
        "request": {
            "url": "https://backinshape.example/unsubscribe/s3cr3t-token/",
            "headers": {"Referer": "https://backinshape.example/feeds/private/abcDEF123/"},
        },
        "transaction": "/feeds/private/abcDEF123/",
        "breadcrumbs": {"values": [{"message": "GET /unsubscribe/s3cr3t-token/?x=1"}]},
    }
    scrubbed = json.dumps(sentry_before_send(event, {}))
    assert "s3cr3t-token" not in scrubbed
    assert "abcDEF123" not in scrubbed
    assert "/unsubscribe/[Filtered]/" in scrubbed
    assert "/feeds/private/[Filtered]/" in scrubbed


def test_sentry_is_set_up_from_sentry_dsn_without_personal_data():
    code = (
        "import django; django.setup()\n"
        "import sentry_sdk\n"
        "client = sentry_sdk.get_client()\n"
        "print(client.is_active(), client.options['send_default_pii'],"
        " client.options['before_send'].__name__,"
        " {'celery', 'django'} <= set(client.integrations))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=_production(SENTRY_DSN="https://public@sentry.example/1"),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "False", "sentry_before_send", "True"]
