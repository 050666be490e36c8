from django.contrib.sitemaps import Sitemap
from django.urls import reverse

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


class PageSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return ["episodes:home", "episodes:list", "programs:overview", "members:subscribe"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {"pages": PageSitemap, "episodes": EpisodeSitemap, "topics": TopicSitemap}
