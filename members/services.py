"""Writes for members: the free Sunday email list and, later in this module, membership."""

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from backinshape.emails import email_send

from .models import Subscriber


def subscriber_request(*, email: str) -> Subscriber:
    """Ask for the Sunday email. Sends a confirmation link (double opt-in).

    Asking again re-sends the link and, for someone who had unsubscribed, starts over.
    Addresses that bounced or complained stay suppressed.
    """
    email = email.strip()
    subscriber = Subscriber.objects.filter(email__iexact=email).first()
    if subscriber is None:
        try:
            with transaction.atomic():
                subscriber = Subscriber.objects.create(email=email)
        except IntegrityError:
            subscriber = Subscriber.objects.get(email__iexact=email)
    if subscriber.suppressed_at:
        return subscriber
    if subscriber.is_active:
        return subscriber
    if subscriber.unsubscribed_at:
        subscriber.unsubscribed_at = None
        subscriber.confirmed_at = None
        subscriber.save(update_fields=["unsubscribed_at", "confirmed_at"])
    email_send(
        to=subscriber.email,
        template="subscribe-confirm",
        context={
            "confirm_path": reverse("members:subscribe_confirm", args=[subscriber.token]),
        },
    )
    return subscriber


def subscriber_confirm(*, subscriber: Subscriber) -> Subscriber:
    if subscriber.confirmed_at is None or subscriber.unsubscribed_at:
        subscriber.confirmed_at = timezone.now()
        subscriber.unsubscribed_at = None
        subscriber.save(update_fields=["confirmed_at", "unsubscribed_at"])
    return subscriber


def subscriber_unsubscribe(*, subscriber: Subscriber) -> Subscriber:
    """Stop the Sunday email at once (RFC 8058 one-click, or the page's button).

    A member's own preference follows too, so their account does not keep sending it.
    """
    from .models import User

    if subscriber.unsubscribed_at is None:
        subscriber.unsubscribed_at = timezone.now()
        subscriber.save(update_fields=["unsubscribed_at"])
    User.objects.filter(email__iexact=subscriber.email).update(wants_sunday_email=False)
    return subscriber
