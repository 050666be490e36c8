"""gunicorn listens where only the proxy can reach it, and says so when it does not.

Behind a proxy (TRUSTED_PROXY_COUNT ≥ 1) the site trusts the X-Forwarded-For the proxy
appends. Reached directly, gunicorn would take that header from anyone, and a rotated
address would make every rate limit count a new visitor each time.
"""

import importlib.util
from pathlib import Path

import pytest
from django.conf import settings as django_settings


def _gunicorn_conf():
    path = Path(django_settings.BASE_DIR) / "deploy" / "gunicorn.conf.py"
    spec = importlib.util.spec_from_file_location("gunicorn_conf_under_test", path)
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    return conf


class _Log:
    def __init__(self):
        self.warnings: list[str] = []

    def warning(self, message, *args):
        self.warnings.append(message % args)


class _Server:
    def __init__(self, binds):
        self.cfg = type("Cfg", (), {"bind": binds})()
        self.log = _Log()


def test_gunicorn_listens_on_loopback_by_default(monkeypatch):
    monkeypatch.delenv("GUNICORN_BIND", raising=False)

    assert _gunicorn_conf().bind == "127.0.0.1:8000"


@pytest.mark.parametrize("bind", ["0.0.0.0:8000", "[::]:8000", "203.0.113.7:8000"])
def test_behind_a_proxy_an_open_bind_is_warned_about(monkeypatch, bind):
    monkeypatch.setenv("TRUSTED_PROXY_COUNT", "1")
    server = _Server([bind])

    _gunicorn_conf().on_starting(server)

    [warning] = server.log.warnings
    assert bind in warning
    assert "X-Forwarded-For" in warning


@pytest.mark.parametrize(
    "bind", ["127.0.0.1:8000", "[::1]:8000", "localhost:8000", "unix:/run/backinshape.sock"]
)
def test_a_loopback_or_socket_bind_is_not_warned_about(monkeypatch, bind):
    monkeypatch.setenv("TRUSTED_PROXY_COUNT", "1")
    server = _Server([bind])

    _gunicorn_conf().on_starting(server)

    assert server.log.warnings == []


def test_without_a_proxy_an_open_bind_is_what_was_asked_for(monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXY_COUNT", "0")
    server = _Server(["0.0.0.0:8000"])

    _gunicorn_conf().on_starting(server)

    assert server.log.warnings == []
