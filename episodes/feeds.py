"""The podcast feed (for Apple Podcasts, Spotify and every other app) and the articles feed.

Both are built with Django's syndication framework. Every URL in them is absolute and
built from settings.SITE_URL, never from the request's Host header, so a feed fetched
through a proxy or on an odd host name still points at the real site.

The articles feed carries the public part of each article, rendered and sanitised, in
content:encoded; the members-only part never goes in any public feed (the cut is
rendering.split_members_only, the same one the article page uses). The podcast feed's show
notes are the standfirst and a link. Only a premium member's private podcast feed
(PrivatePodcastFeed, behind a secret address) carries the members-only part.
"""

import hashlib

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Q
from django.http import HttpResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.feedgenerator import Enclosure, Rss201rev2Feed
from django.utils.html import escape
from django.utils.http import http_date, quote_etag
from django.views.decorators.http import require_safe
from django_ratelimit.decorators import ratelimit

from common.page_cache import catalogue_generation, last_modified_time
from common.rate_limits import rate_setting
from members.selectors import feed_token_find, member_has_premium

from . import selectors
from .models import Episode, PodcastShow
from .podcast import (  # noqa: F401  (re-exported: the show's first values)
    ARTWORK_STATIC_PATH,
    CHAPTERS_TYPE,
    ITUNES_CATEGORY,
    ITUNES_SUBCATEGORY,
    PODCAST_GUID_NAMESPACE,
    SHOW_AUTHOR,
    SHOW_DESCRIPTION,
    SHOW_TITLE,
    podcast_guid_for_feed_url,
    transcript_type,
)
from .rendering import render_episode_article

HAS_AUDIO = ~Q(audio_file="") | ~Q(audio_url="")

ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST_NS = "https://podcastindex.org/namespace/1.0"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"


def absolute_url(path: str) -> str:
    """`path` as an absolute URL on the public site (already absolute URLs pass through)."""
    if path.startswith(("http://", "https://")):
        return path
    return f"{settings.SITE_URL}/{path.lstrip('/')}"


def podcast_guid() -> str:
    """The Podcasting 2.0 GUID derived from today's feed URL. Used once, to fill the
    PodcastShow row; the feed then always reads the stored one (see podcast_show)."""
    return podcast_guid_for_feed_url(absolute_url(reverse("episodes:podcast_feed")))


def podcast_show() -> PodcastShow:
    return selectors.podcast_show_get(feed_url=absolute_url(reverse("episodes:podcast_feed")))


def file_url(field) -> str:
    return absolute_url(field.url) if field else ""


def episode_audio_length(episode: Episode) -> int:
    """The enclosure length in bytes: the stored size, else the uploaded file's size."""
    if episode.audio_size:
        return episode.audio_size
    if episode.audio_file:
        try:
            return episode.audio_file.size
        except OSError:
            return 0
    return 0


class PodcastFeedGenerator(Rss201rev2Feed):
    """RSS 2.0 with the iTunes, Podcasting 2.0 and content namespaces."""

    def rss_attributes(self):
        return {
            **super().rss_attributes(),
            "xmlns:itunes": ITUNES_NS,
            "xmlns:podcast": PODCAST_NS,
            "xmlns:content": CONTENT_NS,
        }

    def add_root_elements(self, handler):
        show: PodcastShow = self.feed["show"]
        # Feed.language is not per-request in Django's syndication; the row decides it.
        self.feed["language"] = show.language
        if self.feed.get("private"):
            self.feed["feed_url"] = None  # Django falls back to the path, token and all
        super().add_root_elements(handler)
        handler.addQuickElement("itunes:image", None, {"href": self.feed["itunes_image"]})
        handler.startElement("itunes:category", {"text": show.apple_category})
        if show.apple_subcategory:
            handler.addQuickElement("itunes:category", None, {"text": show.apple_subcategory})
        handler.endElement("itunes:category")
        # Apple accepts "true" or "false" here (podcasters.apple.com/support/823).
        handler.addQuickElement("itunes:explicit", "true" if show.explicit else "false")
        handler.addQuickElement("itunes:author", show.author)
        handler.startElement("itunes:owner", {})
        handler.addQuickElement("itunes:name", show.owner_name)
        handler.addQuickElement("itunes:email", show.owner_email)
        handler.endElement("itunes:owner")
        handler.addQuickElement("itunes:type", "episodic")
        if self.feed.get("private"):
            # A member's own feed: no directory may list it, and it is not the show.
            handler.addQuickElement("itunes:block", "Yes")
            handler.addQuickElement("podcast:block", "yes")
        else:
            handler.addQuickElement("podcast:guid", str(show.podcast_guid))

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("duration"):
            handler.addQuickElement("itunes:duration", str(item["duration"]))
        handler.addQuickElement("itunes:episode", str(item["episode_number"]))
        handler.addQuickElement("itunes:episodeType", "full")
        if item.get("image"):
            handler.addQuickElement("itunes:image", None, {"href": item["image"]})
        if item.get("transcript_url"):
            handler.addQuickElement(
                "podcast:transcript",
                None,
                {"url": item["transcript_url"], "type": item["transcript_type"]},
            )
        if item.get("chapters_url"):
            handler.addQuickElement(
                "podcast:chapters", None, {"url": item["chapters_url"], "type": CHAPTERS_TYPE}
            )
        handler.addQuickElement("content:encoded", item["show_notes"])


