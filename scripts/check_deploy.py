"""Run `manage.py check --deploy` with production settings and fail on any warning."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

env = {
    **os.environ,
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
    "DJANGO_ALLOWED_HOSTS": "backinshape.example",
    "SITE_URL": "https://backinshape.example",
}
result = subprocess.run(
    [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
    cwd=ROOT,
    env=env,
    check=False,
)
sys.exit(result.returncode)
