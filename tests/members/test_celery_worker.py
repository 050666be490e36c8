"""Webhook processing through a real Celery worker and Redis broker (integration).

Skipped on a machine without a broker; fails in CI (CI=true), where Redis must be up.
Run locally with: CELERY_BROKER_URL=redis://127.0.0.1:6379/0 .venv/bin/pytest tests/members
"""

import json
import time

import pytest

from backinshape.celery import app
from members.models import Membership, StripeEvent
from tests.members.fake_stripe import event_payload, sign_payload


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_worker_processes_the_webhook_event_after_commit(
    celery_worker, fake_stripe, client, subscriber_member, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    membership = Membership.objects.get(user=subscriber_member)
    fake_stripe.update_subscription(membership.stripe_subscription_id, status="past_due")
    event = event_payload(
        "customer.subscription.updated",
        fake_stripe.subscriptions[membership.stripe_subscription_id],
    )
    body = json.dumps(event)
    response = client.post(
        "/membership/webhook/",
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign_payload(body),
    )

    assert response.status_code == 200
    assert not app.conf.task_always_eager  # the worker, not the request, does the work
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        stored = StripeEvent.objects.get(event_id=event["id"])
        if stored.processed_at or stored.error:
            break
        time.sleep(0.1)
    assert stored.error == ""
    assert stored.processed_at is not None
    membership.refresh_from_db()
    assert membership.status == Membership.Status.PAST_DUE
