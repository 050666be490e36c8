"""The anonymous page cache: what is stored, for whom, and when it is forgotten.

Every test here runs twice: with Django's local-memory cache and with Redis (the
production cache; skipped locally without REDIS_URL, required in CI).
"""

import contextlib
import datetime as dt
import math
import os

import pytest
import time_machine
from django.core.cache import cache, caches
from django.db import connection
from django.test import Client
from django.test.client import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.http import http_date

from common.page_cache import CATALOGUE_KEY, COMMENTS_KEY, GENERATION_KEY, content_changed
from common.page_cache.middleware import _page_cache_key
from episodes import services as episode_services
from episodes.models import Comment, Episode, Topic
from episodes.templatetags import episode_tags
from episodes.views import EPISODES_PER_PAGE
from programs.demo import program_load_demo
from programs.models import Exercise, Phase, Routine
from tests.conftest import require_service
from tests.factories import CommentFactory, EpisodeFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db

REDIS_URL = os.environ.get("REDIS_URL", "")
ORIGIN = "http://testserver"


@pytest.fixture(params=["locmem", "redis"], autouse=True)
def cache_backend(request, settings):
    if request.param == "redis":
        require_service(
            REDIS_URL.startswith("redis://"),
            "Redis: set REDIS_URL=redis://127.0.0.1:6379/<n> with Redis running",
        )
        settings.CACHES = {
            "default": {
                "BACKEND": "common.redis_cache.RedisCache",  # as production
                "LOCATION": REDIS_URL,
                "KEY_PREFIX": "backinshape-test",
            }
        }
    else:
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    yield request.param
    cache.clear()


def test_the_redis_cache_keeps_one_client_and_still_works_across_a_fork(cache_backend):
    if cache_backend != "redis":
        pytest.skip("the Redis client only")
    # The backend's own redis-py client: Django's RedisCache offers no public way to it.
    backend_client = cache._cache  # noqa: SLF001
    client = backend_client.get_client()
    assert backend_client.get_client(write=True) is client
    cache.set("fork-check", "before")
    pid = os.fork()
    if pid == 0:  # a gunicorn worker forked after the master used the cache
        ok = False
        with contextlib.suppress(BaseException):  # the child only reports, by its exit code
            ok = cache.get("fork-check") == "before" and cache.set("fork-check", "child") is None
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert cache.get("fork-check") == "child"


def fresh_visitor(**kwargs) -> Client:
    return Client(**kwargs)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def get_twice(url: str):
    """A first visitor's response (a miss), then a second visitor's (a hit)."""
    return fresh_visitor().get(url), fresh_visitor().get(url)


# --- 1. What is cached ------------------------------------------------------------------


