from django.contrib.sitemaps import Sitemap

from .models import Routine


class RoutineSitemap(Sitemap):
    """Routine pages: what each routine is for is public; the instructions are not."""

    changefreq = "monthly"
    priority = 0.4

    def items(self):
        return Routine.objects.select_related("phase")
