"""The shape itself: a deploy's steps done, nginx, both gunicorns, a worker and beat alive."""

import psycopg
import pytest

from tests.prod.shape import (
    STAFF_EMAIL,
    gunicorn_answers,
    nginx_answers,
    nginx_test,
    wait_until,
)

pytestmark = pytest.mark.prod


def test_migrate_collectstatic_seed_demo_and_createsuperuser_with_an_authenticator(shape):
    with psycopg.connect(shape.database_url) as conn:
        published = conn.execute(
            "SELECT count(*) FROM episodes_episode WHERE status = 'published'"
        ).fetchone()[0]
        authenticators = conn.execute(
            "SELECT count(*) FROM mfa_authenticator a JOIN members_user u ON u.id = a.user_id"
            " WHERE u.email = %s AND u.is_superuser AND a.type = 'totp'",
            [STAFF_EMAIL],
        ).fetchone()[0]

    assert (shape.tmp / "static/staticfiles.json").exists()
    assert published > 0
    assert authenticators == 1


def test_nginx_t_accepts_the_shipped_config(shape):
    tested = nginx_test(shape)

    assert tested.returncode == 0, tested.stderr


@pytest.mark.parametrize("n", [1, 2])
def test_gunicorn_is_up(shape, n):
    assert gunicorn_answers(shape.web_ports[n - 1]), shape.log(f"web-{n}")[-2000:]


def test_nginx_is_up(shape):
    assert nginx_answers(shape), shape.log("nginx-error")


def test_both_gunicorns_served_requests(shape):
    """Nothing lived in one process's memory."""
    served = [shape.log(name).count("gunicorn.access") for name in ("web-1", "web-2")]

    assert all(served), served


@pytest.fixture(scope="module")
def deep_health(shape, reader):
    """The deep health check's answer once it is 200 (within a minute), else its last one.
    It is 200 once beat has scheduled the heartbeat and a worker has run it."""

    def answer():
        return reader.get(f"{shape.base}/healthz?deep=1", timeout=10)

    def healthy():
        response = answer()
        return response if response.status_code == 200 else None

    return wait_until(healthy, timeout=60, interval=1) or answer()


def test_deep_health_database_cache_broker_and_heartbeat(deep_health):
    assert deep_health.status_code == 200, deep_health.text


def test_staff_status_page(shape, admin, deep_health):
    status = admin.get(f"{shape.base}/admin/status/", timeout=10)

    assert status.status_code == 200
    assert "seconds ago" in status.text


def test_worker_logs_one_json_object_per_line(shape, deep_health):
    lines = shape.log("worker").splitlines()

    assert any(line.startswith('{"time"') and '"request_id"' in line for line in lines)
