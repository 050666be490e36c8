"""Recompute every episode's search vectors (PostgreSQL), e.g. after a bulk import."""

from django.core.management.base import BaseCommand

from episodes import services


class Command(BaseCommand):
    help = "Recompute the full-text search vectors of every episode (PostgreSQL only)."

    def handle(self, *args, **options):
        count = services.search_index_rebuild()
        self.stdout.write(f"Search index rebuilt for {count} episode(s).")
