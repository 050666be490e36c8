"""`python manage.py load_site_pages`: write the first versions of the site's pages (privacy,
terms, cancellation, contact, about, accessibility, medical disclaimer) that a new site
doesn't have yet. Pages staff have written are left alone, so it is safe to run again."""

from collections import Counter

from django.core.management.base import BaseCommand

from pages.demo import pages_load_demo


class Command(BaseCommand):
    help = "Write the first versions of any site pages the site doesn't have yet. Safe to rerun."

    def handle(self, *args, **options):
        written = pages_load_demo(tally=Counter())
        self.stdout.write(
            f"Site pages: {written} written."
            + (" Read them and fill in your details in /admin/ → Site pages." if written else "")
        )