@pytest.fixture
def routine_url(db):
    program_load_demo()
    routine = Routine.objects.select_related("phase").order_by("phase__number", "position")[0]
    return f"/program/{routine.phase.slug}/{routine.slug}/"


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/episodes/",
        "/episodes/the-episode/",
        "/topics/posture/",
        "/program/",
        "ROUTINE",
        "/feeds/podcast.xml",
        "/feeds/articles.xml",
        "/sitemap.xml",
    ],
)
def test_a_second_visitor_gets_the_page_from_the_cache(url, routine_url, django_assert_num_queries):
    topic = TopicFactory(slug="posture", name="Posture")
    EpisodeFactory(slug="the-episode").topics.add(topic)
    url = routine_url if url == "ROUTINE" else url
    first = fresh_visitor().get(url)
    assert first.status_code == 200
    assert first["X-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = fresh_visitor().get(url)
    assert second.status_code == 200
    assert second["X-Cache"] == "hit"
    assert second.content == first.content
    assert not second.cookies


def test_a_cached_page_keeps_every_security_header(settings, episode):
    settings.SECURE_HSTS_SECONDS = 3600
    url = episode.get_absolute_url()
    fresh_visitor().get(url, secure=True)
    hit = fresh_visitor().get(url, secure=True)
    assert hit["X-Cache"] == "hit"
    assert "default-src 'self'" in hit["Content-Security-Policy"]
    assert "camera=()" in hit["Permissions-Policy"]
    assert hit["X-Frame-Options"] == "DENY"
    assert hit["Strict-Transport-Security"].startswith("max-age=3600")
    assert hit["X-Content-Type-Options"] == "nosniff"
    assert hit["Referrer-Policy"] == "strict-origin-when-cross-origin"


@pytest.mark.parametrize("url", ["/search/?q=back", "/membership/", "/subscribe/", "/nowhere/"])
def test_pages_that_are_not_the_same_for_everyone_are_not_cached(url, episode):
    first, second = get_twice(url)
    assert "X-Cache" not in first
    assert "X-Cache" not in second


def test_a_request_with_a_session_cookie_bypasses_the_cache(episode):
    url = episode.get_absolute_url()
    fresh_visitor().get(url)
    with_session = fresh_visitor()
    with_session.cookies["sessionid"] = "whatever"
    response = with_session.get(url)
    assert response.status_code == 200
    assert "X-Cache" not in response


def test_a_visitor_with_a_message_waiting_gets_it_not_the_cached_page(episode):
    url = episode.get_absolute_url()
    fresh_visitor().get(url)
    guest = fresh_visitor()
    guest.post(
        f"{url}comments/",
        {"name": "Ann", "email": "ann@example.com", "body": "Thanks for this."},
        HTTP_ORIGIN=ORIGIN,
    )
    response = guest.get(url)
    assert "X-Cache" not in response
    assert "awaiting moderation" in response.text


def test_tracking_parameters_share_the_page_and_unknown_ones_skip_the_cache(episode):
    fresh_visitor().get("/episodes/?page=1")
    assert fresh_visitor().get("/episodes/?utm_source=news&page=1")["X-Cache"] == "hit"
    assert "X-Cache" not in fresh_visitor().get("/episodes/?anything=else")
    assert "X-Cache" not in fresh_visitor().get("/episodes/?page=<script>")


def test_one_visitors_tracking_parameters_never_show_on_another_visitors_page(premium_episode):
    url = premium_episode.get_absolute_url()
    alice = fresh_visitor().get(f"{url}?utm_source=alice-letter&fbclid=ALICE-CLICK")
    bob = fresh_visitor().get(f"{url}?utm_campaign=bob-post")
    assert bob["X-Cache"] == "hit"
    for page in (alice, bob):
        assert "alice-letter" not in page.text
        assert "ALICE-CLICK" not in page.text
        assert "bob-post" not in page.text
        # The members-only panel's sign-in link brings either of them back to the page.
        assert f'href="/accounts/login/?next={url}"' in page.text


def test_a_repeated_page_parameter_shows_the_page_django_reads_the_last_value_of():
    EpisodeFactory(title="The newest episode", publish_at=timezone.now() - dt.timedelta(days=1))
    for days in range(2, EPISODES_PER_PAGE + 1):
        EpisodeFactory(publish_at=timezone.now() - dt.timedelta(days=days))
    EpisodeFactory(title="The oldest episode", publish_at=timezone.now() - dt.timedelta(days=99))
    second_page = fresh_visitor().get("/episodes/?page=1&page=2")
    first_page = fresh_visitor().get("/episodes/?page=2&page=1")
    assert "The oldest episode" in second_page.text
    assert "The newest episode" not in second_page.text
    assert "The newest episode" in first_page.text
    assert "The oldest episode" not in first_page.text
    assert fresh_visitor().get("/episodes/?page=1")["X-Cache"] == "hit"


def test_a_head_request_is_served_from_the_cache(episode):
    fresh_visitor().get("/")
    response = fresh_visitor().head("/")
    assert response.status_code == 200
    assert response["X-Cache"] == "hit"


# --- 2. Forms on cached pages --------------------------------------------------------------


def comment_form(**extra):
    return {"name": "Ann", "email": "ann@example.com", "body": "This helped.", **extra}


def test_a_cached_page_carries_no_csrf_token_or_cookie(episode):
    first, second = get_twice(episode.get_absolute_url())
    assert second["X-Cache"] == "hit"
    assert "csrfmiddlewaretoken" not in second.text
    assert not first.cookies


def test_a_visitor_comments_from_a_cached_page_without_a_token(episode):
    url = episode.get_absolute_url()
    fresh_visitor().get(url)
    guest = fresh_visitor(enforce_csrf_checks=True)
    assert guest.get(url)["X-Cache"] == "hit"
    response = guest.post(f"{url}comments/", comment_form(), HTTP_ORIGIN=ORIGIN)
    assert response.status_code == 302
    assert Comment.objects.get().status == Comment.Status.PENDING


def test_a_visitor_subscribes_from_the_cached_home_page_without_a_token(episode, mailoutbox):
    fresh_visitor().get("/")
    guest = fresh_visitor(enforce_csrf_checks=True)
    assert guest.get("/")["X-Cache"] == "hit"
    response = guest.post("/subscribe/", {"email": "reader@example.com"}, HTTP_REFERER=f"{ORIGIN}/")
    assert response.status_code == 200
    assert len(mailoutbox) == 1


def test_a_same_origin_fetch_without_origin_or_referer_is_accepted(episode):
    guest = fresh_visitor(enforce_csrf_checks=True)
    response = guest.post(
        f"{episode.get_absolute_url()}comments/",
        comment_form(),
        HTTP_SEC_FETCH_SITE="same-origin",
    )
    assert response.status_code == 302
    assert Comment.objects.count() == 1


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_ORIGIN": "null"},
        {"HTTP_ORIGIN": "https://evil.example", "HTTP_SEC_FETCH_SITE": "same-origin"},
        {"HTTP_REFERER": "https://evil.example/page"},
        {"HTTP_SEC_FETCH_SITE": "cross-site"},
        {},
    ],
)
def test_a_cross_site_comment_is_refused_with_the_styled_403(episode, headers):
    guest = fresh_visitor(enforce_csrf_checks=True)
    response = guest.post(f"{episode.get_absolute_url()}comments/", comment_form(), **headers)
    assert response.status_code == 403
    assert "Please try that again" in response.text
    assert Comment.objects.count() == 0


