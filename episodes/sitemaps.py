"""The sitemap's public pages (the list is in backinshape/urls.py, SITEMAPS).

Only what anyone may read and search engines may index: published episodes without
bonus audio, the topics and years that have some, and the site's own pages. Nothing
signed-in, members-only or unpublished, and nothing marked noindex (search).
"""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from . import selectors
from .models import Episode, Topic


class EpisodeSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return Episode.objects.published().public_listing().only("slug", "updated_at")

    def lastmod(self, episode):
        return episode.updated_at


class TopicSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return Topic.objects.filter(
            episodes__in=Episode.objects.published().public_listing()
        ).distinct()


class YearSitemap(Sitemap):
    """The archive of each year with episodes."""

    changefreq = "monthly"
    priority = 0.3

    def items(self):
        return selectors.episode_years_public()

    def location(self, item):
        return reverse("episodes:year", args=[item["year"]])

    def lastmod(self, item):
        return item["lastmod"]


class PageSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return [
            "episodes:home",
            "episodes:list",
            "episodes:topics",
            "programs:overview",
            "members:membership",
            "members:subscribe",
        ]

    def location(self, name):
        return reverse(name)


SITEMAPS = {
    "pages": PageSitemap,
    "episodes": EpisodeSitemap,
    "topics": TopicSitemap,
    "years": YearSitemap,
}
