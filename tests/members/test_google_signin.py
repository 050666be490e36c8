"""'Continue with Google' appears only when the site has Google keys."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

RENDER_LOGIN = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.test import Client
print(Client().get("/accounts/login/").content.decode())
"""


@pytest.mark.django_db
def test_no_google_button_without_keys(client, settings):
    assert "allauth.socialaccount.providers.google" not in settings.INSTALLED_APPS
    assert "Google" not in client.get("/accounts/login/").text


def test_google_button_appears_when_keys_are_set(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        DJANGO_DEBUG="true",
        DJANGO_SETTINGS_MODULE="backinshape.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'google.sqlite3'}",
        GOOGLE_CLIENT_ID="demo-client-id.apps.googleusercontent.com",
        GOOGLE_CLIENT_SECRET="demo-secret",
    )
    result = subprocess.run(
        [sys.executable, "-c", RENDER_LOGIN],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Google" in result.stdout
    assert "/accounts/google/login/" in result.stdout
