"""Structured data (schema.org JSON-LD) for search engines and link previews.

Built only from what every visitor may read: titles, standfirsts, dates, topics, the
cover and the audio. Never the article body, so nothing members-only can reach a search
result through it. Property choices follow Google's guides for Article, BreadcrumbList
and the WebSite search box, and schema.org's PodcastEpisode / PodcastSeries.
"""

from django.templatetags.static import static
from django.urls import reverse

from .feeds import ARTWORK_STATIC_PATH, SHOW_DESCRIPTION, SHOW_TITLE, absolute_url
from .models import Episode, Topic

ORGANIZATION_NAME = "Back In Shape"
# The class of the element that holds the members-only part of an article, or, for
# everyone else, the "join to keep reading" panel standing in its place
# (templates/episodes/episode_detail.html, includes/members_only_panel.html).
PAYWALLED_PART_CLASS = "premium-part"
LOGO_STATIC_PATH = "img/podcast-artwork.png"


def _iso_duration(seconds: int | None) -> str | None:
    """ISO 8601 duration, e.g. PT42M10S (schema.org `timeRequired` / `duration`)."""
    if not seconds:
        return None
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "") + f"{secs}S"


def _home(fragment: str = "") -> str:
    """The home page's absolute URL, with `fragment` (e.g. "#organization") for an @id."""
    return absolute_url(reverse("episodes:home")) + fragment


def organization() -> dict:
    return {
        "@type": "Organization",
        "@id": _home("#organization"),
        "name": ORGANIZATION_NAME,
        "url": _home(),
        "logo": absolute_url(static(LOGO_STATIC_PATH)),
    }


def podcast_series() -> dict:
    return {
        "@type": "PodcastSeries",
        "@id": _home("#podcast"),
        "name": SHOW_TITLE,
        "url": _home(),
        "description": SHOW_DESCRIPTION,
        "image": absolute_url(static(ARTWORK_STATIC_PATH)),
        "webFeed": absolute_url(reverse("episodes:podcast_feed")),
        "author": {"@id": _home("#organization")},
    }


def home_graph() -> dict:
    """The home page: who we are, the show, and the site search."""
    website = {
        "@type": "WebSite",
        "@id": _home("#website"),
        "name": ORGANIZATION_NAME,
        "url": _home(),
        "publisher": {"@id": _home("#organization")},
        "potentialAction": {
            "@type": "SearchAction",
            "target": {
                "@type": "EntryPoint",
                "urlTemplate": absolute_url(reverse("episodes:search")) + "?q={search_term}",
            },
            "query-input": "required name=search_term",
        },
    }
    return {"@context": "https://schema.org", "@graph": [organization(), website, podcast_series()]}


def breadcrumbs(trail: list[tuple[str, str]]) -> dict:
    """A BreadcrumbList from (name, path) pairs, home first."""
    return {
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": position, "name": name, "item": absolute_url(path)}
            for position, (name, path) in enumerate(trail, start=1)
        ],
    }


def episode_graph(episode: Episode, *, has_members_only: bool) -> dict:
    """An episode page: the podcast episode, its article, and where it sits on the site."""
    url = absolute_url(episode.get_absolute_url())
    image = absolute_url(episode.cover_image.url) if episode.cover_image else None
    podcast_episode = {
        "@type": "PodcastEpisode",
        "@id": f"{url}#episode",
        "name": episode.title,
        "url": url,
        "description": episode.standfirst,
        "datePublished": episode.publish_at.isoformat(timespec="seconds"),
        "episodeNumber": episode.number,
        "partOfSeries": podcast_series(),
    }
    if episode.audio_src and not episode.members_only_audio:  # bonus audio stays private
        media = {
            "@type": "AudioObject",
            "contentUrl": absolute_url(episode.audio_src),
            "encodingFormat": episode.audio_type,
        }
        if duration := _iso_duration(episode.audio_duration):
            media["duration"] = duration
            podcast_episode["timeRequired"] = duration
        podcast_episode["associatedMedia"] = media
    if image:
        podcast_episode["image"] = image
    article = {
        "@type": "Article",
        "@id": f"{url}#article",
        "headline": episode.title[:110],  # Google truncates longer headlines
        "description": episode.standfirst,
        "url": url,
        "mainEntityOfPage": url,
        "datePublished": episode.publish_at.isoformat(timespec="seconds"),
        "dateModified": max(episode.publish_at, episode.updated_at).isoformat(timespec="seconds"),
        "author": {"@id": _home("#organization")},
        "publisher": organization(),
        "about": {"@id": f"{url}#episode"},
        "keywords": [topic.name for topic in episode.topics.all()],
        "isAccessibleForFree": not has_members_only,
    }
    if has_members_only:
        # Google's paywalled-content markup: the part behind the paywall, by a class
        # selector that matches it in the page as served, whoever reads it
        # (https://developers.google.com/search/docs/appearance/structured-data/paywalled-content).
        article["hasPart"] = {
            "@type": "WebPageElement",
            "isAccessibleForFree": False,
            "cssSelector": f".{PAYWALLED_PART_CLASS}",
        }
    if image:
        article["image"] = image
    trail = breadcrumbs(
        [
            ("Home", reverse("episodes:home")),
            ("Episodes", reverse("episodes:list")),
            (episode.title, episode.get_absolute_url()),
        ]
    )
    return {"@context": "https://schema.org", "@graph": [podcast_episode, article, trail]}


def topic_graph(topic: Topic) -> dict:
    trail = breadcrumbs(
        [
            ("Home", reverse("episodes:home")),
            ("Topics", reverse("episodes:topics")),
            (topic.name, topic.get_absolute_url()),
        ]
    )
    return {"@context": "https://schema.org", **trail}
