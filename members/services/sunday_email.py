"""The free Sunday email list: double opt-in, one-click unsubscribe, and the addresses the
email provider says must never be mailed again."""

from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from common import emails
from members.models import EmailSuppression, Subscriber, User


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
    emails.subscribe_confirm(
        subscriber.email,
        confirm_path=reverse("members:subscribe_confirm", args=[subscriber.token]),
    )
    return subscriber


def subscriber_confirm(*, subscriber: Subscriber) -> Subscriber:
    if subscriber.confirmed_at is None or subscriber.unsubscribed_at:
        subscriber.confirmed_at = timezone.now()
        subscriber.unsubscribed_at = None
        subscriber.save(update_fields=["confirmed_at", "unsubscribed_at"])
    return subscriber


UNSUBSCRIBE_SALT = "members.sunday-email-unsubscribe"


def sunday_email_unsubscribe_token(email: str) -> str:
    """A token for the unsubscribe link of one address: signed, so nobody can forge it,
    and URL-safe. It never expires: an old email's link must still work (RFC 8058)."""
    return signing.dumps(email.strip().lower(), salt=UNSUBSCRIBE_SALT)


def sunday_email_address_for_token(token: str) -> str | None:
    """The address an unsubscribe token stands for: a subscriber's own token, or a signed
    token from a Sunday email. None if the token is neither."""
    subscriber = Subscriber.objects.filter(token=token).only("email").first()
    if subscriber is not None:
        return subscriber.email
    try:
        return signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None


def sunday_email_unsubscribe(*, email: str) -> None:
    """Stop the Sunday email to this address at once (RFC 8058 one-click, or the page's button).

    Both ways of getting it stop: the free subscription, and a member's own preference.
    """
    Subscriber.objects.filter(email__iexact=email, unsubscribed_at__isnull=True).update(
        unsubscribed_at=timezone.now()
    )
    User.objects.filter(email__iexact=email).update(wants_sunday_email=False)


def member_sunday_email_set(*, user: User, wants_sunday_email: bool) -> User:
    """Turn the Sunday episode email on or off for a member's account."""
    if user.wants_sunday_email != wants_sunday_email:
        user.wants_sunday_email = wants_sunday_email
        user.save(update_fields=["wants_sunday_email"])
    return user


def sunday_email_suppress(
    *, email: str, reason: str, esp: str = "", event_id: str = "", detail: str = ""
) -> bool:
    """Stop every Sunday email to an address the email provider says must not get another:
    a hard bounce, a spam complaint, an unsubscribe at the provider. Mailing it again
    would hurt the sender reputation every other reader's email depends on.

    Free subscribers get suppressed_at, members wants_sunday_email off, and the reason is
    kept as an EmailSuppression. An event the provider sends twice is recorded once.
    Returns False for a repeat event.
    """
    try:
        with transaction.atomic():
            EmailSuppression.objects.create(
                email=email, reason=reason, esp=esp, event_id=event_id or "", detail=detail
            )
            Subscriber.objects.filter(email__iexact=email, suppressed_at__isnull=True).update(
                suppressed_at=timezone.now()
            )
            User.objects.filter(email__iexact=email).update(wants_sunday_email=False)
    except IntegrityError:
        return False  # the same event again
    return True


# Postmark's bounce types (postmarkapp.com/developer/api/bounce-api#bounce-types): anymail
# reports SoftBounce as "bounced" too, so only these count as permanent there.
_POSTMARK_PERMANENT_BOUNCES = {"HardBounce", "BadEmailAddress"}


def _bounce_is_permanent(event) -> bool:
    raw = event.esp_event if isinstance(event.esp_event, dict) else {}
    if "Type" in raw:  # Postmark
        return raw["Type"] in _POSTMARK_PERMANENT_BOUNCES
    severity = (raw.get("event-data") or {}).get("severity")
    if severity:  # Mailgun: "permanent" or "temporary" (anymail maps temporary to deferred)
        return severity == "permanent"
    return True  # anymail reports temporary failures as "deferred", not "bounced"


def esp_tracking_event_handle(*, event, esp_name: str) -> bool:
    """An email provider's tracking event (via django-anymail's webhook): suppress the
    address on a permanent bounce, a complaint or an unsubscribe; ignore the rest.
    Returns whether the address was suppressed now."""
    reasons = {
        "bounced": EmailSuppression.Reason.BOUNCED,
        "complained": EmailSuppression.Reason.COMPLAINED,
        "unsubscribed": EmailSuppression.Reason.UNSUBSCRIBED,
    }
    reason = reasons.get(event.event_type)
    if reason is None or not event.recipient:
        return False
    if reason == EmailSuppression.Reason.BOUNCED and not _bounce_is_permanent(event):
        return False
    detail = " ".join(filter(None, [event.description, event.mta_response]))
    return sunday_email_suppress(
        email=event.recipient,
        reason=reason,
        esp=esp_name or "",
        event_id=event.event_id or "",
        detail=detail[:2000],
    )
