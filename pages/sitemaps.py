from django.contrib.sitemaps import Sitemap

from .models import Page


class SitePageSitemap(Sitemap):
    """Privacy, terms, contact and the rest, once written."""

    changefreq = "monthly"
    priority = 0.3

    def items(self):
        return Page.objects.filter(version__gte=1).only("kind", "updated_at")

    def lastmod(self, page):
        return page.updated_at
