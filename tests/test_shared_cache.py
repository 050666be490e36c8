"""Production refuses a cache its processes do not share.

The page-cache generations, the rate-limit counters and the cached sessions live in the
cache: with one per gunicorn worker, a paragraph moved behind the members-only divider
stays public in every worker but the one that saw the change, and each rate limit is
multiplied by the number of workers. `manage.py check --deploy` says so, and gunicorn
does not start.
"""

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# What decides the answer; every test says which of these it sets.
_DECIDING = ("REDIS_URL", "CACHE_DIR", "CELERY_BROKER_URL", "WEB_CONCURRENCY")


def _production(**env) -> dict:
    inherited = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DJANGO_") and k not in _DECIDING and k != "PYTEST_CURRENT_TEST"
    }
    return {
        **inherited,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "x" * 60,
        "DJANGO_ALLOWED_HOSTS": "backinshape.example",
        "SITE_URL": "https://backinshape.example",
        **env,
    }


def _check_deploy(**env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=_production(**env),
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_deploy_refuses_a_cache_each_process_keeps_to_itself():
    result = _check_deploy()

    assert result.returncode != 0
    assert "backinshape.E001" in result.stderr
    assert "Set REDIS_URL" in result.stderr


def test_check_deploy_refuses_it_beside_a_celery_worker_even_with_one_web_worker():
    result = _check_deploy(WEB_CONCURRENCY="1", CELERY_BROKER_URL="redis://127.0.0.1:6379/0")

    assert result.returncode != 0
    assert "backinshape.E001" in result.stderr
    assert "the Celery worker (CELERY_BROKER_URL is set)" in result.stderr


def test_check_deploy_warns_that_a_cache_in_files_is_one_machines_only(tmp_path):
    result = _check_deploy(CACHE_DIR=str(tmp_path))

    assert "backinshape.E001" not in result.stderr
    assert "backinshape.W001" in result.stderr
    assert "another machine would not" in result.stderr


@pytest.mark.parametrize(
    "env",
    [
        {"REDIS_URL": "redis://127.0.0.1:6379/1", "WEB_CONCURRENCY": "4"},
        {"WEB_CONCURRENCY": "1"},  # the operator says: one process, tasks run inside it
        {"DJANGO_DEBUG": "true"},  # `make run`
    ],
    ids=["redis", "one-process", "debug"],
)
def test_check_deploy_accepts_a_cache_every_process_shares_or_a_single_process(env):
    result = _check_deploy(**env)

    assert "backinshape.E001" not in result.stdout + result.stderr
    assert result.returncode == 0, result.stderr[-2000:]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_does_not_start_with_a_cache_each_worker_keeps_to_itself(tmp_path):
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "-c",
            str(ROOT / "deploy" / "gunicorn.conf.py"),
            "backinshape.wsgi",
        ],
        cwd=ROOT,
        env=_production(
            DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
            GUNICORN_BIND=f"127.0.0.1:{_free_port()}",
            WEB_CONCURRENCY="2",
            LOG_FORMAT="plain",
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = server.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGTERM)
        server.communicate(timeout=30)
        pytest.fail("gunicorn started and served with a cache per worker")

    assert server.returncode != 0
    assert "backinshape.E001" in output
