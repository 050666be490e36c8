"""What `make run` reads from the environment: the port every link follows, the outbox,
SQLite shared by three processes, the broker in files and the release day."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail

from members import services as member_services
from tests.factories import EpisodeFactory, MembershipFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent

_SHOW = """
import json, django
from django.conf import settings
django.setup()
from backinshape.celery import app
print(json.dumps({
    "SITE_URL": settings.SITE_URL,
    "ALLOWED_HOSTS": settings.ALLOWED_HOSTS,
    "EMAIL_BACKEND": settings.EMAIL_BACKEND,
    "CACHE": settings.CACHES["default"]["BACKEND"],
    "DB_OPTIONS": settings.DATABASES["default"].get("OPTIONS", {}),
    "EAGER": app.conf.task_always_eager,
    "TRANSPORT_OPTIONS": app.conf.broker_transport_options,
    "RELEASE_DAYS": sorted(
        settings.CELERY_BEAT_SCHEDULE["publish-due-episodes"]["schedule"].day_of_week
    ),
}))
"""


def _run(code: str, **env) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "CELERY_", "EMAIL_", "ANYMAIL_", "DATABASE_", "REDIS_"))
        and k not in ("PORT", "SITE_URL", "CACHE_DIR", "RELEASE_WEEKDAY")
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "backinshape.settings", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def settings_under(**env) -> dict:
    result = _run(_SHOW, DJANGO_DEBUG="true", **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_port_8200_without_site_url_makes_the_site_url_follow_it():
    assert settings_under(PORT="8200")["SITE_URL"] == "http://127.0.0.1:8200"


def test_without_port_the_site_url_is_port_8000():
    assert settings_under()["SITE_URL"] == "http://127.0.0.1:8000"


def test_site_url_says_otherwise_over_port():
    shown = settings_under(PORT="8200", SITE_URL="https://backinshape.example")

    assert shown["SITE_URL"] == "https://backinshape.example"


def test_a_port_that_is_not_a_port_stops_start_up_naming_it():
    result = _run("import django; django.setup()", DJANGO_DEBUG="true", PORT="99999")

    assert result.returncode != 0
    assert "PORT must be a port number" in result.stderr


@pytest.fixture
def site_on_8200(settings, db):
    """The SITE_URL that settings make from PORT=8200, in this test's own settings."""
    settings.SITE_URL = settings_under(PORT="8200")["SITE_URL"]
    return settings.SITE_URL


def test_a_feed_built_under_port_8200_links_to_it(site_on_8200, client):
    EpisodeFactory(title="Walking for back pain", slug="walking")

    feed = client.get("/feeds/articles.xml").content.decode()

    assert "http://127.0.0.1:8200/episodes/walking/" in feed
    assert "http://127.0.0.1:8000" not in feed


def test_an_email_built_under_port_8200_links_to_it(site_on_8200):
    member_services.subscriber_request(email="port.reader@example.com")

    [message] = mail.outbox
    assert "http://127.0.0.1:8200/subscribe/confirm/" in message.body


def test_the_private_feed_address_under_port_8200_carries_it(site_on_8200, client):
    member = MembershipFactory(user=UserFactory(email="feed.member@example.com")).user
    client.force_login(member)

    account = client.get("/account/").content.decode()

    assert 'value="http://127.0.0.1:8200/feeds/private/' in account


def test_the_sitemap_served_on_port_8200_carries_it(site_on_8200, client):
    """The sitemap names the address it was asked at, which under `make run PORT=8200`
    is the same one."""
    EpisodeFactory(slug="walking")

    sitemap = client.get("/sitemap.xml", HTTP_HOST="127.0.0.1:8200").content.decode()

    assert "<loc>http://127.0.0.1:8200/episodes/walking/</loc>" in sitemap


def test_in_development_emails_go_to_the_outbox():
    assert settings_under()["EMAIL_BACKEND"] == "outbox.backends.OutboxEmailBackend"


def test_with_a_mail_server_emails_go_to_it_even_in_development():
    shown = settings_under(EMAIL_URL="smtp://mail.example.com:587")

    assert shown["EMAIL_BACKEND"] == "common.email_backends.SmtpEmailBackend"


def test_sqlite_waits_for_the_write_lock_instead_of_failing(tmp_path):
    options = settings_under(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")["DB_OPTIONS"]

    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 5


def test_sqlite_runs_in_wal_mode(tmp_path):
    code = (
        "import django; django.setup();"
        "from django.db import connection;"
        "cursor = connection.cursor(); cursor.execute('PRAGMA journal_mode');"
        "print(cursor.fetchone()[0])"
    )
    result = _run(code, DJANGO_DEBUG="true", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "wal"


def test_without_a_broker_tasks_run_in_the_process():
    assert settings_under()["EAGER"] is True


def test_the_filesystem_broker_keeps_its_queue_under_its_folder(tmp_path):
    shown = settings_under(CELERY_BROKER_URL="filesystem://", CELERY_FILESYSTEM_DIR=str(tmp_path))

    assert shown["EAGER"] is False
    assert shown["TRANSPORT_OPTIONS"]["data_folder_in"] == str(tmp_path / "queue")
    assert shown["TRANSPORT_OPTIONS"]["data_folder_out"] == str(tmp_path / "queue")
    assert shown["TRANSPORT_OPTIONS"]["control_folder"] == str(tmp_path / "control")


def test_a_cache_dir_gives_the_processes_one_cache(tmp_path):
    shown = settings_under(CACHE_DIR=str(tmp_path))

    assert shown["CACHE"] == "django.core.cache.backends.filebased.FileBasedCache"


def test_the_release_is_on_sunday_unless_another_day_is_set():
    assert settings_under()["RELEASE_DAYS"] == [0]  # crontab counts Sunday as 0
    assert settings_under(RELEASE_WEEKDAY="2")["RELEASE_DAYS"] == [3]  # Wednesday
