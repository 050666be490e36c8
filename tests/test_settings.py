"""Production settings: safe by default and loud when something is missing."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from backinshape.views import server_error

ROOT = Path(__file__).resolve().parent.parent


def _run(code, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "backinshape.settings", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_without_secret_key_refuses_to_start():
    result = _run("import django; django.setup()", DJANGO_DEBUG="false")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_malformed_boolean_names_the_variable():
    result = _run("import django; django.setup()", DJANGO_DEBUG="maybe")
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be true or false" in result.stderr


def test_check_deploy_is_clean_with_production_settings():
    result = subprocess.run(
        [sys.executable, "scripts/check_deploy.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_server_error_page_is_styled(rf):
    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.content


@pytest.mark.django_db
def test_search_with_a_nul_byte_gets_the_bad_address_page(client):
    response = client.get("/search/?q=back%00pain")

    assert response.status_code == 400
    assert "We couldn't read that address" in response.content.decode()


def test_csp_forbids_inline_scripts_and_styles(client, db):
    header = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in header
    assert "unsafe-inline" not in header


@pytest.mark.django_db
def test_a_form_without_csrf_token_gets_a_styled_page(episode):
    response = Client(enforce_csrf_checks=True).post(
        f"/episodes/{episode.slug}/comments/", {"name": "A", "email": "a@example.com", "body": "x"}
    )
    assert response.status_code == 403
    assert "Please try that again" in response.content.decode()


def _manage(*argv):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "manage.py", *argv],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_migrations_check_needs_no_secret_key():
    result = _manage("makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stderr[-1000:]


def test_commands_that_touch_data_still_need_the_secret_key():
    result = _manage("migrate", "--plan")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_a_negative_proxy_count_names_the_variable():
    result = _run("import django; django.setup()", DJANGO_DEBUG="true", TRUSTED_PROXY_COUNT="-1")
    assert result.returncode != 0
    assert "TRUSTED_PROXY_COUNT must be 0 or more" in result.stderr


def test_the_retired_ratelimit_variable_says_what_replaced_it():
    # It used to key every limit on one header's raw value; left set, it would now be
    # ignored in silence, so start-up refuses and points at TRUSTED_PROXY_COUNT.
    result = _run(
        "import django; django.setup()",
        DJANGO_DEBUG="true",
        RATELIMIT_IP_META_KEY="HTTP_X_FORWARDED_FOR",
    )
    assert result.returncode != 0
    assert "set TRUSTED_PROXY_COUNT" in result.stderr


def test_one_proxy_count_drives_django_ratelimit_and_allauth():
    result = _run(
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.TRUSTED_PROXY_COUNT, s.ALLAUTH_TRUSTED_PROXY_COUNT, s.RATELIMIT_IP_META_KEY)",
        DJANGO_DEBUG="true",
        TRUSTED_PROXY_COUNT="2",
    )
    assert result.stdout.split() == ["2", "2", "common.client_ip.client_ip_key"]