def test_a_cross_site_subscribe_is_refused(mailoutbox):
    guest = fresh_visitor(enforce_csrf_checks=True)
    response = guest.post(
        "/subscribe/", {"email": "reader@example.com"}, HTTP_ORIGIN="https://evil.example"
    )
    assert response.status_code == 403
    assert mailoutbox == []


def test_a_signed_in_member_without_a_token_is_refused_even_from_our_origin(episode, free_member):
    member = Client(enforce_csrf_checks=True)
    member.force_login(free_member)
    response = member.post(
        f"{episode.get_absolute_url()}comments/", comment_form(), HTTP_ORIGIN=ORIGIN
    )
    assert response.status_code == 403
    assert Comment.objects.count() == 0


def test_a_signed_in_member_posts_with_the_token_from_their_page(episode, free_member):
    member = Client(enforce_csrf_checks=True)
    member.force_login(free_member)
    page = member.get(episode.get_absolute_url())
    token = page.context["csrf_token"]
    response = member.post(
        f"{episode.get_absolute_url()}comments/",
        {"body": "Posted with my token.", "csrfmiddlewaretoken": str(token)},
        HTTP_ORIGIN=ORIGIN,
    )
    assert response.status_code == 302
    assert Comment.objects.get().body == "Posted with my token."


# --- 3. Invalidation ----------------------------------------------------------------------


def primed(url: str) -> str:
    """Cache `url` for visitors and return what they see."""
    fresh_visitor().get(url)
    response = fresh_visitor().get(url)
    assert response["X-Cache"] == "hit"
    return response.text


def visitor_sees(url: str):
    return fresh_visitor().get(url)


def test_publishing_an_episode_shows_it_at_once():
    draft = EpisodeFactory(title="Brand new episode", status=Episode.Status.DRAFT)
    assert "Brand new episode" not in primed("/episodes/")
    episode_services.episode_publish(episode=draft)
    assert "Brand new episode" in visitor_sees("/episodes/").text


def test_editing_an_episode_shows_the_edit_at_once(episode):
    primed(episode.get_absolute_url())
    episode.title = "A clearer title"
    episode_services.episode_save(episode=episode)
    assert "A clearer title" in visitor_sees(episode.get_absolute_url()).text


@pytest.mark.parametrize("action", ["unpublish", "schedule"])
def test_taking_an_episode_off_the_site_hides_it_at_once(episode, action):
    primed(episode.get_absolute_url())
    assert episode.title in primed("/episodes/")
    if action == "unpublish":
        episode_services.episode_unpublish(episode=episode)
    else:
        episode_services.episode_schedule(
            episode=episode, publish_at=timezone.now() + dt.timedelta(days=3)
        )
    assert visitor_sees(episode.get_absolute_url()).status_code == 404
    assert episode.title not in visitor_sees("/episodes/").text


