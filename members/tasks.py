"""Celery tasks for members: thin wrappers that take ids and call a service."""

import logging

from celery import shared_task

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
