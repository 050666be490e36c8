"""Nothing a visitor can send makes the site fail: odd input gets a clear answer, never a 500."""

import datetime as dt
import html
from urllib.parse import quote, unquote_to_bytes, urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.encoding import repercent_broken_unicode

from programs import services as program_services
from programs.demo import program_load_demo
from programs.models import CheckIn, Routine, SessionLog
from programs.services import RED_FLAGS
from tests.factories import CommentFactory, TopicFactory
from tests.programs.factories import SessionLogFactory
from tests.site_urls import site_routes

pytestmark = pytest.mark.django_db

HUGE = "9" * 30
NULL_ERROR = "Null characters are not allowed."
LONG_EMAIL = "a" * 60 + "@" + ("b" * 60 + ".") * 4 + "com"


@pytest.fixture
def strict_client():
    return Client(raise_request_exception=True)


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/?page=abc", 200),
        ("/episodes/?page=-1", 404),
        (f"/episodes/?page={HUGE}", 404),
        ("/search/?q=" + "back%20" * 500, 200),
        ("/search/?q=%F0%9F%A6%B4%20spine", 200),
        (f"/search/?q=back&page={HUGE}", 200),
        (f"/topics/none/?page={HUGE}", 404),
        (f"/unsubscribe/{'x' * 500}/", 404),
        (f"/subscribe/confirm/{'x' * 500}/", 404),
        ("/membership/success/?session_id=x", 302),  # signed out: to the sign-in page
        ("/feeds/podcast.xml?page=x", 200),
    ],
)
def test_odd_query_strings_get_the_pages_usual_answer(strict_client, url, status):
    assert strict_client.get(url).status_code == status


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


@pytest.mark.parametrize(
    ("plan", "phrase"),
    [
        (HUGE, "That plan is not available any more"),
        ("-1", "That plan is not available any more"),
        ("abc", "That plan is not available any more"),
        ("\x00", NULL_ERROR),
    ],
)
def test_checkout_with_an_odd_plan_id_shows_the_plans_and_what_to_fix(
    strict_client, free_member, plan, phrase
):
    strict_client.force_login(free_member)
    response = strict_client.post("/membership/checkout/", {"plan": plan})

    assert response.status_code == 400
    assert phrase in html.unescape(response.content.decode())


# allauth's own views re-render a failed form with 200 (not ours to change).
@pytest.mark.parametrize(
    ("url", "data", "status"),
    [
        (
            "/accounts/signup/",
            {"email": LONG_EMAIL, "password1": "x" * 5000, "password2": "y"},
            200,
        ),
        (
            "/accounts/signup/",
            {"email": "a\x00@example.com", "password1": "p", "password2": "p"},
            200,
        ),
        ("/accounts/login/", {"login": LONG_EMAIL, "password": "x" * 5000}, 200),
        ("/accounts/login/", {"login": "\x00", "password": "x"}, 200),
        # Too long to be anyone's address: said on the form (it reveals nothing about accounts).
        ("/accounts/password/reset/", {"email": LONG_EMAIL}, 200),
        ("/accounts/password/reset/", {"email": "\x00@example.com"}, 200),
        ("/accounts/login/code/", {"email": "a" * 400}, 200),
        ("/accounts/login/code/", {"email": "a\x00@example.com"}, 200),
    ],
)
def test_odd_account_posts_come_back_as_form_errors(strict_client, url, data, status):
    response = strict_client.post(url, data)
    # Password reset never says whether a valid-looking address has an account: it moves on.
    assert response.status_code == status
    if status != 302:
        page = response.content.decode()
        assert 'class="error-summary"' in page


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
# Listings whose pages are addresses of their own: a `page` that is none of them is a 404.
PAGED_LISTINGS = {"/episodes/", "/topics/{topic}/"}
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
    """A hostile query value changes nothing: the page answers as it does without it, or
    as an unknown page does where the value names a page of a listing."""
    topic = TopicFactory()
    client = _persona_client(request, persona)
    wrong = []
    for parameter, pages in QUERY_PAGES.items():
        for page in pages:
            url = page.format(topic=topic.slug, episode=episode.slug)
            baseline = client.get(url).status_code
            joiner = "&" if "?" in url else "?"
            for label, value in HOSTILE.items():
                expected = baseline
                if label == "NUL":
                    expected = 400
                elif parameter == "page" and page in PAGED_LISTINGS:
                    expected = 404
                status = client.get(f"{url}{joiner}{parameter}={value}").status_code
                if status != expected:
                    wrong.append(f"{url} {parameter} {label}: {status}, expected {expected}")
    assert wrong == []


# --- Every form: hostile values in each field -----------------------------------------------

