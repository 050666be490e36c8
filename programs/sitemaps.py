from django.contrib.sitemaps import Sitemap

from .models import Exercise, Routine


class RoutineSitemap(Sitemap):
    """Routine pages: what each routine is for is public; the instructions are not."""

    changefreq = "monthly"
    priority = 0.4

    def items(self):
        return Routine.objects.select_related("phase")


class ExerciseSitemap(Sitemap):
    """The exercise library: each exercise's name and purpose are public; how to do it
    is for members."""

    changefreq = "monthly"
    priority = 0.3

    def items(self):
        return Exercise.objects.only("slug").order_by("name")
