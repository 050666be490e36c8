"""The free Sunday email list: double opt-in, one-click unsubscribe, and the addresses the
email provider says must never be mailed again."""

import base64
import functools

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

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
# Longer than any token we make for a 254-character address (about 360 characters).
_UNSUBSCRIBE_TOKEN_MAX_LENGTH = 600


@functools.lru_cache(maxsize=4)
def _unsubscribe_ciphers(secrets: tuple[str, ...]) -> tuple[AESSIV, ...]:
    # One 512-bit AES-SIV key per secret, derived with this salt so it serves nothing
    # else; the fallbacks (SECRET_KEY_FALLBACKS) keep links from before a key rotation
    # working.
    return tuple(
        AESSIV(salted_hmac(UNSUBSCRIBE_SALT, "aes-siv", secret=s, algorithm="sha512").digest())
        for s in secrets
    )


def _ciphers() -> tuple[AESSIV, ...]:
    return _unsubscribe_ciphers((settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS))


def sunday_email_unsubscribe_token(email: str) -> str:
    """The token in one address's unsubscribe link: the address encrypted with AES-SIV
    (RFC 5297), whose tag also signs it, so the link, which travels in headers and
    access logs, reveals nothing and nobody can forge one. Deterministic: an address
    always gets the same link, in the header and the body alike. It needs no query, so
    the release email makes one per recipient as cheaply as a signature, for members
    and free subscribers alike. It never expires: an old email's link must still work
    (RFC 8058)."""
    sealed = _ciphers()[0].encrypt(email.strip().lower().encode(), None)
    return base64.urlsafe_b64encode(sealed).decode("ascii").rstrip("=")


def sunday_email_address_for_token(token: str) -> str | None:
    """The address an unsubscribe token stands for: a subscriber's own random token, or
    one from a Sunday email. None if the token is neither.

    Emails sent before the tokens were encrypted carry the address signed with Django's
    signing under the same salt (readable, but no more forgeable than the new ones), so
    those links keep working too; an address merely base64-encoded is refused.
    """
    if not token or len(token) > _UNSUBSCRIBE_TOKEN_MAX_LENGTH:
        return None
    subscriber = Subscriber.objects.filter(token=token).only("email").first()
    if subscriber is not None:
        return subscriber.email
    email = _address_sealed_in(token)
    if email is not None:
        return email
    try:
        email = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return email if isinstance(email, str) else None


def _address_sealed_in(token: str) -> str | None:
    try:
        sealed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (ValueError, TypeError):  # binascii.Error, or not ASCII
        return None
    for cipher in _ciphers():
        try:
            return cipher.decrypt(sealed, None).decode()
        except (InvalidTag, ValueError):  # another key's, forged, or too short to be one
            continue
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