def test_an_episode_appears_when_its_publish_moment_passes_without_a_save(settings):
    settings.PAGE_CACHE_CONTROL = "public, max-age=60, s-maxage=300, stale-while-revalidate=600"
    soon = timezone.now() + dt.timedelta(minutes=2)
    EpisodeFactory(title="Out in two minutes", status=Episode.Status.PUBLISHED, publish_at=soon)
    with time_machine.travel(soon - dt.timedelta(minutes=2), tick=False):
        first = fresh_visitor().get("/episodes/")
        assert "Out in two minutes" not in first.text
        # No cache downstream keeps the page past the release moment either.
        assert first["Cache-Control"] == "public, max-age=60, s-maxage=120"
        again = visitor_sees("/episodes/")
        assert again["X-Cache"] == "hit"
        assert again["Cache-Control"] == "public, max-age=60, s-maxage=120"
    with time_machine.travel(soon - dt.timedelta(seconds=30), tick=False):
        assert visitor_sees("/episodes/")["Cache-Control"] == "public, max-age=30, s-maxage=30"
    with time_machine.travel(soon + dt.timedelta(seconds=5)):
        assert "Out in two minutes" in visitor_sees("/episodes/").text
        # ... and from then on, the page is cached again as usual.
        assert visitor_sees("/episodes/")["X-Cache"] == "hit"


def test_no_stale_copy_is_served_past_the_release_moment():
    soon = timezone.now() + dt.timedelta(minutes=2)
    EpisodeFactory(title="Out in two minutes", status=Episode.Status.PUBLISHED, publish_at=soon)
    with time_machine.travel(soon - dt.timedelta(seconds=8), tick=False):
        response = fresh_visitor().get("/episodes/")
    # Five seconds fresh, then three of the five stale ones: none past the release.
    assert response["Cache-Control"] == "public, max-age=0, s-maxage=5, stale-while-revalidate=3"


@pytest.mark.parametrize(
    "status", [Comment.Status.APPROVED, Comment.Status.REMOVED, Comment.Status.SPAM]
)
def test_moderating_one_comment_shows_at_once(episode, status):
    start = Comment.Status.PENDING if status == Comment.Status.APPROVED else Comment.Status.APPROVED
    comment = CommentFactory(episode=episode, body="A moderated comment", status=start)
    before = primed(episode.get_absolute_url())
    assert ("A moderated comment" in before) is (start == Comment.Status.APPROVED)
    episode_services.comments_moderate(comments=[comment], status=status)
    after = visitor_sees(episode.get_absolute_url()).text
    assert ("A moderated comment" in after) is (status == Comment.Status.APPROVED)


@pytest.mark.parametrize(
    ("action", "start", "shown"),
    [
        ("approve_selected", Comment.Status.PENDING, True),
        ("mark_spam_selected", Comment.Status.APPROVED, False),
        ("remove_selected", Comment.Status.APPROVED, False),
    ],
)
def test_bulk_moderation_in_the_admin_shows_at_once(episode, staff, action, start, shown):
    comments = CommentFactory.create_batch(2, episode=episode, body="Bulk comment", status=start)
    primed(episode.get_absolute_url())
    changelist = (
        "/admin/episodes/pendingcomment/"
        if start == Comment.Status.PENDING
        else "/admin/episodes/comment/"
    )
    response = signed_in(staff).post(
        changelist, {"action": action, "_selected_action": [c.pk for c in comments]}
    )
    assert response.status_code == 302
    assert ("Bulk comment" in visitor_sees(episode.get_absolute_url()).text) is shown


def test_deleting_a_comment_in_the_admin_shows_at_once(episode, staff):
    comment = CommentFactory(episode=episode, body="Soon gone")
    assert "Soon gone" in primed(episode.get_absolute_url())
    signed_in(staff).post(f"/admin/episodes/comment/{comment.pk}/delete/", {"post": "yes"})
    assert not Comment.objects.exists()
    assert "Soon gone" not in visitor_sees(episode.get_absolute_url()).text


def test_a_signed_in_comment_posted_at_once_shows_at_once(episode, staff):
    primed(episode.get_absolute_url())
    signed_in(staff).post(f"{episode.get_absolute_url()}comments/", {"body": "Staff answer"})
    assert "Staff answer" in visitor_sees(episode.get_absolute_url()).text


def test_renaming_a_topic_in_the_admin_shows_at_once(episode, staff):
    topic = TopicFactory(name="Sleep", slug="sleep")
    episode.topics.add(topic)
    assert "Sleep" in primed("/topics/sleep/")
    primed("/episodes/")
    response = signed_in(staff).post(
        f"/admin/episodes/topic/{topic.pk}/change/", {"name": "Sleep and rest", "slug": "sleep"}
    )
    assert response.status_code == 302
    assert "Sleep and rest" in visitor_sees("/topics/sleep/").text
    assert "Sleep and rest" in visitor_sees("/episodes/").text


