"""A premium member's private podcast feed: who gets it, when it stops, and its secrecy."""

import datetime as dt
import importlib.util
import logging
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from gunicorn.config import Config

from common.log_redaction import RedactSecretLinks
from common.page_cache import content_changed
from episodes import services as episode_services
from episodes.models import Episode
from members import services
from members.models import FeedToken, Membership
from tests.factories import EpisodeFactory, MembershipFactory

pytestmark = pytest.mark.django_db

SITE = "https://backinshape.example"


@pytest.fixture(autouse=True)
def _public_site(settings):
    settings.SITE_URL = SITE


def feed_path(feed_token: FeedToken) -> str:
    return f"/feeds/private/{feed_token.token}/podcast.xml"


def audio_episode(**kwargs) -> Episode:
    defaults = {"audio_url": "https://media.backinshape.example/a.mp3", "audio_size": 1000}
    return EpisodeFactory(**{**defaults, **kwargs})


@pytest.fixture
def feed_token(premium_member):
    return services.feed_token_get_or_create(user=premium_member)


def titles(response) -> list[str]:
    channel = ET.fromstring(response.content).find("channel")
    return [item.findtext("title") for item in channel.findall("item")]


def test_a_premium_member_sees_their_private_feed_address_on_the_account_page(
    client, premium_member
):
    client.force_login(premium_member)

    response = client.get("/account/")

    feed_token = FeedToken.objects.get(user=premium_member, revoked_at=None)
    assert f"{SITE}/feeds/private/{feed_token.token}/podcast.xml" in response.text
    assert "Reset the address" in response.text


def test_a_free_member_gets_no_private_feed(client, free_member):
    client.force_login(free_member)

    response = client.get("/account/")

    assert "/feeds/private/" not in response.text
    assert not FeedToken.objects.exists()


def test_the_token_is_long_and_random(feed_token):
    assert len(feed_token.token) >= 43  # token_urlsafe(32)


def test_private_feed_has_bonus_audio_and_the_members_only_show_notes(client, feed_token):
    audio_episode(title="Public episode")
    audio_episode(title="Bonus for members", members_only_audio=True)
    audio_episode(
        title="Discs with a members part",
        body="Public part.\n\n<!-- members-only -->\n\nSECRET-PREMIUM-PARAGRAPH here.",
    )

    response = client.get(feed_path(feed_token))

    assert response.status_code == 200
    assert sorted(titles(response)) == [
        "Bonus for members",
        "Discs with a members part",
        "Public episode",
    ]
    assert "SECRET-PREMIUM-PARAGRAPH" in response.text
    assert feed_token.token not in response.text  # no atom:link self carrying the secret
    assert "<itunes:block>Yes</itunes:block>" in response.text


def test_bonus_audio_stays_out_of_the_public_feed_sitemap_and_search(client):
    audio_episode(title="Bonus for members", slug="bonus-audio", members_only_audio=True)
    audio_episode(title="Public episode", slug="public-audio")

    feed = client.get("/feeds/podcast.xml")
    sitemap = client.get("/sitemap.xml")
    search = client.get("/search/?q=episode")

    assert titles(feed) == ["Public episode"]
    assert "bonus-audio" not in sitemap.text
    assert "public-audio" in sitemap.text
    assert "Bonus for members" not in search.text
    assert "Public episode" in search.text


def test_premium_members_find_bonus_audio_in_search(client, premium_member):
    audio_episode(title="Bonus for members", members_only_audio=True)
    client.force_login(premium_member)

    response = client.get("/search/?q=bonus")

    assert "Bonus for members" in response.text


def test_private_feed_says_no_referrer_and_is_never_in_a_shared_cache(client, feed_token):
    response = client.get(feed_path(feed_token))

    assert response["Referrer-Policy"] == "no-referrer"
    # The app keeps its copy and asks again each time (a 304 while it is current).
    assert response["Cache-Control"] == "private, no-cache"


