"""/.well-known/security.txt, read as RFC 9116 describes it."""

import datetime as dt

import pytest
import time_machine
from django.test import Client

from tests.test_settings import _run

URL = "/.well-known/security.txt"
# RFC 9116 §2.5: the fields a security.txt may carry.
RFC_9116_FIELDS = {
    "Acknowledgments",
    "Canonical",
    "Contact",
    "Encryption",
    "Expires",
    "Hiring",
    "Policy",
    "Preferred-Languages",
}


def fields(response) -> dict[str, list[str]]:
    """Field name -> values, from the file's `Name: value` lines (comments skipped)."""
    found: dict[str, list[str]] = {}
    for line in response.content.decode("utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        name, separator, value = line.partition(": ")
        assert separator, f"not a field line: {line!r}"
        found.setdefault(name, []).append(value)
    return found


@pytest.fixture
def security_txt(settings):
    settings.SITE_URL = "https://backinshape.example"
    with time_machine.travel(dt.datetime(2026, 3, 1, 15, 30, tzinfo=dt.UTC), tick=False):
        yield Client().get(URL)


def test_it_is_plain_utf8_text_every_cache_may_keep(security_txt):
    assert security_txt.status_code == 200
    assert security_txt["Content-Type"] == "text/plain; charset=utf-8"
    assert "public" in security_txt["Cache-Control"]


def test_it_has_only_rfc_9116_fields_each_once(security_txt):
    found = fields(security_txt)
    assert set(found) <= RFC_9116_FIELDS
    assert all(len(values) == 1 for values in found.values())


def test_the_contact_is_the_senders_mailbox_by_default(security_txt):
    assert fields(security_txt)["Contact"] == ["mailto:hello@backinshape.example"]


def test_it_expires_within_a_year_from_the_start_of_today(security_txt):
    (expires,) = fields(security_txt)["Expires"]

    # RFC 3339 in UTC, as RFC 9116 §2.5.5 asks; the same value all day, so caches may keep it.
    assert expires == "2026-08-28T00:00:00Z"
    moment = dt.datetime.fromisoformat(expires)
    now = dt.datetime(2026, 3, 1, 15, 30, tzinfo=dt.UTC)
    assert now < moment < now + dt.timedelta(days=365)


def test_it_names_its_canonical_address_and_language(security_txt):
    found = fields(security_txt)
    assert found["Canonical"] == ["https://backinshape.example/.well-known/security.txt"]
    assert found["Preferred-Languages"] == ["en"]


def test_a_policy_line_appears_once_there_is_a_policy_page(settings):
    assert "Policy" not in fields(Client().get(URL))

    settings.SECURITY_POLICY_URL = "https://backinshape.example/security/"

    assert fields(Client().get(URL))["Policy"] == ["https://backinshape.example/security/"]


def test_security_contact_comes_from_the_environment():
    result = _run(
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.SECURITY_CONTACT)",
        DJANGO_DEBUG="true",
        SECURITY_CONTACT="https://backinshape.example/report",
    )
    assert result.stdout.strip() == "https://backinshape.example/report", result.stderr


def test_the_default_contact_is_the_from_address_mailbox():
    result = _run(
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.SECURITY_CONTACT)",
        DJANGO_DEBUG="true",
        DEFAULT_FROM_EMAIL="Back In Shape <team@backinshape.example>",
    )
    assert result.stdout.strip() == "mailto:team@backinshape.example", result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [("SECURITY_CONTACT", "security@backinshape.example"), ("SECURITY_POLICY_URL", "/policy")],
)
def test_a_contact_or_policy_that_is_not_a_url_stops_start_up(variable, value):
    result = _run("import django; django.setup()", DJANGO_DEBUG="true", **{variable: value})
    assert result.returncode != 0
    assert f"{variable} must be" in result.stderr