def test_adding_a_topic_to_an_episode_shows_at_once(episode):
    primed("/episodes/")
    episode.topics.add(Topic.objects.create(name="Lifting", slug="lifting"))
    assert "Lifting" in visitor_sees("/episodes/").text


def test_renaming_a_phase_shows_on_the_program_overview_at_once(routine_url):
    phase = Phase.objects.order_by("number").first()
    primed("/program/")
    phase.title = "A renamed phase"
    phase.save()
    assert "A renamed phase" in visitor_sees("/program/").text


def test_changing_a_routine_shows_on_its_page_at_once(routine_url):
    routine = Routine.objects.select_related("phase").order_by("phase__number", "position")[0]
    primed(routine_url)
    routine.summary = "A clearer summary of this routine."
    routine.save()
    assert "A clearer summary of this routine." in visitor_sees(routine_url).text


def test_changing_an_exercise_renders_the_routine_page_afresh(routine_url):
    primed(routine_url)
    exercise = Exercise.objects.filter(steps__isnull=False).first()
    exercise.name = "A renamed exercise"
    exercise.save()
    assert visitor_sees(routine_url)["X-Cache"] == "miss"


def test_a_commenter_changing_their_name_shows_at_once(episode):
    author = UserFactory(display_name="Old name")
    CommentFactory(episode=episode, user=author, name="")
    assert "Old name" in primed(episode.get_absolute_url())
    author.display_name = "New name"
    author.save(update_fields=["display_name"])
    assert "New name" in visitor_sees(episode.get_absolute_url()).text


def test_editing_a_related_episode_shows_on_the_page_that_links_to_it(episode, staff):
    linked = EpisodeFactory(title="The linked episode", publish_at=timezone.now())
    episode.related.add(linked)
    assert "The linked episode" in primed(episode.get_absolute_url())
    response = signed_in(staff).get(f"/admin/episodes/episode/{linked.pk}/change/")
    assert response.status_code == 200
    linked.title = "The linked episode, renamed"
    episode_services.episode_save(episode=linked)
    assert "The linked episode, renamed" in visitor_sees(episode.get_absolute_url()).text


def test_approving_a_comment_rebuilds_the_page_around_what_shows_no_comment(
    episode, django_assert_num_queries
):
    sleep = TopicFactory(name="Sleep")
    episode.topics.add(sleep)
    EpisodeFactory(topics=[sleep], title="Shares a topic")
    comment = CommentFactory(episode=episode, body="Just approved", status="pending")
    primed(episode.get_absolute_url())
    episode_services.comments_moderate(comments=[comment], status=Comment.Status.APPROVED)

    # The next release moment (kept per generation) and the comments; the episode, its
    # topics and routines, the neighbours and the related cards come from the cache.
    with django_assert_num_queries(2) as captured:
        page = visitor_sees(episode.get_absolute_url()).text
    assert "Just approved" in page
    assert "Shares a topic" in page
    tables = " ".join(q["sql"] for q in captured.captured_queries)
    assert "episodes_episode_topics" not in tables
    assert "LAG(" not in tables


def test_editing_an_episode_rebuilds_its_page_around_the_cached_comment_list(episode):
    CommentFactory.create_batch(3, episode=episode, body="Still here")
    primed(episode.get_absolute_url())
    episode.title = "A clearer title"
    episode_services.episode_save(episode=episode)

    with CaptureQueriesContext(connection) as after_edit:
        page = visitor_sees(episode.get_absolute_url()).text
    assert "A clearer title" in page
    assert page.count("Still here") == 3
    assert not any("episodes_comment" in q["sql"] for q in after_edit.captured_queries)

    content_changed()  # with every generation bumped, the comments are read again
    with CaptureQueriesContext(connection) as after_all:
        visitor_sees(episode.get_absolute_url())
    assert any("episodes_comment" in q["sql"] for q in after_all.captured_queries)


def test_a_lost_catalogue_generation_never_brings_old_fragments_back(episode):
    linked = EpisodeFactory(title="Before", publish_at=timezone.now())
    episode.related.add(linked)
    assert "Before" in primed(episode.get_absolute_url())
    Episode.objects.filter(pk=linked.pk).update(title="After")  # no signal: as if unseen
    cache.delete_many([GENERATION_KEY, COMMENTS_KEY, CATALOGUE_KEY])  # evicted
    page = visitor_sees(episode.get_absolute_url()).text
    assert "After" in page
    assert "Before" not in page


