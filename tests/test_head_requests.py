"""Every page that answers GET answers HEAD the same way, with no body.

Uptime monitors and link-preview crawlers send HEAD first; a 405 there reads as "down".
"""

import pytest
from django.test import Client
from django.utils import timezone

from members.services import sunday_email_unsubscribe_token
from programs import services as program_services
from programs.demo import program_load_demo
from programs.models import Routine
from tests.factories import EpisodeFactory, SubscriberFactory, TopicFactory, site_page
from tests.programs.factories import SessionLogFactory
from tests.site_urls import site_routes

pytestmark = pytest.mark.django_db

# Actions that only take a form post (or Stripe's); GET and HEAD are both 405 there.
POST_ONLY = {
    "episodes:comment_post",
    "members:checkout",
    "members:billing_portal",
    "members:webhook",
    "programs:resume",
    "programs:checkin",
    "programs:session_log",
    "pages:notice_dismiss",
}

ROUTES = site_routes()


@pytest.fixture
def real_values(premium_member):
    """A value that exists for every path parameter, as the member's own links would have."""
    topic = TopicFactory(slug="posture")
    episode = EpisodeFactory(topics=[topic])
    program_load_demo()
    program_services.program_start(user=premium_member)
    routine = Routine.objects.select_related("phase").order_by("phase__number", "position")[0]
    session = SessionLogFactory(user=premium_member, routine=routine)
    subscriber = SubscriberFactory(confirmed_at=None)
    site_page("privacy")
    values = {
        "slug": episode.slug,
        "token": subscriber.token,
        "session_id": str(session.pk),
        "phase_slug": routine.phase.slug,
        "routine_slug": routine.slug,
        "key": "not-a-real-key",
        "esp": "postmark",
        "uidb36": "1",
        "pk": "1",  # a passkey's or an outbox message's page: someone else's or none is a 404
        "year": str(timezone.localtime(episode.publish_at).year),
        "portal_id": "bps_unknown",  # the development stand-ins: a 404 off DEBUG
        "kind": "privacy",
    }
    overrides = {
        "episodes:topic": {"slug": topic.slug},
        "members:unsubscribe": {"token": sunday_email_unsubscribe_token(premium_member.email)},
    }
    return lambda route: route.fill({**values, **overrides.get(route.name, {})})


def test_the_post_only_list_names_real_routes():
    assert {route.name for route in ROUTES} >= POST_ONLY


# One test per persona walking every route: the set-up (the demo program) is the slow part.
@pytest.mark.parametrize("signed_in", [False, True], ids=["visitor", "premium_member"])
def test_head_answers_like_get_with_an_empty_body(real_values, premium_member, signed_in):
    client = Client(raise_request_exception=True)
    if signed_in:
        client.force_login(premium_member)
    problems = []
    for route in ROUTES:
        url = real_values(route)
        get, head = client.get(url), client.head(url)
        if route.name in POST_ONLY:
            expected = (405, 405)
            answer = (get.status_code, head.status_code)
        else:
            if get.status_code == 405:
                problems.append(f"GET {url} is refused")
            expected = (get.status_code, get.get("Location"))
            answer = (head.status_code, head.get("Location"))
        if answer != expected or head.content:
            problems.append(f"HEAD {url}: {answer}, expected {expected}")
    assert problems == []
