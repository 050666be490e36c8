"""`make run` starts web, worker and beat, and Ctrl-C stops every process it started."""

import time
import urllib.error
import urllib.request

import pytest

from tests.run_stack import RunStack, free_port

pytestmark = pytest.mark.services


@pytest.fixture
def stack(tmp_path):
    stack = RunStack(folder=tmp_path, port=free_port(), extra_env={"HEARTBEAT_SECONDS": "2"})
    stack.start()
    yield stack
    stack.kill_leftovers()


def deep_health(url: str) -> str:
    try:
        with urllib.request.urlopen(f"{url}/healthz?deep=1", timeout=5) as response:
            return response.read().decode()
    except urllib.error.HTTPError as error:  # 503 until the first heartbeat
        return error.read().decode()


def test_make_run_serves_on_its_port_with_a_worker_and_beat_and_ctrl_c_stops_them_all(stack):
    # The heartbeat goes beat -> broker -> worker -> cache -> web: all of them work.
    deadline = time.monotonic() + 30
    health = deep_health(stack.url)
    while '"heartbeat": "ok"' not in health and time.monotonic() < deadline:
        time.sleep(0.5)
        health = deep_health(stack.url)
    assert '"heartbeat": "ok"' in health, health
    assert f"Back In Shape is starting: open {stack.url}/" in stack.log()

    left = stack.interrupt()

    assert left == set(), f"still running after Ctrl-C: {left}\n{stack.log()[-3000:]}"
    assert stack.process.returncode is not None
