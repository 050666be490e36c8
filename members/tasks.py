"""Celery tasks for members: thin wrappers that take ids and call a service."""

import logging
import smtplib

from celery import shared_task
from django.core.mail import EmailMultiAlternatives

from . import services
from .models import StripeEvent

logger = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=8)
def process_stripe_event(self, event_id: str) -> None:
    """Process one stored Stripe webhook event (enqueued after the webhook's commit)."""
    try:
        services.stripe_event_process(event_id=event_id)
    except StripeEvent.DoesNotExist:
        logger.warning("Stripe event %s is not stored; nothing to process", event_id)
    except services.StripeEventDeferred as exc:
        if self.request.is_eager:
            return  # recorded on the event; staff can reprocess it from the admin
        # Back off 30 s, 60 s, 2 min … up to about an hour while Stripe is unreachable.
        raise self.retry(exc=exc, countdown=min(30 * 2**self.request.retries, 3600)) from exc


@shared_task(bind=True, max_retries=5, autoretry_for=(OSError,), retry_backoff=60)
def send_membership_email(self, membership_id: int, kind: str) -> bool:
    """Send a membership email (welcome, payment failed, ended) if it still applies."""
    return services.membership_email_send(membership_id=membership_id, kind=kind)


def email_payload(message) -> dict:
    """A rendered email as plain data a task can carry (JSON-serialisable)."""
    return {
        "subject": message.subject,
        "body": message.body,
        "from_email": message.from_email,
        "to": list(message.to),
        "headers": dict(message.extra_headers),
        "alternatives": [[content, mimetype] for content, mimetype in message.alternatives],
    }


@shared_task(
    autoretry_for=(OSError, smtplib.SMTPException),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=8,
)
def send_rendered_email(payload: dict) -> None:
    """Send an email rendered by the web process (allauth's verification, code and reset
    emails); a mail server that is down is retried with backoff."""
    message = EmailMultiAlternatives(
        subject=payload["subject"],
        body=payload["body"],
        from_email=payload["from_email"],
        to=payload["to"],
        headers=payload["headers"],
    )
    for content, mimetype in payload["alternatives"]:
        message.attach_alternative(content, mimetype)
    message.send()
