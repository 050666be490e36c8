"""Secret links never reach a log in clear, however the client encoded them.

Each kind of secret link (private feed, unsubscribe, subscribe-confirm, check-in reminder
stop, allauth's password-reset and email-confirmation links) is tried as a client could
send it, percent-encoded in the ways the site still routes to the same view, through
the app's log (the filter, both formatters, a real 500) and gunicorn's access log.
"""

import datetime as dt
import importlib.util
import json
import logging
from pathlib import Path
from urllib.parse import quote, unquote

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from gunicorn.config import Config
from gunicorn.glogging import SafeAtoms

from backinshape.logging import JsonLogFormatter, sentry_before_send
from common.log_redaction import RedactingFormatter, RedactSecretLinks, redact_secret_links

TOKEN = "Tk9xSecretPart7Q"
SECRET_LINKS = {
    "private feed": lambda: reverse("episodes:private_podcast_feed", args=[TOKEN]),
    "unsubscribe": lambda: reverse("members:unsubscribe", args=[TOKEN]),
    "subscribe confirm": lambda: reverse("members:subscribe_confirm", args=[TOKEN]),
    "reminder stop": lambda: reverse("programs:reminders_stop", args=[TOKEN]),
    "password reset": lambda: reverse(
        "account_reset_password_from_key", kwargs={"uidb36": "4", "key": f"x-{TOKEN}"}
    ),
    "email confirmation": lambda: reverse("account_confirm_email", args=[TOKEN]),
}


def _encode_char(path: str, index: int, *, twice: bool = False) -> str:
    encoded = f"%{ord(path[index]):02X}"
    if twice:
        encoded = "%25" + encoded[1:]
    return path[:index] + encoded + path[index + 1 :]


ENCODINGS = {
    "as it is": lambda path: path,
    "a letter of the prefix encoded": lambda path: _encode_char(path, 2),
    "a letter of the prefix encoded twice": lambda path: _encode_char(path, 2, twice=True),
    "the token encoded": lambda path: path.replace(TOKEN, "".join(f"%{ord(c):02x}" for c in TOKEN)),
    "the slash after the token encoded": lambda path: path.replace(f"{TOKEN}/", f"{TOKEN}%2F"),
    "no slash after the token": lambda path: path[: path.index(TOKEN) + len(TOKEN)],
    "inside another address's query": lambda path: "/accounts/login/?next=" + quote(path, safe=""),
}
CASES = [
    pytest.param(kind, encoding, id=f"{kind}, {encoding}")
    for kind in SECRET_LINKS
    for encoding in ENCODINGS
]


def _path(kind: str, encoding: str) -> str:
    return ENCODINGS[encoding](SECRET_LINKS[kind]())


@pytest.mark.parametrize(("kind", "encoding"), CASES)
def test_the_app_log_filter_hides_the_token(kind, encoding):
    path = _path(kind, encoding)
    args = (f"GET {path} HTTP/1.1", 404, 0)
    record = logging.LogRecord(
        "django.server", logging.INFO, __file__, 1, '"%s" %s %s', args, None
    )  # fmt: skip

    RedactSecretLinks().filter(record)

    assert TOKEN not in record.getMessage()
    assert TOKEN not in unquote(unquote(record.getMessage()))
    assert "…" in record.getMessage()


@pytest.mark.parametrize(("kind", "encoding"), CASES)
def test_the_gunicorn_access_log_hides_the_token(kind, encoding):
    path = _path(kind, encoding)
    raw_path, _, query = path.partition("?")
    conf = _gunicorn_conf()
    logger = conf.logger_class(Config())
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": path,
        "PATH_INFO": unquote(raw_path),
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": f"https://backinshape.example{path}",
    }

    class Response:
        status = "404 Not Found"
        sent = 10
        headers = [("X-Request-ID", "r-0123456789")]

    atoms = logger.atoms(Response(), [], environ, dt.timedelta(seconds=1))
    line = conf.access_log_format % SafeAtoms(atoms)

    assert TOKEN not in line
    assert TOKEN not in unquote(unquote(line))
    assert "…" in line


def _gunicorn_conf():
    path = Path(django_settings.BASE_DIR) / "deploy" / "gunicorn.conf.py"
    spec = importlib.util.spec_from_file_location("gunicorn_conf_under_test", path)
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    return conf


def _unsubscribe_fails(monkeypatch):
    def broken(token):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("members.views.services.sunday_email_address_for_token", broken)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "encoding", ["as it is", "a letter of the prefix encoded", "the slash after the token encoded"]
)
def test_a_500_on_a_secret_link_logs_no_token_in_either_format(monkeypatch, caplog, encoding):
    """django.request logs the failing request as an extra (its repr shows the path) and
    the traceback: the message, the JSON line and the plain line all stay clean."""
    _unsubscribe_fails(monkeypatch)
    caplog.set_level(logging.ERROR, logger="django.request")

    response = Client(raise_request_exception=False).get(_path("unsubscribe", encoding))

    assert response.status_code == 500
    [record] = [r for r in caplog.records if r.name == "django.request"]
    json_line = JsonLogFormatter().format(record)
    plain_line = RedactingFormatter("%(message)s").format(record)
    for text in (record.getMessage(), json_line, plain_line):
        assert TOKEN not in text
    assert "/unsubscribe/…/" in json.loads(json_line)["request"]


def test_ordinary_lines_are_left_as_they_are():
    line = 'GET /episodes/sciatica-explained/?page=2&q=100%25 HTTP/1.1 "Mozilla/5.0"'

    assert redact_secret_links(line) == line


def test_the_settings_redact_every_console_line():
    formatters = django_settings.LOGGING["formatters"]
    assert formatters["plain"]["()"] == "common.log_redaction.RedactingFormatter"
    assert formatters["json"]["()"] == "backinshape.logging.JsonLogFormatter"


@pytest.mark.parametrize(("kind", "encoding"), CASES[::3])
def test_sentry_events_carry_no_token(kind, encoding):
    path = _path(kind, encoding)
    event = {
        "request": {"url": f"https://backinshape.example{path}"},
        "transaction": path,
        "breadcrumbs": {"values": [{"message": f"GET {path}"}]},
    }

    scrubbed = json.dumps(sentry_before_send(event, {}))

    assert TOKEN not in scrubbed
    assert TOKEN not in unquote(unquote(scrubbed))
    assert "[Filtered]" in scrubbed