def test_signing_in_does_not_forget_the_cached_pages(episode, free_member):
    primed("/")
    generation = cache.get(GENERATION_KEY)
    fresh_visitor().login(email=free_member.email, password="password")
    free_member.last_login = timezone.now()
    free_member.save(update_fields=["last_login"])
    assert cache.get(GENERATION_KEY) == generation


def test_a_lost_generation_never_brings_old_pages_back(episode):
    primed("/")
    cache.delete(GENERATION_KEY)
    assert visitor_sees("/")["X-Cache"] == "miss"
    content_changed()
    assert visitor_sees("/")["X-Cache"] == "miss"


# --- 4. Audiences never mix ---------------------------------------------------------------


def test_premium_then_visitor(premium_episode, premium_member):
    url = premium_episode.get_absolute_url()
    member_page = signed_in(premium_member).get(url)
    assert "SECRET-PREMIUM-PARAGRAPH" in member_page.text
    assert "X-Cache" not in member_page
    assert "private" in member_page["Cache-Control"]
    visitor_page = fresh_visitor().get(url)
    assert visitor_page["X-Cache"] == "miss"
    assert "SECRET-PREMIUM-PARAGRAPH" not in visitor_page.text
    assert "Priya" not in visitor_page.text


def test_visitor_then_premium(premium_episode, premium_member):
    url = premium_episode.get_absolute_url()
    primed(url)
    member_page = signed_in(premium_member).get(url)
    assert "X-Cache" not in member_page
    assert "SECRET-PREMIUM-PARAGRAPH" in member_page.text
    assert "private" in member_page["Cache-Control"]
    assert "public" not in member_page["Cache-Control"]


def test_free_then_visitor(episode, free_member):
    url = episode.get_absolute_url()
    member_page = signed_in(free_member).get(url)
    assert "Commenting as <strong>Fran</strong>" in member_page.text
    for page in get_twice(url):
        assert "Fran" not in page.text
        assert "Sign in</a> to post straight away" in page.text


def test_visitor_then_free(episode, free_member):
    url = episode.get_absolute_url()
    primed(url)
    member_page = signed_in(free_member).get(url)
    assert "X-Cache" not in member_page
    assert "Commenting as <strong>Fran</strong>" in member_page.text


def test_staff_preview_then_visitor(staff):
    draft = EpisodeFactory(title="Not out yet", status=Episode.Status.DRAFT)
    preview = signed_in(staff).get(draft.get_absolute_url())
    assert preview.status_code == 200
    assert "Not out yet" in preview.text
    assert fresh_visitor().get(draft.get_absolute_url()).status_code == 404
    assert "Not out yet" not in fresh_visitor().get("/episodes/").text


def test_a_page_compressed_for_one_visitor_is_not_served_to_another(settings, episode):
    # Were compression ever done below the page cache, the stored copy would be gzip.
    at = settings.MIDDLEWARE.index("common.page_cache.middleware.AnonymousPageCacheMiddleware")
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE[: at + 1],
        "django.middleware.gzip.GZipMiddleware",
        *settings.MIDDLEWARE[at + 1 :],
    ]
    url = episode.get_absolute_url()
    gzipped = fresh_visitor().get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert gzipped["Content-Encoding"] == "gzip"
    plain = fresh_visitor().get(url)
    assert "Content-Encoding" not in plain
    assert episode.title in plain.text


def test_visitor_then_staff_sees_the_staff_page(episode, staff):
    primed("/")
    staff_page = signed_in(staff).get("/")
    assert "X-Cache" not in staff_page
    assert "private" in staff_page["Cache-Control"]


# --- 5. HTTP caching ----------------------------------------------------------------------


def cache_directives(response) -> dict[str, int | None]:
    directives = {}
    for part in response["Cache-Control"].split(","):
        name, _, value = part.strip().partition("=")
        directives[name.lower()] = int(value) if value.isdigit() else None
    return directives


@pytest.fixture
def content_changed_a_minute_ago(episode) -> dt.datetime:
    """The moment public content last changed, a minute ago (an episode and its page)."""
    moment = timezone.now() - dt.timedelta(minutes=1)
    with time_machine.travel(moment, tick=False):
        content_changed()
    return moment


