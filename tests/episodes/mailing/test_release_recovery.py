"""A worker killed mid-release: the Sunday email finishes by itself, nobody is lost.

Unit tests for the parts (a stale claim is taken again, the sweep finds an idle mailing),
then the real thing: a Celery worker as a subprocess on the Redis broker and PostgreSQL,
killed with SIGKILL half-way through, and a second worker with beat that finishes it.
"""

import datetime as dt
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from celery import Celery
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from episodes.mailing import (
    MailServerUnavailable,
    release_deliveries_send,
    release_mailing_prepare,
    release_send,
)
from episodes.mailing.selectors import release_mailings_stalled
from episodes.models import ReleaseDelivery, ReleaseMailing
from episodes.tasks import release_mailings_resume
from tests.conftest import CELERY_BROKER_URL, _broker_reachable, require_service
from tests.factories import EpisodeFactory, SubscriberFactory

ROOT = Path(__file__).resolve().parents[3]


def _long_ago():
    return timezone.now() - dt.timedelta(minutes=10)


@pytest.mark.django_db
def test_a_dead_workers_claim_is_taken_again_once_stale(smtp_sink, premium_episode):
    SubscriberFactory(email="claimed.by.the.dead@example.com")
    mailing = release_mailing_prepare(episode=premium_episode)
    mailing.deliveries.update(claimed_at=_long_ago(), claimed_by="killed-worker")

    assert release_deliveries_send(mailing=mailing) == 1
    assert smtp_sink.recipients == ["claimed.by.the.dead@example.com"]


@pytest.mark.django_db
def test_the_sweep_resumes_a_mailing_nobody_is_working_on(
    smtp_sink, premium_episode, django_capture_on_commit_callbacks
):
    SubscriberFactory.create_batch(3)
    mailing = release_mailing_prepare(episode=premium_episode)
    first = mailing.deliveries.order_by("pk").first()
    mailing.deliveries.filter(pk=first.pk).update(
        status=ReleaseDelivery.Status.SENT, claimed_at=_long_ago()
    )
    mailing.deliveries.exclude(pk=first.pk).update(claimed_at=_long_ago(), claimed_by="killed")
    ReleaseMailing.objects.filter(pk=mailing.pk).update(active_at=_long_ago())

    with django_capture_on_commit_callbacks(execute=True):
        assert release_mailings_resume.delay().get() == 1

    assert len(smtp_sink.messages) == 2
    assert first.email not in smtp_sink.recipients
    assert ReleaseMailing.objects.get(pk=mailing.pk).completed_at is not None


@pytest.mark.django_db
def test_the_sweep_leaves_a_mailing_that_is_moving_alone(smtp_sink, premium_episode):
    SubscriberFactory.create_batch(3)
    mailing = release_mailing_prepare(episode=premium_episode)
    ReleaseMailing.objects.filter(pk=mailing.pk).update(active_at=timezone.now())

    assert release_mailings_resume.delay().get() == 0
    assert smtp_sink.messages == []


@pytest.mark.django_db
def test_the_sweep_waits_for_a_chunk_that_is_retrying_a_failed_server(smtp_sink, premium_episode):
    SubscriberFactory.create_batch(2)
    smtp_sink.fail_first(1, "421 4.3.2 Shutting down", stage="data")
    with pytest.raises(MailServerUnavailable):
        release_send(episode=premium_episode)

    assert ReleaseDelivery.objects.exclude(claimed_by="").count() == 0  # claims released
    assert release_mailings_stalled() == []  # the task's retry is coming


def test_a_killed_worker_task_goes_back_to_the_queue_soon(settings):
    assert settings.CELERY_TASK_ACKS_LATE is True
    assert settings.CELERY_TASK_REJECT_ON_WORKER_LOST is True
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] == 300
    sweep = settings.CELERY_BEAT_SCHEDULE["resume-release-mailings"]
    assert (sweep["task"], sweep["schedule"]) == ("episodes.tasks.release_mailings_resume", 60.0)


# --- The real thing -----------------------------------------------------------------------


def _database_url() -> str:
    """The test database pytest-django created, so the subprocess worker sees our rows."""
    db = connection.settings_dict
    user = quote(db.get("USER") or "postgres")
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


def _worker(env, queue, *, beat=False, workdir):
    command = [
        str(Path(sys.executable).with_name("celery")), "-A", "backinshape", "worker",
        "--pool=solo", "-Q", queue, "-n", f"{uuid.uuid4().hex[:8]}@%h", "-l", "info",
        "--without-mingle", "--without-gossip",
    ]  # fmt: skip
    if beat:
        command += ["-B", "-s", str(Path(workdir) / "beat-schedule")]
    log = open(Path(workdir) / f"worker-{'beat' if beat else 'first'}.log", "wb")  # noqa: SIM115
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def _stop(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def _wait_for(condition, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_release_is_finished_by_the_next_one_by_itself(smtp_sink):
    require_service(connection.vendor == "postgresql", "PostgreSQL: set DATABASE_URL=postgres://…")
    require_service(_broker_reachable(), "a Redis broker: set CELERY_BROKER_URL=redis://…")
    smtp_sink.delay = 0.25  # a slow server: the release takes several seconds
    episode = EpisodeFactory(publish_at=timezone.now() - dt.timedelta(hours=1))
    everyone = [f"listener.{i:02d}@example.com" for i in range(24)]
    for email in everyone:
        SubscriberFactory(email=email)

    queue = f"backinshape-recovery-{uuid.uuid4().hex[:8]}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PYTEST")},
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": CELERY_BROKER_URL,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "EMAIL_URL": f"smtp://127.0.0.1:{django_settings.EMAIL_PORT}",
        "DJANGO_DEBUG": "true",
        "DJANGO_SECRET_KEY": django_settings.SECRET_KEY,
        "SITE_URL": django_settings.SITE_URL,
        "RELEASE_CHUNK_SIZE": "8",
        "RELEASE_CLAIM_STALE_SECONDS": "8",
        "RELEASE_SWEEP_SECONDS": "3",
    }
    with tempfile.TemporaryDirectory() as workdir:
        first = _worker(env, queue, workdir=workdir)
        second = None
        try:
            # A client of its own: the project's app caches its routes on first use.
            with Celery(broker=CELERY_BROKER_URL) as client:
                client.send_task("episodes.tasks.send_release", args=[episode.pk], queue=queue)

            assert _wait_for(lambda: len(smtp_sink.messages) >= 4, 60), "first worker never sent"
            os.killpg(first.pid, signal.SIGKILL)  # mid-send, with claims in hand
            first.wait(timeout=10)
            sent_before = len(set(smtp_sink.recipients))
            assert sent_before < len(everyone), "the first worker finished before it was killed"

            second = _worker(env, queue, beat=True, workdir=workdir)
            finished = _wait_for(lambda: set(smtp_sink.recipients) >= set(everyone), 120)
            logs = "".join(
                p.read_text(errors="replace")[-3000:] for p in Path(workdir).glob("*.log")
            )
            assert finished, f"release not finished: {sorted(smtp_sink.recipients)}\n{logs}"
        finally:
            _stop(first)
            if second is not None:
                _stop(second)

    duplicates = len(smtp_sink.messages) - len(set(smtp_sink.recipients))
    assert duplicates <= 1
    assert set(smtp_sink.recipients) == set(everyone)
    assert not ReleaseDelivery.objects.exclude(status=ReleaseDelivery.Status.SENT).exists()