@pytest.fixture
def polled(client, feed_token):
    """A podcast app's first fetch of the feed, a minute after the episodes last changed."""
    audio_episode(title="Already out", audio_duration=1800)
    with time_machine.travel(timezone.now() - dt.timedelta(minutes=1), tick=False):
        content_changed()
    response = client.get(feed_path(feed_token))
    assert response.status_code == 200
    return response


def test_an_app_polling_with_the_etag_of_a_current_copy_gets_304(client, feed_token, polled):
    response = client.get(feed_path(feed_token), HTTP_IF_NONE_MATCH=polled["ETag"])

    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == polled["ETag"]
    assert response["Cache-Control"] == "private, no-cache"
    assert response["Referrer-Policy"] == "no-referrer"


def test_an_app_polling_with_the_date_of_a_current_copy_gets_304(client, feed_token, polled):
    response = client.get(feed_path(feed_token), HTTP_IF_MODIFIED_SINCE=polled["Last-Modified"])

    assert response.status_code == 304
    assert response.content == b""


@pytest.mark.parametrize("validator", ["ETag", "Last-Modified"])
def test_an_app_polling_after_an_edit_gets_the_whole_feed(client, feed_token, polled, validator):
    episode = Episode.objects.get(title="Already out")
    episode.title = "Already out, retitled"
    episode_services.episode_save(episode=episode)
    header = {"ETag": "HTTP_IF_NONE_MATCH", "Last-Modified": "HTTP_IF_MODIFIED_SINCE"}[validator]

    response = client.get(feed_path(feed_token), **{header: polled[validator]})

    assert response.status_code == 200
    assert titles(response) == ["Already out, retitled"]


@pytest.mark.parametrize("stopped", ["lapsed", "revoked"])
def test_a_stopped_address_gets_410_even_for_a_current_copy(client, feed_token, polled, stopped):
    if stopped == "lapsed":
        Membership.objects.filter(user=feed_token.user).update(status=Membership.Status.CANCELED)
    else:
        services.feed_token_reset(user=feed_token.user)

    response = client.get(
        feed_path(feed_token),
        HTTP_IF_NONE_MATCH=polled["ETag"],
        HTTP_IF_MODIFIED_SINCE=polled["Last-Modified"],
    )

    assert response.status_code == 410
    assert response["Cache-Control"] == "private, no-store"


def test_polls_answered_304_still_count_towards_the_rate_limit(
    client, feed_token, polled, settings
):
    settings.PRIVATE_FEED_RATE_LIMIT = "3/h"
    for _ in range(3):
        assert (
            client.get(feed_path(feed_token), HTTP_IF_NONE_MATCH=polled["ETag"]).status_code == 304
        )

    response = client.get(feed_path(feed_token), HTTP_IF_NONE_MATCH=polled["ETag"])

    assert response.status_code == 429


def test_when_membership_lapses_the_feed_is_gone_with_a_reason(client, feed_token):
    Membership.objects.filter(user=feed_token.user).update(status=Membership.Status.CANCELED)

    response = client.get(feed_path(feed_token))

    assert response.status_code == 410
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.text.startswith(
        "This private feed has stopped because the Back In Shape membership it belongs to "
        "has ended. Rejoin at https://backinshape.example/membership/"
    )
    assert response["Referrer-Policy"] == "no-referrer"


def test_reset_kills_the_old_address_and_the_new_one_works(client, premium_member, feed_token):
    client.force_login(premium_member)

    response = client.post("/account/", {"form": "feed_reset"})

    assert response.status_code == 302
    assert response["Location"] == "/account/"
    new = FeedToken.objects.get(user=premium_member, revoked_at=None)
    assert new.token != feed_token.token
    assert client.get(feed_path(feed_token)).status_code == 410
    assert client.get(feed_path(new)).status_code == 200


def test_a_free_member_posting_a_reset_gets_no_feed(client, free_member):
    client.force_login(free_member)

    response = client.post("/account/", {"form": "feed_reset"})

    assert response.status_code == 302
    assert response["Location"] == "/account/"
    assert not FeedToken.objects.exists()
    assert "new address" not in client.get("/account/").text  # no "Done" message either