class EpisodeFeed(Feed):
    """What both feeds say of an episode: its title, page, publication time and guid."""

    def item_title(self, item):
        return item.title

    def item_link(self, item):
        return absolute_url(item.get_absolute_url())

    def item_guid(self, item):
        # The episode's own UUID, not its URL: apps must never see a renamed or re-slugged
        # episode as a new one (Apple: "a guid that never changes").
        return str(item.guid)

    def item_guid_is_permalink(self, item):
        return False

    def item_pubdate(self, item):
        return item.publish_at


class PodcastFeed(EpisodeFeed):
    """/feeds/podcast.xml: every published episode that has audio, newest first."""

    feed_type = PodcastFeedGenerator
    private = False

    def get_object(self, request, *args, **kwargs):
        return podcast_show()

    def title(self, show):
        return show.title

    def description(self, show):
        return show.description

    def feed_copyright(self, show):
        return show.copyright

    def link(self):
        return absolute_url(reverse("episodes:home"))

    def feed_url(self):
        return absolute_url(reverse("episodes:podcast_feed"))

    def feed_extra_kwargs(self, show):
        return {
            "show": show,
            "private": self.private,
            "itunes_image": file_url(show.artwork) or absolute_url(static(ARTWORK_STATIC_PATH)),
        }

    def items(self):
        """Bonus audio for members is never in the public feed (see PrivatePodcastFeed)."""
        return Episode.objects.published().public_listing().filter(HAS_AUDIO)

    def show_notes(self, item) -> str:
        link = self.item_link(item)
        return (
            f"<p>{escape(item.standfirst)}</p>"
            f'<p><a href="{escape(link)}">Read the article for this episode</a></p>'
        )

    def item_description(self, item):
        return item.standfirst

    def item_enclosures(self, item):
        return [
            Enclosure(
                url=absolute_url(item.audio_src),
                length=str(episode_audio_length(item)),
                mime_type=item.audio_type or "audio/mpeg",
            )
        ]

    def item_extra_kwargs(self, item):
        return {
            "duration": item.audio_duration,
            "episode_number": item.number,
            # Apple wants square artwork here; the cover is a wide photo, so it never goes.
            "image": file_url(item.podcast_artwork),
            "transcript_url": file_url(item.transcript_file),
            "transcript_type": transcript_type(item.transcript_file.name),
            "chapters_url": file_url(item.chapters_file),
            "show_notes": self.show_notes(item),
        }


class PrivatePodcastFeed(PodcastFeed):
    """One premium member's feed: every published episode with audio, bonus audio for
    members included, and show notes with the whole article, members-only part too.

    Only private_podcast_feed (below) serves it, after checking the token and the member.
    """

    private = True

    def get_object(self, request, feed_token):
        return podcast_show()

    def title(self, show):
        return f"{show.title} (members)"

    def description(self, show):
        return f"{show.description} Your private premium feed: please keep its address to yourself."

    def items(self):
        return Episode.objects.published().filter(HAS_AUDIO)

    def show_notes(self, item) -> str:
        article = render_episode_article(item)
        members_only = article.members_only.html if article.members_only else ""
        link = self.item_link(item)
        return (
            f"<p>{escape(item.standfirst)}</p>{article.public.html}{members_only}"
            f'<p><a href="{escape(link)}">Read the article for this episode</a></p>'
        )


