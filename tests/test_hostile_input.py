"""Nothing a visitor can send makes the site fail: odd input gets a clear answer, never a 500."""

from urllib.parse import quote, unquote_to_bytes, urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils.encoding import repercent_broken_unicode

from .factories import CommentFactory, TopicFactory
from .site_urls import site_routes

pytestmark = pytest.mark.django_db

HUGE = "9" * 30
LONG_EMAIL = "a" * 60 + "@" + ("b" * 60 + ".") * 4 + "com"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def strict_client():
    return Client(raise_request_exception=True)


@pytest.mark.parametrize(
    "url",
    [
        "/?page=abc",
        "/episodes/?page=-1",
        f"/episodes/?page={HUGE}",
        "/search/?q=" + "back%20" * 500,
        "/search/?q=%F0%9F%A6%B4%20spine",
        f"/search/?q=back&page={HUGE}",
        f"/topics/none/?page={HUGE}",
        f"/unsubscribe/{'x' * 500}/",
        f"/subscribe/confirm/{'x' * 500}/",
        "/membership/success/?session_id=x",
        "/feeds/podcast.xml?page=x",
    ],
)
def test_odd_query_strings_never_fail(strict_client, url, staff):
    response = strict_client.get(url)
    assert response.status_code in {200, 302, 404}


@pytest.mark.parametrize(
    "url",
    [
        "/unsubscribe/%00/",
        "/subscribe/confirm/%00/",
        "/unsubscribe/%00",  # no trailing slash: refused before any redirect to add one
        "/episodes/?page=%00",
        "/membership/success/?session_id=%00",
        "/?%00=1",
    ],
)
def test_a_nul_in_the_address_gets_the_bad_address_page(strict_client, url):
    response = strict_client.get(url)

    assert response.status_code == 400
    assert "We couldn't read that address" in response.content.decode()
    assert response.headers["X-Frame-Options"] == "DENY"


def test_odd_reply_to_is_ignored(strict_client, episode):
    response = strict_client.get(f"/episodes/{episode.slug}/?reply_to={HUGE}")
    assert response.status_code == 200


@pytest.mark.parametrize(
    "data",
    [
        {"parent": HUGE},
        {"parent": "-1"},
        {"parent": "abc"},
        {"email": LONG_EMAIL},
        {"name": "x" * 500},
        {"body": "nul\x00byte"},
        {"name": "\x00"},
    ],
)
def test_odd_comment_posts_come_back_as_form_errors(strict_client, episode, data):
    payload = {"name": "Alex", "email": "alex@example.com", "body": "Hello", **data}
    response = strict_client.post(f"/episodes/{episode.slug}/comments/", payload)
    assert response.status_code in {302, 400}


def test_reply_to_a_huge_parent_id(strict_client, episode):
    CommentFactory(episode=episode)
    response = strict_client.post(
        f"/episodes/{episode.slug}/comments/",
        {"name": "A", "email": "a@example.com", "body": "Hi", "parent": HUGE},
    )
    assert response.status_code == 400


@pytest.mark.parametrize("email", [LONG_EMAIL, "x\x00@example.com", "a" * 400])
def test_odd_subscribe_posts_come_back_as_form_errors(strict_client, email):
    response = strict_client.post("/subscribe/", {"email": email})
    assert response.status_code == 400


def test_checkout_with_a_huge_plan_id(strict_client, free_member):
    strict_client.force_login(free_member)
    response = strict_client.post("/membership/checkout/", {"plan": HUGE})
    assert response.status_code in {302, 303, 400}


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/accounts/signup/", {"email": LONG_EMAIL, "password1": "x" * 5000, "password2": "y"}),
        ("/accounts/login/", {"login": LONG_EMAIL, "password": "x" * 5000}),
        ("/accounts/password/reset/", {"email": LONG_EMAIL}),
        ("/accounts/login/code/", {"email": "a" * 400}),
    ],
)
def test_odd_account_posts_come_back_as_form_errors(strict_client, url, data):
    response = strict_client.post(url, data)
    # Password reset never says whether an address has an account, so it moves on.
    assert response.status_code in ({200, 400} if "reset" not in url else {302})
    if response.status_code != 302:
        page = response.content.decode()
        assert "field__error" in page or "notice--error" in page


# --- Every URL pattern, every persona ---------------------------------------------------------

# Hostile path and query values, percent-encoded as a client would send them.
HOSTILE = {
    "NUL": "%00",
    "escaped NUL": "%2500",
    "500 characters": "x" * 500,
    "right-to-left override": quote("\u202egnp.exe"),
    "emoji": quote("\U0001f9b4"),
    "combining marks": quote("e\u0301\u0301\u0301"),
    "lone surrogate": "%ED%A0%80",
    "20 digits": "9" * 20,
    "minus one": "-1",
    "superscript digit": quote("\u00b2"),
}
PERSONAS = ["visitor", "free_member", "premium_member", "staff"]
# The query parameters the site reads, and the pages that read them.
QUERY_PAGES = {
    "page": ["/", "/episodes/", "/search/?q=back", "/topics/{topic}/"],
    "q": ["/search/"],
    "reply_to": ["/episodes/{episode}/"],
    "session_id": ["/membership/success/"],
    "next": ["/accounts/login/", "/accounts/signup/", "/accounts/login/code/"],
}
ROUTES_WITH_PARAMETERS = [route for route in site_routes() if route.params]


def _persona_client(request, persona: str) -> Client:
    client = Client(raise_request_exception=True)
    if persona != "visitor":
        client.force_login(request.getfixturevalue(persona))
    return client


def _resolves(url: str) -> bool:
    """Whether Django's resolver matches the path, decoded as the test client decodes it."""
    path = repercent_broken_unicode(unquote_to_bytes(urlsplit(url).path)).decode()
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


@pytest.mark.parametrize("persona", PERSONAS)
def test_hostile_values_in_any_path_parameter(request, persona):
    """A hostile value is answered as an unknown one: the same status as a well-formed value
    that matches nothing, 404 where the URL pattern refuses it, 400 for a NUL."""
    client = _persona_client(request, persona)
    wrong = []
    for route in ROUTES_WITH_PARAMETERS:
        unknown = route.fill({name: "0" for name in route.params})
        baseline = client.get(unknown).status_code
        for label, value in HOSTILE.items():
            url = route.fill({name: value for name in route.params})
            expected = 400 if label == "NUL" else baseline if _resolves(url) else 404
            status = client.get(url).status_code
            if status != expected:
                wrong.append(f"{route.name} {label}: {status}, expected {expected}")
    assert wrong == []


@pytest.mark.parametrize("persona", PERSONAS)
def test_hostile_values_in_any_query_parameter(request, persona, episode):
    """A hostile query value changes nothing: the page answers as it does without it."""
    topic = TopicFactory()
    client = _persona_client(request, persona)
    wrong = []
    for parameter, pages in QUERY_PAGES.items():
        for page in pages:
            url = page.format(topic=topic.slug, episode=episode.slug)
            baseline = client.get(url).status_code
            joiner = "&" if "?" in url else "?"
            for label, value in HOSTILE.items():
                expected = 400 if label == "NUL" else baseline
                status = client.get(f"{url}{joiner}{parameter}={value}").status_code
                if status != expected:
                    wrong.append(f"{url} {parameter} {label}: {status}, expected {expected}")
    assert wrong == []
