"""Premium membership billed by Stripe: Checkout, the return from it, the Customer Portal,
and the complimentary premium staff give without payment.

Stripe is treated as the source of truth (as pretix does): a return from Checkout is only
a trigger; the subscription is re-fetched and its absolute state stored (stripe_sync.py).
"""

import datetime as dt
import enum
import logging
import re
from typing import Any

import stripe
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from members.models import Membership, Plan, User
from members.selectors import membership_grants_premium, membership_has_open_subscription
from members.stripe_client import StripeNotConfigured, stripe_client

from .stripe_objects import _as_dict, _id_of
from .stripe_sync import membership_sync_from_stripe

logger = logging.getLogger(__name__)


class BillingError(Exception):
    """Something about billing went wrong; views turn it into a friendly message."""


class BillingUnavailable(BillingError):
    """Stripe is not configured here, or did not answer; nothing was changed."""


class NoBillingAccount(BillingError):
    """The member has no Stripe customer yet, so there is nothing to manage."""


class AlreadySubscribed(BillingError):
    """The member already has a subscription; a second Checkout would bill them twice."""


class PlanUnavailable(BillingError):
    """The chosen plan is not on sale any more."""


class CheckoutConfirmation(enum.StrEnum):
    CONFIRMED = "confirmed"  # the subscription is synced and grants premium
    PENDING = "pending"  # Stripe has not confirmed the payment yet
    EXPIRED = "expired"  # the Checkout Session expired unpaid
    NOT_FOUND = "not_found"  # unknown, forged or someone else's session: grants nothing


_CHECKOUT_SESSION_ID = re.compile(r"^cs_[A-Za-z0-9_]{1,250}$")


def _site_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _client_or_unavailable() -> stripe.StripeClient:
    try:
        return stripe_client()
    except StripeNotConfigured as exc:
        raise BillingUnavailable("Payments are not configured on this site.") from exc


def _terms_acceptance_text() -> str:
    """The line beside Checkout's terms box, in the Markdown links Stripe's custom text takes."""
    terms = _site_url(reverse("pages:page", args=["terms"]))
    cancellation = _site_url(reverse("pages:page", args=["cancellation"]))
    return (
        f"I agree to the Back In Shape [terms of membership]({terms}), including "
        f"[cancellation and refunds]({cancellation})."
    )


def checkout_session_create(*, user: User, plan: Plan) -> str:
    """Start Stripe Checkout for a premium subscription; returns the URL to send them to.

    The member's existing Stripe customer is reused so their history stays in one place;
    otherwise Checkout creates one from their verified email address. Their user id goes
    in `client_reference_id` (and the subscription's metadata) so we can match the
    subscription to them whichever event or return arrives first.
    """
    if not plan.active:
        raise PlanUnavailable("That plan is not available any more.")
    membership = Membership.objects.filter(user=user).first()
    if membership_has_open_subscription(membership):
        raise AlreadySubscribed("You already have a premium subscription.")
    client = _client_or_unavailable()

    params: dict[str, Any] = {
        "mode": "subscription",
        "line_items": [{"price": plan.stripe_price_id, "quantity": 1}],
        "client_reference_id": str(user.pk),
        "metadata": {"user_id": str(user.pk)},
        "subscription_data": {"metadata": {"user_id": str(user.pk)}},
        # Stripe fills in {CHECKOUT_SESSION_ID}; it must reach Stripe unencoded.
        "success_url": _site_url(reverse("members:checkout_success"))
        + "?session_id={CHECKOUT_SESSION_ID}",
        "cancel_url": _site_url(reverse("members:membership")),
        # The member ticks a box agreeing to our terms before Stripe takes any money; the
        # line beside it links them (https://docs.stripe.com/payments/checkout/customization/policies).
        # Stripe needs the terms' URL in the Dashboard's public details as well (README).
        "consent_collection": {"terms_of_service": "required"},
        "custom_text": {"terms_of_service_acceptance": {"message": _terms_acceptance_text()}},
    }
    customer_id = membership.stripe_customer_id if membership else None
    if customer_id:
        params["customer"] = customer_id
    else:
        params["customer_email"] = user.email

    try:
        try:
            session = client.v1.checkout.sessions.create(params=params)
        except stripe.InvalidRequestError as exc:
            if not customer_id or exc.param != "customer":
                raise
            # The stored customer was deleted in the Stripe dashboard: start afresh.
            logger.warning("Stripe customer %s is gone; checkout by email instead", customer_id)
            params.pop("customer")
            params["customer_email"] = user.email
            session = client.v1.checkout.sessions.create(params=params)
    except stripe.StripeError as exc:
        logger.exception("Could not create a Checkout Session for user %s", user.pk)
        raise BillingUnavailable("Stripe did not start the checkout.") from exc
    logger.info("Checkout Session %s created for user %s (%s)", session.id, user.pk, plan)
    return session.url