NUL_TEXT = "nul\x00byte"
CHOICE_ERROR = "Select a valid choice."
KEPT = "Kept-text-7f3a"  # a value in another field, which must come back in the form


@pytest.fixture
def program_member(premium_member):
    """A premium member on Phase One, with a logged session waiting for its check-in."""
    program_load_demo()
    program_services.program_start(user=premium_member)
    routine = Routine.objects.select_related("phase").order_by("phase__number", "position")[0]
    session = SessionLogFactory(
        user=premium_member, routine=routine, date=timezone.localdate() - dt.timedelta(days=1)
    )
    return premium_member, routine, session


def _log_data(**changes):
    data = {
        "date": timezone.localdate().isoformat(),
        "done": "yes",
        "pain_before": "2",
        "worst_pain": "2",
        "effort": "5",
        "note": KEPT,
    }
    return {**data, **changes}


COMMENT = {"name": "Alex", "email": "alex@example.com", "body": KEPT}
FORM_CASES = [
    # (id, field changes, expected status, phrase in the error)
    ("comment name NUL", {"name": "\x00"}, 400, NULL_ERROR),
    ("comment name 500 chars", {"name": "x" * 500}, 400, "at most 80 characters"),
    ("comment email NUL", {"email": "x\x00@example.com"}, 400, NULL_ERROR),
    ("comment email too long", {"email": LONG_EMAIL}, 400, "at most 254 characters"),
    ("comment body NUL", {"body": NUL_TEXT, "name": KEPT}, 400, NULL_ERROR),
    ("comment body too long", {"body": "x" * 3001, "name": KEPT}, 400, "at most 3000 characters"),
    ("comment parent huge", {"parent": HUGE}, 400, "no longer there"),
    ("comment parent -1", {"parent": "-1"}, 400, "no longer there"),
    ("comment parent text", {"parent": "abc"}, 400, "Enter a whole number."),
    ("comment parent NUL", {"parent": "\x00"}, 400, "Enter a whole number."),
]


@pytest.mark.parametrize(
    ("changes", "status", "phrase"),
    [case[1:] for case in FORM_CASES],
    ids=[case[0] for case in FORM_CASES],
)
def test_a_hostile_comment_comes_back_with_its_text_and_what_to_fix(
    strict_client, episode, changes, status, phrase
):
    response = strict_client.post(f"/episodes/{episode.slug}/comments/", {**COMMENT, **changes})

    assert response.status_code == status
    page = response.content.decode()
    assert phrase in html.unescape(page)
    assert KEPT in page
    assert not episode.comments.exists()


@pytest.mark.parametrize(
    ("field", "value", "phrase"),
    [
        ("date", "\x00", "Enter a valid date."),
        ("date", HUGE, "Enter a valid date."),
        ("done", "\x00", CHOICE_ERROR),
        ("pain_before", HUGE, "Pain is from 0 (none) to 10 (worst imaginable)."),
        ("worst_pain", "-1", "Worst pain is from 0 (none) to 10 (worst imaginable)."),
        ("effort", "\U0001f9b4", "Effort is from 1 (hardly any) to 10"),
        ("note", NUL_TEXT, NULL_ERROR),
        ("note", "x" * 1001, "at most 1000 characters"),
    ],
)
def test_a_hostile_session_log_comes_back_with_its_text_and_what_to_fix(
    client, program_member, field, value, phrase
):
    member, routine, _ = program_member
    client.force_login(member)
    data = _log_data(**{field: value})
    if field == "note":
        data["note"] = value
        kept = None
    else:
        kept = KEPT

    response = client.post(f"{routine.get_absolute_url()}log/", data)

    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert phrase in page
    if kept:
        assert kept in page
    assert SessionLog.objects.filter(user=member).count() == 1  # only the fixture's


@pytest.mark.parametrize("value", ["\x00", HUGE, "\u202ebetter"])
def test_a_hostile_check_in_says_what_to_fix(client, program_member, value):
    member, _, session = program_member
    client.force_login(member)
    prefix = f"checkin-{session.pk}"

    response = client.post(
        f"/program/sessions/{session.pk}/check-in/",
        {f"{prefix}-pain": value, f"{prefix}-stiffness": "same"},
    )

    assert response.status_code == 400
    assert CHOICE_ERROR in html.unescape(response.content.decode())
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize("value", ["\x00", HUGE, "\U0001f9b4"])
def test_a_hostile_flare_up_answer_says_what_to_fix(client, program_member, value):
    member, _, _ = program_member
    client.force_login(member)
    answers = dict.fromkeys(RED_FLAGS, "no")
    answers[next(iter(RED_FLAGS))] = value

    response = client.post("/program/flare-up/", answers)

    assert response.status_code == 400
    assert CHOICE_ERROR in html.unescape(response.content.decode())
