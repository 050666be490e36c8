"""The email provider's tracking webhook answers outsiders with a 4xx, never a 500.

Every provider anymail has a tracking webhook for is tried as the configured one, with
what someone probing /anymail/ sends: nothing, wrong credentials, and with the right
credentials an empty body, a deeply nested one and bytes that are not JSON at all.
"""

import base64

import pytest
from anymail import urls as anymail_urls
from django.test import Client

from members.models import EmailSuppression

pytestmark = pytest.mark.django_db

SECRET = "anymail:webhook-secret"
PROVIDERS = sorted(
    pattern.name.removesuffix("_tracking_webhook")
    for pattern in anymail_urls.urlpatterns
    if pattern.name.endswith("_tracking_webhook")
)
# What each provider's view needs besides the shared secret before it can start at all.
PROVIDER_KEYS = {
    "mailersend": {"MAILERSEND_SIGNING_SECRET": "mailersend-signing-secret"},
    "mailgun": {"MAILGUN_WEBHOOK_SIGNING_KEY": "mailgun-signing-key"},
    "postal": {"POSTAL_WEBHOOK_KEY": "postal-public-key"},
    "unisender_go": {"UNISENDER_GO_API_KEY": "unisender-go-api-key"},
}
DEEP = "[" * 100_000 + "]" * 100_000
UNREADABLE = {
    "empty": b"",
    "nested 100,000 deep": DEEP.encode(),
    "garbage": b"\xff\xfe\x00not json at all\x81{{",
}
# Readable, but not what any provider sends: some parsers take "[]" as no events at all.
ODD_SHAPES = {
    "a JSON array of nothing": b"[]",
    "a JSON string": b'"bounced"',
    "an array of strings": b'["bounced"]',
    "NaN": b'{"event": NaN}',
    "null": b"null",
}


def _auth(credentials: str) -> dict:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(credentials.encode()).decode()}


@pytest.fixture
def configured(settings):
    def configure(esp: str):
        settings.ANYMAIL_ESP = esp
        settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET, **PROVIDER_KEYS.get(esp, {})}

    return configure


@pytest.fixture
def strict_client():
    """A 500 raises the view's exception here instead of hiding behind the error page."""
    return Client(raise_request_exception=True)


@pytest.mark.parametrize("esp", PROVIDERS)
@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no credentials"),
        pytest.param(_auth("anymail:wrong"), id="wrong credentials"),
        pytest.param({"HTTP_AUTHORIZATION": "Basic %%%"}, id="garbled credentials"),
    ],
)
def test_without_the_secret_the_webhook_asks_for_credentials_and_reads_nothing(
    strict_client, configured, esp, headers
):
    configured(esp)

    response = strict_client.post(
        f"/anymail/{esp}/tracking/", DEEP, content_type="application/json", **headers
    )

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic ")
    assert not EmailSuppression.objects.exists()


@pytest.mark.parametrize("esp", PROVIDERS)
@pytest.mark.parametrize("body", UNREADABLE.values(), ids=UNREADABLE.keys())
def test_with_the_secret_an_unreadable_body_is_a_4xx(strict_client, configured, esp, body):
    configured(esp)

    response = strict_client.post(
        f"/anymail/{esp}/tracking/", body, content_type="application/json", **_auth(SECRET)
    )

    assert 400 <= response.status_code < 500
    assert not EmailSuppression.objects.exists()


@pytest.mark.parametrize("esp", PROVIDERS)
@pytest.mark.parametrize("body", ODD_SHAPES.values(), ids=ODD_SHAPES.keys())
def test_with_the_secret_an_oddly_shaped_body_suppresses_nobody_and_is_no_500(
    strict_client, configured, esp, body
):
    configured(esp)

    response = strict_client.post(
        f"/anymail/{esp}/tracking/", body, content_type="application/json", **_auth(SECRET)
    )

    assert response.status_code < 500
    assert not EmailSuppression.objects.exists()


@pytest.mark.parametrize("esp", PROVIDERS)
def test_only_the_configured_providers_webhook_is_there(strict_client, settings, esp):
    others = [other for other in PROVIDERS if other != esp]
    settings.ANYMAIL_ESP = esp
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET, **PROVIDER_KEYS.get(esp, {})}

    statuses = {
        other: strict_client.post(
            f"/anymail/{other}/tracking/", b"", content_type="application/json", **_auth(SECRET)
        ).status_code
        for other in others
    }

    assert set(statuses.values()) == {404}


def test_with_no_provider_named_no_webhook_is_there(strict_client, settings):
    settings.ANYMAIL_ESP = ""
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}

    response = strict_client.post(
        "/anymail/postmark/tracking/", b"{}", content_type="application/json", **_auth(SECRET)
    )

    assert response.status_code == 404


@pytest.mark.parametrize("esp", sorted(PROVIDER_KEYS))
def test_a_provider_missing_its_own_key_answers_503_and_says_why_in_the_log(
    strict_client, settings, caplog, esp
):
    settings.ANYMAIL_ESP = esp
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}

    response = strict_client.post(
        f"/anymail/{esp}/tracking/", b"{}", content_type="application/json", **_auth(SECRET)
    )

    assert response.status_code == 503
    assert any("is not set up" in record.getMessage() for record in caplog.records)
