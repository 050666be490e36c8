"""The podcast feed (for Apple Podcasts, Spotify and every other app) and the articles feed.

Both are built with Django's syndication framework. Every URL in them is absolute and
built from settings.SITE_URL, never from the request's Host header, so a feed fetched
through a proxy or on an odd host name still points at the real site.

Neither feed ever carries an article body: descriptions are the standfirst only, so the
members-only part of an article cannot leak through a feed reader.
"""

import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Q
from django.templatetags.static import static
from django.urls import reverse
from django.utils.feedgenerator import Enclosure, Rss201rev2Feed
from django.utils.html import escape

from .models import Episode

SHOW_TITLE = "Back In Shape"
SHOW_AUTHOR = "Back In Shape"
SHOW_DESCRIPTION = (
    "Straight talk about back pain. Every Sunday, one episode and a deep-dive article on "
    "what is going on in your back and what you can do about it: strength, movement and "
    "a calm, gradual plan. Education, not a diagnosis: see a clinician about your own back."
)
# Apple Podcasts categories: https://podcasters.apple.com/support/1691-apple-podcasts-categories
ITUNES_CATEGORY = "Health & Fitness"
ITUNES_SUBCATEGORY = "Fitness"
ARTWORK_STATIC_PATH = "img/podcast-artwork.png"  # 1400x1400 PNG, Apple's minimum size

ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST_NS = "https://podcastindex.org/namespace/1.0"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"

# Podcasting 2.0 <podcast:guid>: a UUIDv5 of the feed URL (scheme and trailing slashes
# removed) in this fixed namespace. https://podcastindex.org/namespace/1.0#guid
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")


def absolute_url(path: str) -> str:
    """`path` as an absolute URL on the public site (already absolute URLs pass through)."""
    if path.startswith(("http://", "https://")):
        return path
    return f"{settings.SITE_URL}/{path.lstrip('/')}"


def podcast_guid() -> str:
    """The show's permanent Podcasting 2.0 GUID, derived from the feed's URL."""
    parts = urlsplit(absolute_url(reverse("episodes:podcast_feed")))
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, f"{parts.netloc}{parts.path}".rstrip("/")))


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
        super().add_root_elements(handler)
        handler.addQuickElement("itunes:image", None, {"href": self.feed["itunes_image"]})
        handler.startElement("itunes:category", {"text": ITUNES_CATEGORY})
        handler.addQuickElement("itunes:category", None, {"text": ITUNES_SUBCATEGORY})
        handler.endElement("itunes:category")
        handler.addQuickElement("itunes:explicit", "false")
        handler.addQuickElement("itunes:author", SHOW_AUTHOR)
        handler.addQuickElement("itunes:type", "episodic")
        handler.addQuickElement("podcast:guid", self.feed["podcast_guid"])

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("duration"):
            handler.addQuickElement("itunes:duration", str(item["duration"]))
        handler.addQuickElement("itunes:episode", str(item["episode_number"]))
        handler.addQuickElement("itunes:episodeType", "full")
        if item.get("image"):
            handler.addQuickElement("itunes:image", None, {"href": item["image"]})
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
    language = "en-gb"
    title = SHOW_TITLE
    description = SHOW_DESCRIPTION

    def link(self):
        return absolute_url("/")

    def feed_url(self):
        return absolute_url(reverse("episodes:podcast_feed"))

    def feed_extra_kwargs(self, obj):
        return {
            "itunes_image": absolute_url(static(ARTWORK_STATIC_PATH)),
            "podcast_guid": podcast_guid(),
        }

    def items(self):
        has_audio = ~Q(audio_file="") | ~Q(audio_url="")
        return Episode.objects.published().filter(has_audio)

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
        link = self.item_link(item)
        return {
            "duration": item.audio_duration,
            "episode_number": item.number,
            "image": absolute_url(item.cover_image.url) if item.cover_image else "",
            "show_notes": (
                f"<p>{escape(item.standfirst)}</p>"
                f'<p><a href="{escape(link)}">Read the article for this episode</a></p>'
            ),
        }


class ArticleFeed(EpisodeFeed):
    """/feeds/articles.xml: the latest articles, as a summary and a link, never the body."""

    language = "en-gb"
    title = "Back In Shape: episode articles"
    description = "The deep-dive article behind each Sunday's Back In Shape episode."

    def link(self):
        return absolute_url(reverse("episodes:list"))

    def feed_url(self):
        return absolute_url(reverse("episodes:article_feed"))

    def items(self):
        return Episode.objects.published().prefetch_related("topics")[:20]

    def item_description(self, item):
        return f"{item.standfirst} Read the article on the Back In Shape website."

    def item_categories(self, item):
        return [topic.name for topic in item.topics.all()]
