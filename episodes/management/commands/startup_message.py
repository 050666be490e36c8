"""`python manage.py startup_message`: what `make run` prints before the site starts: where
it is, who to sign in as, where the emails go and how payments work here."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.urls import reverse

from members.demo import DEMO_LOGINS, DEMO_PASSWORD
from members.stripe_client import stripe_is_demo


class Command(BaseCommand):
    help = "Print where the development site is, its demo logins, outbox and payment mode."

    def handle(self, *args, **options):
        write = self.stdout.write
        site = settings.SITE_URL
        rule = "-" * 72
        write(rule)
        write(self.style.SUCCESS(f"Back In Shape is starting: open {site}/"))
        write("")
        write(f"Demo logins (password: {DEMO_PASSWORD}):")
        for login in DEMO_LOGINS:
            write(f"  {login['email']:<22} {login['role_text']}")
        write(f"  staff desk: {site}{reverse('admin:index')}")
        write("")
        if settings.EMAIL_BACKEND == "outbox.backends.OutboxEmailBackend":
            write(f"Emails are not sent: read them in the outbox, {site}{reverse('outbox:list')}")
        else:
            write(f"Emails go out through {settings.EMAIL_BACKEND}.")
        if stripe_is_demo():
            write(
                "Payments are in DEMO mode: no Stripe account, no card, no real money. "
                f"Join at {site}{reverse('members:membership')}"
            )
        elif settings.STRIPE_SECRET_KEY:
            write("Payments go to Stripe with the key in STRIPE_SECRET_KEY.")
        else:
            write("Payments are off (no STRIPE_SECRET_KEY).")
        if settings.CELERY_TASK_ALWAYS_EAGER:
            write("Tasks run in the web process (no CELERY_BROKER_URL).")
        else:
            write("A Celery worker and beat run beside the site (releases, reminders).")
        write("Stop everything with Ctrl-C.")
        write(rule)