def forget_page(url: str) -> None:
    """Drop one cached page, as a process that never rendered it (another gunicorn
    worker, another machine) or an eviction would find the cache."""
    key, _ = _page_cache_key(RequestFactory().get(url))
    assert cache.delete(key)


def test_a_cacheable_page_says_public_with_the_configured_lifetimes(settings, episode):
    for response in get_twice(episode.get_absolute_url()):
        assert response["Cache-Control"] == settings.PAGE_CACHE_CONTROL
        assert response["ETag"].startswith('"')


def test_no_cache_downstream_shows_a_page_for_more_than_ten_seconds_after_a_change(episode):
    # Neither nginx's micro-cache, a CDN nor a browser is told of a change: each keeps a
    # page as long as Cache-Control allows, stale windows included.
    for response in get_twice(episode.get_absolute_url()):
        directives = cache_directives(response)
        assert "public" in directives
        assert directives["max-age"] == 0  # browsers revalidate: a 304 with the ETag
        shared = directives["s-maxage"] + max(
            directives.get("stale-while-revalidate") or 0, directives.get("stale-if-error") or 0
        )
        assert 0 < directives["s-maxage"] <= shared <= 10


@pytest.mark.parametrize("warm", [False, True])
def test_a_conditional_request_gets_304(content_changed_a_minute_ago, warm):
    url = Episode.objects.get().get_absolute_url()
    first = fresh_visitor().get(url)
    if not warm:
        content_changed()
    again = fresh_visitor().get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    if warm:
        since = fresh_visitor().get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
        assert since.status_code == 304


def test_last_modified_is_the_moment_the_content_last_changed(content_changed_a_minute_ago):
    changed = math.ceil(content_changed_a_minute_ago.timestamp())
    for response in get_twice("/episodes/"):
        assert response["Last-Modified"] == http_date(changed)


@pytest.mark.parametrize(
    "url", ["/episodes/", "/feeds/podcast.xml", "/feeds/articles.xml", "/sitemap.xml"]
)
def test_if_modified_since_gets_304_whichever_process_renders_the_page(
    url, content_changed_a_minute_ago
):
    first = fresh_visitor().get(url)
    assert first["X-Cache"] == "miss"
    forget_page(url)
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=90)):
        again = fresh_visitor().get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert again.status_code == 304
    assert again["Last-Modified"] == first["Last-Modified"]


