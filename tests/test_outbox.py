"""The development outbox: with DEBUG on and no mail server, every email the site sends,
from any process, is kept in the database and read at /dev/outbox/. With DEBUG off it does
not exist."""

import os
import re
import sqlite3
import subprocess
import sys
import time
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives

from backinshape.celery import app
from episodes.tasks import send_release
from members import services as member_services
from outbox.models import OutboxMessage
from tests.factories import EpisodeFactory, SubscriberFactory

ROOT = Path(__file__).resolve().parent.parent
BANNER = "Development outbox</strong> — this page does not exist on a real site."


@pytest.fixture
def outbox(settings, db):
    """As under `make run`: DEBUG on, and the site's email backend is the outbox."""
    settings.DEBUG = True
    settings.EMAIL_BACKEND = "outbox.backends.OutboxEmailBackend"
    settings.SITE_URL = "http://testserver"


def _send(subject="Hello there", to="reader@example.com", html="<p style='color:red'>Hi</p>"):
    message = EmailMultiAlternatives(
        subject=subject,
        body="Hi. Confirm here: http://testserver/accounts/confirm-email/abc/",
        from_email="Back In Shape <hello@backinshape.example>",
        to=[to],
        headers={"List-Unsubscribe": "<http://testserver/unsubscribe/x/>"},
    )
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
    return OutboxMessage.objects.latest("pk")


def test_the_outbox_backend_keeps_the_whole_message(outbox):
    row = _send()

    assert row.to == "reader@example.com"
    assert row.subject == "Hello there"
    kept = message_from_bytes(bytes(row.raw), policy=policy.default)
    assert kept["List-Unsubscribe"] == "<http://testserver/unsubscribe/x/>"
    assert kept.get_body(("html",)).get_content().strip() == "<p style='color:red'>Hi</p>"


def test_the_list_shows_the_newest_email_first(outbox, client):
    _send(subject="The first one")
    _send(subject="The second one", to="other@example.com")

    response = client.get("/dev/outbox/")

    content = response.content.decode()
    assert response.status_code == 200
    assert BANNER in content
    assert content.index("The second one") < content.index("The first one")
    assert "other@example.com" in content


def test_a_message_page_shows_the_text_with_working_links_and_all_headers(outbox, client):
    row = _send()

    content = client.get(f"/dev/outbox/{row.pk}/").content.decode()

    assert BANNER in content
    assert '<a href="http://testserver/accounts/confirm-email/abc/" rel="nofollow">' in content
    assert "List-Unsubscribe" in content
    assert "&lt;http://testserver/unsubscribe/x/&gt;" in content
    assert f'<iframe class="outbox-frame" src="/dev/outbox/{row.pk}/html/"' in content
    assert 'sandbox="allow-popups allow-popups-to-escape-sandbox"' in content


def test_the_message_page_may_frame_only_its_own_site(outbox, client):
    row = _send()

    policy_header = client.get(f"/dev/outbox/{row.pk}/").headers["Content-Security-Policy"]

    frame_src = re.search(r"frame-src ([^;]*)", policy_header).group(1)
    assert "'self'" in frame_src.split()
    assert "unsafe-inline" not in policy_header


def test_the_html_part_is_served_sandboxed_under_its_own_policy(outbox, client):
    row = _send()

    response = client.get(f"/dev/outbox/{row.pk}/html/")

    policy_header = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy_header
    assert "sandbox allow-popups allow-popups-to-escape-sandbox" in policy_header
    assert "script-src" not in policy_header  # falls back to default-src 'none'
    assert "frame-ancestors 'self'" in policy_header
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert response.content.decode().startswith('<base target="_blank">')


def test_an_email_with_no_html_part_has_no_frame(outbox, client):
    row = _send(html="")

    assert "<iframe" not in client.get(f"/dev/outbox/{row.pk}/").content.decode()
    assert client.get(f"/dev/outbox/{row.pk}/html/").status_code == 404


