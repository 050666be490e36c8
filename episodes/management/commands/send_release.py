from django.core.management.base import BaseCommand, CommandError

from episodes.mailing import EpisodeNotLive, release_deliveries_send, release_mailing_prepare
from episodes.mailing.selectors import release_pending_count
from episodes.models import Episode


class Command(BaseCommand):
    help = (
        "Send (or resume) an episode's release email to every current recipient. "
        "Running it again sends nobody a second copy."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the episode's slug, as in /episodes/<slug>/")

    def handle(self, *args, slug, **options):
        try:
            episode = Episode.objects.get(slug=slug)
        except Episode.DoesNotExist:
            raise CommandError(f"No episode with the slug {slug!r}.") from None
        try:
            mailing = release_mailing_prepare(episode=episode)
        except EpisodeNotLive as error:
            raise CommandError(f"{error} Publish it first.") from None
        sent = release_deliveries_send(mailing=mailing)
        waiting = release_pending_count(episode=episode)
        total = mailing.deliveries.count()
        self.stdout.write(
            self.style.SUCCESS(f"Sent {sent} email(s) for “{episode.title}”.")
            + f" {total} recipient(s) in all; {waiting} still waiting."
        )