def test_if_modified_since_gets_the_page_after_a_change(content_changed_a_minute_ago):
    first = fresh_visitor().get("/episodes/")
    with time_machine.travel(timezone.now() - dt.timedelta(seconds=10), tick=False):
        content_changed()  # after the first visit's date, and before now
    again = fresh_visitor().get("/episodes/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert again.status_code == 200


def test_an_episode_going_live_by_the_clock_moves_last_modified(content_changed_a_minute_ago):
    release = timezone.now().replace(microsecond=0) + dt.timedelta(minutes=5)
    EpisodeFactory(title="Out by the clock", publish_at=release)
    with time_machine.travel(content_changed_a_minute_ago, tick=False):
        content_changed()  # the save above is a change too: back to a minute ago
    before = fresh_visitor().get("/episodes/")
    assert "Out by the clock" not in before.text
    with time_machine.travel(release + dt.timedelta(seconds=30)):
        after = fresh_visitor().get("/episodes/", HTTP_IF_MODIFIED_SINCE=before["Last-Modified"])
    assert after.status_code == 200
    assert "Out by the clock" in after.text
    assert after["Last-Modified"] == http_date(release.timestamp())


def test_a_page_rendered_in_the_very_second_of_a_change_has_no_last_modified_yet(episode):
    # Within that second a second change would carry the same date (RFC 9110, 8.8.2.2).
    moment = timezone.now().replace(microsecond=300_000) + dt.timedelta(minutes=1)
    with time_machine.travel(moment, tick=False):
        content_changed()
        first = fresh_visitor().get("/episodes/")
    assert "Last-Modified" not in first
    assert first["ETag"]
    with time_machine.travel(moment + dt.timedelta(seconds=2), tick=False):
        later = fresh_visitor().get("/episodes/")
    assert later["X-Cache"] == "hit"
    assert later["Last-Modified"] == http_date(math.ceil(moment.timestamp()))


def test_a_changed_page_gets_a_new_etag(episode):
    url = episode.get_absolute_url()
    first = fresh_visitor().get(url)
    CommentFactory(episode=episode, body="Something new")
    response = fresh_visitor().get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert response.status_code == 200
    assert "Something new" in response.text


# --- 6. The cold path ---------------------------------------------------------------------


@pytest.fixture
def persona_client(request, premium_member, free_member, staff):
    users = {"premium": premium_member, "free": free_member, "staff": staff}
    return fresh_visitor() if request.param == "visitor" else signed_in(users[request.param])


@pytest.mark.parametrize("persona_client", ["visitor", "free", "premium", "staff"], indirect=True)
@pytest.mark.parametrize("where", ["episode", "/", "/episodes/", "/feeds/podcast.xml"])
def test_a_page_renders_in_few_queries_whatever_the_comment_count(
    persona_client, where, django_assert_max_num_queries
):
    EpisodeFactory.create_batch(12)
    quiet, busy = EpisodeFactory(), EpisodeFactory()
    CommentFactory(episode=quiet)
    CommentFactory.create_batch(100, episode=busy)
    counts = []
    for episode in (quiet, busy):
        url = episode.get_absolute_url() if where == "episode" else where
        content_changed()  # the miss path: nothing cached yet
        # 11: a signed-in header asks once whether its reader is premium (Join premium or not).
        with django_assert_max_num_queries(11) as captured:
            assert persona_client.get(url).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_a_members_page_reuses_the_cached_comment_threads(
    premium_member, django_assert_num_queries
):
    episode = EpisodeFactory()
    CommentFactory.create_batch(20, episode=episode)
    member = signed_in(premium_member)
    member.get(episode.get_absolute_url())
    # The user and the membership the header asks about. The session, the episode (with
    # its topics and routines) and the rendered comment threads come from the cache.
    with django_assert_num_queries(2) as captured:
        member.get(episode.get_absolute_url())
    assert not any("episodes_comment" in q["sql"] for q in captured.captured_queries)


def test_a_members_page_reads_its_fragments_in_one_round_trip(premium_member, monkeypatch):
    episode = EpisodeFactory()
    CommentFactory.create_batch(5, episode=episode)
    member = signed_in(premium_member)
    member.get(episode.get_absolute_url())
    calls, inside = [], []
    backend = caches["default"]
    for name in ("get", "get_many"):
        original = getattr(backend, name)

        def counted(key, *args, _original=original, _name=name, **kwargs):
            if not inside:  # local memory's get_many is a loop of get
                calls.append((_name, key))
            inside.append(_name)
            try:
                return _original(key, *args, **kwargs)
            finally:
                inside.pop()

        monkeypatch.setattr(backend, name, counted)

    member.get(episode.get_absolute_url())

    # The session, the two generations together, the episode, then the article, the
    # comment list, the previous/next/related block and the Listen links together.
    assert [name for name, _ in calls] == ["get", "get_many", "get", "get_many"], calls


def test_a_member_sees_a_newly_approved_comment_at_once(premium_member):
    episode = EpisodeFactory()
    comment = CommentFactory(episode=episode, body="Approved just now", status="pending")
    member = signed_in(premium_member)
    assert "Approved just now" not in member.get(episode.get_absolute_url()).text
    episode_services.comments_moderate(comments=[comment], status=Comment.Status.APPROVED)
    assert "Approved just now" in member.get(episode.get_absolute_url()).text


def test_linking_a_routine_to_an_episode_shows_at_once(client, episode):
    program_load_demo()
    routine = Routine.objects.order_by("phase__number", "position").first()
    assert routine.title not in client.get(episode.get_absolute_url()).text  # now cached
    routine.episodes.add(episode)
    assert routine.title in client.get(episode.get_absolute_url()).text


def test_a_page_rebuilt_after_a_change_reuses_each_comments_html(monkeypatch):
    episode = EpisodeFactory()
    comments = CommentFactory.create_batch(20, episode=episode)
    fresh_visitor().get(episode.get_absolute_url())
    rendered = []
    real = episode_tags.render_comment
    monkeypatch.setattr(
        episode_tags, "render_comment", lambda text: rendered.append(text) or real(text)
    )
    content_changed()  # e.g. a topic renamed elsewhere: every page is rebuilt
    assert fresh_visitor().get(episode.get_absolute_url()).status_code == 200
    assert rendered == []
    Comment.objects.filter(pk=comments[0].pk).update(body="Edited words")
    content_changed()
    assert "Edited words" in fresh_visitor().get(episode.get_absolute_url()).text
    assert rendered == ["Edited words"]