@pytest.mark.parametrize("path", ["/dev/outbox/", "/dev/outbox/{pk}/", "/dev/outbox/{pk}/html/"])
def test_the_outbox_is_not_found_with_debug_off(outbox, settings, client, path):
    row = _send()
    settings.DEBUG = False

    assert client.get(path.format(pk=row.pk)).status_code == 404


def test_a_confirmation_email_in_the_outbox_links_to_the_site(outbox, client, settings):
    settings.SITE_URL = "http://127.0.0.1:8200"

    member_services.subscriber_request(email="new.reader@example.com")

    row = OutboxMessage.objects.get()
    content = client.get(f"/dev/outbox/{row.pk}/").content.decode()
    assert '<a href="http://127.0.0.1:8200/subscribe/confirm/' in content


def test_the_sunday_email_lands_in_the_outbox_once_per_reader(
    outbox, django_capture_on_commit_callbacks
):
    episode = EpisodeFactory(title="Walking it off")
    SubscriberFactory(email="walker@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        send_release.delay(episode.pk)
    with django_capture_on_commit_callbacks(execute=True):
        send_release.delay(episode.pk)  # a second run sends nobody a second copy

    rows = list(OutboxMessage.objects.all())
    assert [row.to for row in rows] == ["walker@example.com"]
    kept = message_from_bytes(bytes(rows[0].raw), policy=policy.default)
    assert "Walking it off" in kept["Subject"]
    assert kept["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_the_staff_desk_links_the_outbox_in_development(outbox, staff_client):
    content = staff_client.get("/admin/").content.decode()

    assert 'href="/dev/outbox/"' in content


def test_the_staff_desk_has_no_outbox_link_in_production(settings, staff_client):
    settings.DEBUG = False

    assert 'href="/dev/outbox/"' not in staff_client.get("/admin/").content.decode()


def test_tests_keep_the_in_memory_outbox(outbox, settings):
    """The suite itself still reads django.core.mail.outbox: only `make run` uses ours."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox.clear()

    _send_plain = EmailMultiAlternatives("Plain", "Body", to=["a@example.com"])
    _send_plain.send()

    assert len(mail.outbox) == 1
    assert not OutboxMessage.objects.exists()


# --- From another process ---------------------------------------------------------------


def _run_env(tmp_path: Path) -> dict:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "CELERY_", "EMAIL_", "ANYMAIL_", "DATABASE_", "REDIS_"))
    }
    return {
        **clean,
        "DJANGO_SETTINGS_MODULE": "backinshape.settings",
        "DJANGO_DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "CELERY_BROKER_URL": "filesystem://",
        "CELERY_FILESYSTEM_DIR": str(tmp_path / "broker"),
        "CELERY_TASK_DEFAULT_QUEUE": "outbox-test",
        "PYTHONUNBUFFERED": "1",
    }


@pytest.mark.services
def test_an_email_sent_by_a_worker_process_is_kept_in_the_outbox(tmp_path):
    env = _run_env(tmp_path)
    python = sys.executable
    subprocess.run(
        [python, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    worker = subprocess.Popen(
        [
            python,
            "-m",
            "celery",
            "-A",
            "backinshape",
            "worker",
            "--pool=solo",
            "--without-mingle",
            "--without-gossip",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        # The web's side: put the task on the broker (a process of its own, as the web is).
        send = (
            "import django; django.setup();"
            "from members.tasks import send_rendered_email;"
            "send_rendered_email.delay({'subject': 'From the worker', 'body': 'Hello',"
            " 'from_email': 'hello@backinshape.example', 'to': ['w@example.com'],"
            " 'headers': {}, 'alternatives': []})"
        )
        subprocess.run([python, "-c", send], cwd=ROOT, env=env, check=True, capture_output=True)
        rows = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not rows:
            time.sleep(0.5)
            with sqlite3.connect(tmp_path / "db.sqlite3") as db:
                rows = db.execute('SELECT subject, "to" FROM outbox_outboxmessage').fetchall()
    finally:
        os.killpg(worker.pid, 15)
        worker.wait(timeout=30)
    assert rows == [("From the worker", "w@example.com")]
    assert app.conf.task_always_eager  # this test's own process never left eager mode