def checkout_session_confirm(*, user: User, session_id: str) -> CheckoutConfirmation:
    """Confirm a return from Checkout with Stripe itself, so the member sees premium at once.

    The `session_id` in the success URL is only a hint: the session is retrieved
    server-side, must belong to this user (`client_reference_id`), and the subscription
    it created is synced exactly as the webhook would. A forged, unknown or foreign id
    grants nothing.
    """
    if not _CHECKOUT_SESSION_ID.match(session_id or ""):
        return CheckoutConfirmation.NOT_FOUND
    client = _client_or_unavailable()
    try:
        session = _as_dict(client.v1.checkout.sessions.retrieve(session_id))
    except stripe.InvalidRequestError:
        logger.warning("User %s returned with unknown Checkout Session %s", user.pk, session_id)
        return CheckoutConfirmation.NOT_FOUND
    except stripe.StripeError as exc:
        logger.exception("Could not retrieve Checkout Session %s", session_id)
        raise BillingUnavailable("Stripe did not answer.") from exc

    if session.get("client_reference_id") != str(user.pk) or session.get("mode") != "subscription":
        logger.warning(
            "User %s returned with Checkout Session %s that is not theirs", user.pk, session_id
        )
        return CheckoutConfirmation.NOT_FOUND
    if session.get("status") == "expired":
        return CheckoutConfirmation.EXPIRED
    subscription_id = _id_of(session.get("subscription"))
    if session.get("status") != "complete" or not subscription_id:
        return CheckoutConfirmation.PENDING
    try:
        membership = membership_sync_from_stripe(subscription_id=subscription_id, user_id=user.pk)
    except stripe.StripeError as exc:
        logger.exception("Could not sync subscription %s after checkout", subscription_id)
        raise BillingUnavailable("Stripe did not answer.") from exc
    if membership.user_id != user.pk:
        # The subscription's customer belongs to another account: never grant on it.
        logger.error(
            "Checkout Session %s of user %s synced onto user %s",
            session_id,
            user.pk,
            membership.user_id,
        )
        return CheckoutConfirmation.NOT_FOUND
    if membership_grants_premium(membership):
        return CheckoutConfirmation.CONFIRMED
    return CheckoutConfirmation.PENDING


def billing_portal_session_create(*, user: User) -> str:
    """Open the Stripe Customer Portal (card, plan, invoices, cancellation); returns its URL."""
    membership = Membership.objects.filter(user=user).exclude(stripe_customer_id=None).first()
    if membership is None or not membership.stripe_customer_id:
        raise NoBillingAccount("There is no billing account for you yet.")
    client = _client_or_unavailable()
    try:
        session = client.v1.billing_portal.sessions.create(
            params={
                "customer": membership.stripe_customer_id,
                "return_url": _site_url(reverse("members:account")),
            }
        )
    except stripe.StripeError as exc:
        logger.exception("Could not open the Customer Portal for user %s", user.pk)
        raise BillingUnavailable("Stripe did not open the billing portal.") from exc
    return session.url


def membership_complimentary_set(*, user: User, until: dt.date | None, by: User) -> Membership:
    """Give (or end, with until=None) premium without payment, up to and including `until`.

    Only this field is written, so a Stripe sync landing meanwhile is never undone. Staff
    only; the admin records who and why in its log.
    """
    if by is None or not by.is_staff:
        raise PermissionDenied("Only staff give complimentary memberships.")
    membership, _ = Membership.objects.get_or_create(user=user)
    membership.complimentary_until = until
    membership.save(update_fields=["complimentary_until", "updated_at"])
    return membership