def _plain(text: str, status: int) -> HttpResponse:
    response = HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")
    return _private_headers(response, cache_control="private, no-store")


def _private_headers(response: HttpResponse, *, cache_control: str) -> HttpResponse:
    # The address is the credential. no-referrer: a link followed from the show notes
    # never sends it on. private: no shared cache ever keeps a copy.
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = cache_control
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _unless_unchanged(request, response: HttpResponse) -> HttpResponse:
    """The feed, or 304 Not Modified when the app's copy is still current.

    Podcast apps poll every hour or so with the ETag (If-None-Match) or the date
    (If-Modified-Since) of the copy they hold: unchanged, they get a few hundred bytes
    instead of the whole feed. The ETag is a hash of the feed; the date is when the
    episodes last changed (the catalogue generation, or a release moment since), never
    the newest episode's date, which an edit does not move.
    """
    etag = quote_etag(hashlib.md5(response.content).hexdigest())  # noqa: S324 (not security)
    response["ETag"] = etag
    del response["Last-Modified"]
    changed_at = selectors.content_changed_at(generation=catalogue_generation())
    seconds = last_modified_time(changed_at.timestamp())
    if seconds is not None:
        response["Last-Modified"] = http_date(seconds)
    return get_conditional_response(request, etag=etag, last_modified=seconds, response=response)


def _feed_token_key(group, request) -> str:
    """django-ratelimit key: the token in the address (ratelimit stores only its hash)."""
    return request.resolver_match.kwargs.get("token", "")


@require_safe
@ratelimit(
    group="private-feed",
    key=_feed_token_key,
    rate=rate_setting("PRIVATE_FEED_RATE_LIMIT"),
    block=False,
)
def private_podcast_feed(request, token: str):
    """/feeds/private/<token>/podcast.xml: one premium member's podcast feed.

    Unknown token: 404. A revoked (or reset) address, or a membership that has ended:
    410 Gone with a short reason a podcast app can show, so the app stops asking, whatever
    copy it holds. Otherwise the feed, or 304 when the app's copy is current; either way
    `private, no-cache`: the app may keep its copy, and asks again before using it.
    """
    if request.limited:
        return _plain("Too many requests for this feed. Please try again in an hour.", 429)
    feed_token = feed_token_find(token)
    if feed_token is None:
        return _plain("There is no Back In Shape feed at this address.", 404)
    account_url = absolute_url(reverse("members:account"))
    if feed_token.revoked_at is not None:
        return _plain(
            "This private feed address has been replaced or switched off. Your current "
            f"address is on your Back In Shape account page: {account_url}",
            410,
        )
    if not member_has_premium(feed_token.user):
        membership_url = absolute_url(reverse("members:membership"))
        return _plain(
            "This private feed has stopped because the Back In Shape membership it belongs "
            f"to has ended. Rejoin at {membership_url}",
            410,
        )
    feed = PrivatePodcastFeed()(request, feed_token=feed_token)
    return _private_headers(_unless_unchanged(request, feed), cache_control="private, no-cache")


class ArticleFeedGenerator(Rss201rev2Feed):
    """RSS 2.0 with the content namespace, for the article's public HTML."""

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:content": CONTENT_NS}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("content:encoded", item["public_html"])


class ArticleFeed(EpisodeFeed):
    """/feeds/articles.xml: the latest articles, the public part in full, never the
    members-only part."""

    feed_type = ArticleFeedGenerator
    language = "en-gb"
    title = "Back In Shape: episode articles"
    description = "The deep-dive article behind each Sunday's Back In Shape episode."

    def link(self):
        return absolute_url(reverse("episodes:list"))

    def feed_url(self):
        return absolute_url(reverse("episodes:article_feed"))

    def items(self):
        return Episode.objects.published().public_listing().prefetch_related("topics")[:20]

    def item_description(self, item):
        return f"{item.standfirst} Read the article on the Back In Shape website."

    def item_categories(self, item):
        return [topic.name for topic in item.topics.all()]

    def item_extra_kwargs(self, item):
        article = render_episode_article(item)
        link = escape(self.item_link(item))
        more = (
            "The rest of this article is for premium members"
            if article.has_members_only
            else "Comments and related episodes are"
        )
        return {
            "public_html": (
                f"{article.public.html}"
                f'<p><a href="{link}">{more} on the Back In Shape website.</a></p>'
            )
        }