def test_staff_revoke_stops_the_feed(client, staff, feed_token):
    client.force_login(staff)

    response = client.post(
        "/admin/members/feedtoken/",
        {"action": "revoke_selected", "_selected_action": [feed_token.pk]},
    )

    assert response.status_code == 302
    client.logout()
    assert client.get(feed_path(feed_token)).status_code == 410


def test_an_unknown_token_is_a_404(client):
    response = client.get("/feeds/private/not-a-real-token/podcast.xml")

    assert response.status_code == 404


def test_one_live_token_per_member_is_kept_by_the_database(feed_token):
    with pytest.raises(IntegrityError), transaction.atomic():
        FeedToken.objects.create(user=feed_token.user)


def test_too_many_requests_for_one_address_is_a_429(client, feed_token, settings):
    settings.PRIVATE_FEED_RATE_LIMIT = "3/h"
    for _ in range(3):
        assert client.get(feed_path(feed_token)).status_code == 200

    response = client.get(feed_path(feed_token))

    assert response.status_code == 429
    other = services.feed_token_get_or_create(user=MembershipFactory().user)
    assert client.get(feed_path(other)).status_code == 200  # each address has its own limit


def test_the_token_never_reaches_the_request_log(client, feed_token, caplog):
    Membership.objects.filter(user=feed_token.user).update(status=Membership.Status.CANCELED)
    caplog.set_level(logging.WARNING, logger="django.request")

    client.get(feed_path(feed_token))
    client.get("/feeds/private/unknown-secret-token/podcast.xml")

    messages = [record.getMessage() for record in caplog.records]
    assert any("/feeds/private/…/podcast.xml" in message for message in messages)
    assert not any(feed_token.token in message for message in messages)
    assert not any("unknown-secret-token" in message for message in messages)


def test_the_development_server_log_is_redacted_too():
    record = logging.LogRecord(
        "django.server", logging.INFO, __file__, 1, '"%s" %s %s',
        ("GET /feeds/private/abc123SECRET/podcast.xml HTTP/1.1", 200, 512), None,
    )  # fmt: skip

    RedactSecretLinks().filter(record)

    assert record.getMessage() == '"GET /feeds/private/…/podcast.xml HTTP/1.1" 200 512'


def test_the_logging_settings_apply_the_filter_to_django_request_and_server():
    loggers = django_settings.LOGGING["loggers"]
    assert "redact_secret_links" in loggers["django.request"]["filters"]
    assert "redact_secret_links" in loggers["django.server"]["filters"]
    assert "redact_secret_links" in django_settings.LOGGING["handlers"]["console"]["filters"]


def test_the_gunicorn_access_log_redacts_the_token():
    path = Path(django_settings.BASE_DIR) / "deploy" / "gunicorn.conf.py"
    spec = importlib.util.spec_from_file_location("gunicorn_conf_under_test", path)
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    logger = conf.logger_class(Config())
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/feeds/private/abc123SECRET/podcast.xml",
        "PATH_INFO": "/feeds/private/abc123SECRET/podcast.xml",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": "https://x.example/feeds/private/abc123SECRET/podcast.xml",
    }

    class Resp:
        status = "200 OK"
        sent = 10
        headers = []

    atoms = logger.atoms(Resp(), [], environ, dt.timedelta(seconds=1))

    assert atoms["r"] == "GET /feeds/private/…/podcast.xml HTTP/1.1"
    assert atoms["U"] == "/feeds/private/…/podcast.xml"
    assert "abc123SECRET" not in atoms["f"]


def test_bonus_audio_plays_on_the_page_only_for_premium_members(client, premium_member):
    episode = audio_episode(slug="bonus-page", members_only_audio=True)

    public = client.get(episode.get_absolute_url())
    client.force_login(premium_member)
    member = client.get(episode.get_absolute_url())

    assert "media.backinshape.example/a.mp3" not in public.text  # player and JSON-LD
    assert "media.backinshape.example/a.mp3" in member.text
