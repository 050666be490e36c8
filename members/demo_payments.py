"""Membership's side of demo payments (demostripe): what the demo Stripe needs to know.

Real Stripe learns the prices from its Dashboard and sends events to our webhook. The demo
Stripe sits below members, so members tells it both, once the apps are ready: the Plans
are its prices, and its events go to the service the webhook view hands every verified
event to (stripe_event_receive), which stores the event once and has a worker re-fetch
the subscription, as for real Stripe.
"""

from demostripe.registry import price_catalogue_register, webhook_endpoint_register
from demostripe.shapes import price_object

from . import services
from .models import Plan


def plan_prices() -> list[dict]:
    return [
        price_object(
            plan.stripe_price_id,
            amount=plan.amount,
            interval=plan.interval,
            currency=plan.currency,
            nickname=plan.name,
            active=plan.active,
        )
        for plan in Plan.objects.all()
    ]


def webhook_event_receive(event: dict) -> None:
    services.stripe_event_receive(event=event)


def demo_payments_connect() -> None:
    price_catalogue_register(plan_prices)
    webhook_endpoint_register(webhook_event_receive)
