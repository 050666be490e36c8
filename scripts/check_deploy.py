"""Run `manage.py check --deploy` with production settings and fail on any warning."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Start from this environment, less what only the test suite may set.
inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
env = {
    **inherited,
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
    "DJANGO_ALLOWED_HOSTS": "backinshape.example",
    "SITE_URL": "https://backinshape.example",
    # As in production: one cache shared by every process (backinshape.E001). The check
    # reads the setting only; it does not connect.
    "REDIS_URL": inherited.get("REDIS_URL") or "redis://127.0.0.1:6379/1",
}
result = subprocess.run(
    [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
    cwd=ROOT,
    env=env,
    check=False,
)
sys.exit(result.returncode)
