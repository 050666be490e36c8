"""`python manage.py seed_demo`: the demo site, loaded the same way however often it runs.

Each app loads its own part, in the order the parts depend on each other:
`members.demo` (plans, the demo logins, Sunday email subscribers), `pages.demo` (privacy,
terms and the other site pages), `programs.demo` (the Program and its exercise drawings),
`episodes.demo` (topics, episodes with their sound, linked to the Program's routines,
comments, Sunday emails), then the demo member's fortnight on the Program. Every loader
writes only what is missing or differs, so a second run creates nothing and changes
nothing.

The demo logins are created only with DEBUG on (as in `make run`) or with --demo-users,
so the command can never plant a known password on a production site by accident; so
are the subscribers and the half-sent Sunday email, which a worker would go on sending.
"""

from collections import Counter

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from episodes.demo import episodes_load_demo
from episodes.models import Comment, Episode, Topic
from members.demo import DEMO_LOGINS, members_load_demo
from members.models import Plan
from pages.demo import pages_load_demo
from programs.demo import (
    exercise_drawings_load_demo,
    program_load_demo,
    program_load_demo_member,
)


class Command(BaseCommand):
    help = (
        "Load the demo content: topics, episodes with articles, covers, audio, transcripts "
        "and chapters, comments, the Program with its drawings, plans and (with DEBUG on or "
        "--demo-users) the demo logins, subscribers and Sunday emails. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--demo-users",
            action="store_true",
            help="Create the demo logins even with DEBUG off (never do this in production).",
        )

    def handle(self, *args, demo_users: bool = False, **options):
        tally: Counter = Counter()
        with_users = demo_users or settings.DEBUG
        with transaction.atomic():
            people = members_load_demo(with_logins=with_users, tally=tally)
            pages_load_demo(tally=tally, by=people.staff)
            phases, routines = program_load_demo()
            exercise_drawings_load_demo(tally=tally)
            episodes = episodes_load_demo(staff=people.staff, with_mailings=with_users, tally=tally)
            if people.member and (logged := program_load_demo_member(user=people.member)):
                tally["demo program sessions logged"] += logged
        self._summary(tally=tally, episodes=episodes)
        self.stdout.write(f"Back In Shape Program: {phases} phases, {routines} routines.")
        if with_users:
            self.stdout.write("Demo logins (password: backinshape):")
            for login in DEMO_LOGINS:
                self.stdout.write(f"  {login['email']:<22} {login['role_text']}")
        else:
            self.stdout.write(
                "Demo logins not created (DEBUG is off). Add --demo-users to create them."
            )
        self.stdout.write(f"Open {settings.SITE_URL}/")

    def _summary(self, *, tally: Counter, episodes: dict[int, Episode]):
        write = self.stdout.write
        published = sum(e.status == Episode.Status.PUBLISHED for e in episodes.values())
        write(
            self.style.SUCCESS(
                f"Demo content ready: {len(episodes)} episodes ({published} published), "
                f"{Topic.objects.count()} topics, "
                f"{Comment.objects.filter(episode__in=episodes.values()).count()} comments, "
                f"{Plan.objects.count()} plans."
            )
        )
        changes = ", ".join(f"{count} {what}" for what, count in sorted(tally.items()))
        write(f"This run: {changes or 'nothing to change'}.")
