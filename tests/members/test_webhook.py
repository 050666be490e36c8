"""The Stripe webhook: verify, record once, re-fetch and store Stripe's absolute state."""

import datetime as dt
import json
import re
import time

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from members.models import Membership, StripeEvent, User
from members.selectors import member_has_premium
from tests.factories import MembershipFactory, UserFactory
from tests.members.fake_stripe import DAY, event_payload, invoice_object, sign_payload

pytestmark = pytest.mark.django_db


def _membership(user) -> Membership:
    return Membership.objects.get(user=user)


def _has_premium(user) -> bool:
    """Ask the access rule about a fresh copy (the rule caches its answer per object)."""
    return member_has_premium(User.objects.get(pk=user.pk))


@pytest.mark.parametrize(
    ("configured_secret", "post_kwargs"),
    [
        pytest.param("", {"secret": "whsec_whatever"}, id="no secret configured"),
        pytest.param(None, {"signature": ""}, id="no signature"),
        pytest.param(None, {"secret": "whsec_someone_else"}, id="signed with another secret"),
    ],
)
def test_it_refuses_an_event_it_cannot_verify_and_changes_nothing(
    fake_stripe,
    settings,
    post_event,
    subscriber_member,
    subscription_event,
    configured_secret,
    post_kwargs,
):
    membership = _membership(subscriber_member)
    fake_stripe.update_subscription(membership.stripe_subscription_id, status="canceled")
    event = subscription_event("customer.subscription.deleted", membership.stripe_subscription_id)
    if configured_secret is not None:
        settings.STRIPE_WEBHOOK_SECRET = configured_secret

    response = post_event(event, **post_kwargs)

    assert response.status_code == 400
    assert not StripeEvent.objects.exists()
    assert _membership(subscriber_member).status == Membership.Status.ACTIVE


def test_it_refuses_a_body_changed_after_signing(fake_stripe, client, subscriber_member):
    membership = _membership(subscriber_member)
    event = event_payload(
        "customer.subscription.deleted",
        fake_stripe.subscriptions[membership.stripe_subscription_id],
    )
    signature = sign_payload(json.dumps(event))
    event["id"] = "evt_tampered"

    response = client.post(
        "/membership/webhook/",
        data=json.dumps(event),
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature,
    )

    assert response.status_code == 400
    assert not StripeEvent.objects.exists()


def test_it_refuses_an_old_signature_replayed_later(fake_stripe, post_event, subscriber_member):
    membership = _membership(subscriber_member)
    event = event_payload(
        "customer.subscription.updated",
        fake_stripe.subscriptions[membership.stripe_subscription_id],
    )
    an_hour_ago = int(time.time()) - 3600

    response = post_event(event, signature=sign_payload(json.dumps(event), timestamp=an_hour_ago))

    assert response.status_code == 400
    assert not StripeEvent.objects.exists()


def test_it_refuses_a_signed_body_that_is_not_an_event(fake_stripe, post_event):
    response = post_event({"hello": "world"})

    assert response.status_code == 400
    assert not StripeEvent.objects.exists()


def _set(path: str, value):
    """A change to a valid event: set the value at a dotted path ("data.object.id")."""

    def change(event: dict) -> dict:
        *parents, last = path.split(".")
        target = event
        for key in parents:
            target = target[key]
        target[last] = value
        return event

    return change


def _drop(key: str):
    def change(event: dict) -> dict:
        del event[key]
        return event

    return change


def _created_from_now(seconds: int):
    """Set `created` this many seconds from the moment the test runs, not from when the
    suite was collected, which can be minutes earlier."""

    def change(event: dict) -> dict:
        event["created"] = int(time.time()) + seconds
        return event

    return change


def _raw_metadata(text: str):
    """As a raw body, with `text` written as it is where the metadata object goes: what
    json.dumps would refuse or write differently (NaN, 1e999, a lone surrogate)."""

    def change(event: dict) -> str:
        event["data"]["object"]["metadata"] = "RAW"
        return json.dumps(event).replace('"RAW"', text)

    return change


def _nested(depth: int):
    """As a raw body: json.dumps itself could not write something this deep."""
    return _raw_metadata("[" * depth + "]" * depth)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda event: [event], id="a JSON array"),
        pytest.param(lambda event: '"evt_1"', id="a JSON string"),
        pytest.param(_set("id", "evt_" + "x" * 300), id="id over 255 characters"),
        pytest.param(_set("id", 12345), id="id not a string"),
        pytest.param(_set("id", "evt_\x00"), id="NUL in the id"),
        pytest.param(_drop("id"), id="no id"),
        pytest.param(_drop("type"), id="no type"),
        pytest.param(_set("type", ["customer.subscription.deleted"]), id="type not a string"),
        pytest.param(_set("type", "customer.subscription.deleted\x00"), id="NUL in the type"),
        pytest.param(_set("type", "x" * 101), id="type over 100 characters"),
        pytest.param(_drop("created"), id="no created"),
        pytest.param(_set("created", "yesterday"), id="created not a number"),
        pytest.param(_set("created", True), id="created a boolean"),
        pytest.param(_created_from_now(600), id="created ten minutes ahead"),
        pytest.param(_set("created", 10**20), id="created in the far future"),
        pytest.param(_set("livemode", "false"), id="livemode not a boolean"),
        pytest.param(_drop("data"), id="no data"),
        pytest.param(_set("data", "sub_1"), id="data not an object"),
        pytest.param(_set("data.object", "sub_1"), id="data.object a string"),
        pytest.param(_set("data.object", ["sub_1"]), id="data.object an array"),
        pytest.param(_set("data.object", None), id="data.object null"),
        pytest.param(_set("data.object.metadata", {"note": "a\x00b"}), id="NUL deep inside"),
        pytest.param(_set("data.object.metadata", {"\x00": "1"}), id="NUL in a key"),
        pytest.param(_nested(100_000), id="nested 100,000 deep"),
        # JSON has no NaN or infinities (RFC 8259 §6), and PostgreSQL's jsonb refuses them.
        pytest.param(_raw_metadata('{"score": NaN}'), id="NaN"),
        pytest.param(_raw_metadata('{"score": Infinity}'), id="Infinity"),
        pytest.param(_raw_metadata('{"score": -Infinity}'), id="minus Infinity"),
        pytest.param(_raw_metadata('{"score": 1e999}'), id="1e999, infinite as a float"),
        # A lone surrogate is no Unicode character: jsonb refuses it (RFC 8259 §8.2).
        pytest.param(_raw_metadata('{"note": "\\ud800"}'), id="lone surrogate in a value"),
        pytest.param(_raw_metadata('{"\\udfff": "1"}'), id="lone surrogate in a key"),
    ],
)
def test_it_refuses_a_signed_but_malformed_event_and_stores_nothing(
    fake_stripe, subscriber_member, subscription_event, django_capture_on_commit_callbacks, change
):
    membership = _membership(subscriber_member)
    fake_stripe.update_subscription(membership.stripe_subscription_id, status="canceled")
    event = subscription_event("customer.subscription.deleted", membership.stripe_subscription_id)
    changed = change(event)
    body = changed if isinstance(changed, str) else json.dumps(changed)  # a str is the raw body

    with django_capture_on_commit_callbacks(execute=True):
        response = Client(raise_request_exception=True).post(
            "/membership/webhook/",
            data=body,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=sign_payload(body),
        )

    assert response.status_code == 400
    assert not StripeEvent.objects.exists()
    assert _membership(subscriber_member).status == Membership.Status.ACTIVE
    assert not fake_stripe.calls("GET", "/v1/")
    assert not mail.outbox


def test_it_accepts_an_event_created_a_moment_ahead_of_our_clock(
    fake_stripe, post_event, subscriber_member, subscription_event
):
    membership = _membership(subscriber_member)
    event = subscription_event("customer.subscription.updated", membership.stripe_subscription_id)
    event["created"] = int(time.time()) + 60  # Stripe's clock may run a little ahead

    assert post_event(event).status_code == 200
    assert StripeEvent.objects.filter(event_id=event["id"]).exists()


def test_it_answers_get_with_405(fake_stripe, client):
    assert client.get("/membership/webhook/").status_code == 405


def test_it_records_a_replayed_event_once_and_processes_it_once(
    fake_stripe, post_event, subscriber_member, subscription_event
):
    membership = _membership(subscriber_member)
    event = subscription_event("customer.subscription.updated", membership.stripe_subscription_id)

    first = post_event(event)
    second = post_event(event)

    assert first.status_code == 200
    assert second.status_code == 200
    assert second.json() == {"received": True, "duplicate": True}
    assert StripeEvent.objects.filter(event_id=event["id"]).count() == 1
    assert (
        len(fake_stripe.calls("GET", f"/v1/subscriptions/{membership.stripe_subscription_id}")) == 1
    )
    assert StripeEvent.objects.get().processed_at is not None


def test_it_uses_the_api_version_it_was_built_for(
    fake_stripe, post_event, subscriber_member, subscription_event
):
    membership = _membership(subscriber_member)

    post_event(
        subscription_event("customer.subscription.updated", membership.stripe_subscription_id)
    )

    (call,) = fake_stripe.calls("GET", "/v1/subscriptions/")
    assert call["stripe_version"] == "2026-10-28.endive"


def test_it_ends_in_stripes_state_when_updated_arrives_before_created(
    fake_stripe, post_event, plans
):
    user = UserFactory(email="early.bird@example.com")
    customer = fake_stripe.add_customer(email=user.email)
    period_end = int(time.time()) + 365 * DAY
    created = event_payload(
        "customer.subscription.created",
        fake_stripe.add_subscription(
            customer=customer["id"],
            price="price_yearly",
            status="incomplete",
            metadata={"user_id": str(user.pk)},
        ),
    )
    subscription_id = created["data"]["object"]["id"]
    updated = event_payload(
        "customer.subscription.updated",
        fake_stripe.update_subscription(
            subscription_id, status="active", current_period_end=period_end
        ),
    )

    assert post_event(updated).status_code == 200
    assert post_event(created).status_code == 200  # stale payload says "incomplete"

    membership = _membership(user)
    assert membership.status == Membership.Status.ACTIVE
    assert membership.stripe_customer_id == customer["id"]
    assert membership.plan == plans["yearly"]
    assert membership.current_period_end == dt.datetime.fromtimestamp(period_end, tz=dt.UTC)
    assert _has_premium(user)


def test_it_reads_the_period_end_from_the_subscription_items(
    fake_stripe, post_event, subscriber_member, subscription_event
):
    membership = _membership(subscriber_member)
    period_end = int(time.time()) + 40 * DAY
    fake_stripe.update_subscription(
        membership.stripe_subscription_id, current_period_end=period_end
    )

    post_event(
        subscription_event("customer.subscription.updated", membership.stripe_subscription_id)
    )

    membership.refresh_from_db()
    assert membership.current_period_end == dt.datetime.fromtimestamp(period_end, tz=dt.UTC)


def test_it_keeps_premium_during_the_grace_period_after_a_failed_payment_and_not_after(
    fake_stripe, post_event, subscriber_member, settings
):
    settings.MEMBERSHIP_GRACE_DAYS = 7
    membership = _membership(subscriber_member)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        fake_stripe.update_subscription(membership.stripe_subscription_id, status="past_due")
        invoice = invoice_object(
            customer=membership.stripe_customer_id,
            subscription=membership.stripe_subscription_id,
            status="open",
        )
        assert post_event(event_payload("invoice.payment_failed", invoice)).status_code == 200

        membership.refresh_from_db()
        assert membership.status == Membership.Status.PAST_DUE
        assert membership.past_due_since == start
        assert _has_premium(subscriber_member)

    with time_machine.travel(start + dt.timedelta(days=6, hours=23), tick=False):
        assert _has_premium(subscriber_member)

    with time_machine.travel(start + dt.timedelta(days=7, minutes=1), tick=False):
        assert not _has_premium(subscriber_member)


def test_it_does_not_restart_the_grace_period_on_each_retry(
    fake_stripe, post_event, subscriber_member
):
    membership = _membership(subscriber_member)
    start = timezone.now()
    fake_stripe.update_subscription(membership.stripe_subscription_id, status="past_due")
    invoice = invoice_object(
        customer=membership.stripe_customer_id,
        subscription=membership.stripe_subscription_id,
        status="open",
    )
    with time_machine.travel(start, tick=False):
        post_event(event_payload("invoice.payment_failed", invoice))
    with time_machine.travel(start + dt.timedelta(days=3), tick=False):
        post_event(event_payload("invoice.payment_failed", invoice))

    membership.refresh_from_db()
    assert membership.past_due_since == start


def test_it_emails_the_member_once_when_a_payment_fails_with_a_link_to_their_account(
    fake_stripe, post_event, subscriber_member
):
    membership = _membership(subscriber_member)
    fake_stripe.update_subscription(membership.stripe_subscription_id, status="past_due")
    invoice = invoice_object(
        customer=membership.stripe_customer_id,
        subscription=membership.stripe_subscription_id,
        status="open",
    )

    post_event(event_payload("invoice.payment_failed", invoice))
    post_event(event_payload("invoice.payment_failed", invoice))  # Stripe's retry fails too

    (message,) = mail.outbox
    assert message.to == [subscriber_member.email]
    assert "didn't go through" in message.subject
    assert "http://testserver/account/" in message.body
    assert "Manage billing" in message.body


def test_it_restores_access_when_the_payment_recovers(fake_stripe, post_event, subscriber_member):
    membership = _membership(subscriber_member)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        fake_stripe.update_subscription(membership.stripe_subscription_id, status="past_due")
        invoice = invoice_object(
            customer=membership.stripe_customer_id,
            subscription=membership.stripe_subscription_id,
            status="open",
        )
        post_event(event_payload("invoice.payment_failed", invoice))

    with time_machine.travel(start + dt.timedelta(days=10), tick=False):
        assert not _has_premium(subscriber_member)  # grace is over

        fake_stripe.update_subscription(membership.stripe_subscription_id, status="active")
        invoice["status"] = "paid"
        assert post_event(event_payload("invoice.paid", invoice)).status_code == 200

        membership.refresh_from_db()
        assert membership.status == Membership.Status.ACTIVE
        assert membership.past_due_since is None
        assert _has_premium(subscriber_member)


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"cancel_at_period_end": True}, id="cancel_at_period_end"),
        pytest.param({"cancel_at": "period_end"}, id="cancel_at"),
    ],
)
def test_it_shows_a_pending_cancellation_with_its_end_date(
    fake_stripe, post_event, subscriber_member, subscription_event, client, changes
):
    membership = _membership(subscriber_member)
    period_end = int(time.time()) + 12 * DAY
    fake_stripe.update_subscription(
        membership.stripe_subscription_id, current_period_end=period_end
    )
    if changes.get("cancel_at") == "period_end":
        changes = {"cancel_at": period_end}
    fake_stripe.update_subscription(membership.stripe_subscription_id, **changes)

    post_event(
        subscription_event("customer.subscription.updated", membership.stripe_subscription_id)
    )

    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE
    assert _has_premium(subscriber_member)
    client.force_login(subscriber_member)
    page = client.get("/account/").text
    ends = timezone.localtime(dt.datetime.fromtimestamp(period_end, tz=dt.UTC))
    assert "Cancelling" in page
    assert re.search(rf"Ends on</dt>\s*<dd><time [^>]*>{ends:%-d %B %Y}</time>", page)
    assert "Renews on" not in page


def test_it_removes_access_when_the_subscription_is_deleted_and_says_goodbye(
    fake_stripe, post_event, subscriber_member, subscription_event
):
    membership = _membership(subscriber_member)
    fake_stripe.update_subscription(membership.stripe_subscription_id, status="canceled")

    response = post_event(
        subscription_event("customer.subscription.deleted", membership.stripe_subscription_id)
    )

    assert response.status_code == 200
    membership.refresh_from_db()
    assert membership.status == Membership.Status.CANCELED
    assert not _has_premium(subscriber_member)
    (message,) = mail.outbox
    assert "has ended" in message.subject
    assert "http://testserver/membership/" in message.body


def test_it_trusts_the_refetched_state_not_the_event_payload(
    fake_stripe, post_event, subscriber_member, subscription_event
):
    membership = _membership(subscriber_member)
    stale = subscription_event("customer.subscription.updated", membership.stripe_subscription_id)
    stale["data"]["object"]["status"] = "canceled"  # what the payload claims

    post_event(stale)

    assert _membership(subscriber_member).status == Membership.Status.ACTIVE


def test_it_ignores_a_late_event_about_an_old_finished_subscription(
    fake_stripe, post_event, subscriber_member, subscription_event
):
    membership = _membership(subscriber_member)
    old = fake_stripe.add_subscription(customer=membership.stripe_customer_id, status="canceled")

    post_event(subscription_event("customer.subscription.deleted", old["id"]))

    membership.refresh_from_db()
    assert membership.stripe_subscription_id != old["id"]
    assert membership.status == Membership.Status.ACTIVE
    assert not mail.outbox


def test_it_stores_an_event_for_an_unknown_customer_without_crashing(
    fake_stripe, post_event, premium_member
):
    stranger = fake_stripe.add_subscription(customer="cus_stranger")

    response = post_event(event_payload("customer.subscription.created", stranger))

    assert response.status_code == 200
    event = StripeEvent.objects.get()
    assert event.processed_at is None
    assert "cus_stranger" in event.error
    assert Membership.objects.count() == 1  # premium_member's, untouched


def test_it_stores_and_ignores_unhandled_event_types(fake_stripe, post_event, subscriber_member):
    event = event_payload("customer.updated", {"id": "cus_x", "object": "customer"})

    response = post_event(event)

    assert response.status_code == 200
    stored = StripeEvent.objects.get(event_id=event["id"])
    assert stored.type == "customer.updated"
    assert stored.payload == event
    assert stored.error == ""
    assert not fake_stripe.calls("GET", "/v1/")


def test_it_records_a_stripe_error_on_the_event(fake_stripe, post_event, subscriber_member):
    gone = {"id": "sub_never_existed", "object": "subscription", "customer": "cus_x"}

    response = post_event(event_payload("customer.subscription.updated", gone))

    assert response.status_code == 200
    event = StripeEvent.objects.get()
    assert event.processed_at is None
    assert "InvalidRequestError" in event.error


def test_it_records_when_stripe_cannot_be_reached(fake_stripe, post_event, subscriber_member):
    membership = _membership(subscriber_member)
    fake_stripe.fail_with = (500, "Stripe is having a moment")
    invoice = invoice_object(
        customer=membership.stripe_customer_id, subscription=membership.stripe_subscription_id
    )

    response = post_event(event_payload("invoice.paid", invoice))

    assert response.status_code == 200
    event = StripeEvent.objects.get()
    assert event.processed_at is None
    assert "will retry" in event.error


def test_checkout_completed_links_a_new_customer_to_the_member(
    fake_stripe, post_event, free_member, plans
):
    customer = fake_stripe.add_customer(email=free_member.email)
    subscription = fake_stripe.add_subscription(customer=customer["id"])  # no metadata
    session = {
        "id": "cs_test_completed",
        "object": "checkout.session",
        "mode": "subscription",
        "status": "complete",
        "payment_status": "paid",
        "client_reference_id": str(free_member.pk),
        "customer": customer["id"],
        "subscription": subscription["id"],
    }

    post_event(event_payload("checkout.session.completed", session))

    membership = _membership(free_member)
    assert membership.stripe_customer_id == customer["id"]
    assert membership.stripe_subscription_id == subscription["id"]
    assert _has_premium(free_member)
    (welcome,) = mail.outbox
    assert welcome.subject == "Welcome to Back In Shape premium"


def test_membership_emails_never_carry_members_only_text(
    fake_stripe, post_event, free_member, plans, premium_episode
):
    customer = fake_stripe.add_customer(email=free_member.email)
    subscription = fake_stripe.add_subscription(
        customer=customer["id"], metadata={"user_id": str(free_member.pk)}
    )
    post_event(event_payload("customer.subscription.created", subscription))
    fake_stripe.update_subscription(subscription["id"], status="past_due")
    post_event(event_payload("customer.subscription.updated", subscription))
    fake_stripe.update_subscription(subscription["id"], status="canceled")
    post_event(event_payload("customer.subscription.deleted", subscription))

    assert len(mail.outbox) == 3
    for message in mail.outbox:
        html = message.alternatives[0][0]
        assert "SECRET-PREMIUM-PARAGRAPH" not in message.body
        assert "SECRET-PREMIUM-PARAGRAPH" not in html
        assert "members' routine" not in message.body


def test_a_complimentary_member_gets_no_goodbye_when_their_subscription_ends(
    fake_stripe, post_event, subscription_event
):
    user = UserFactory()
    customer = fake_stripe.add_customer(email=user.email)
    subscription = fake_stripe.add_subscription(customer=customer["id"])
    MembershipFactory(
        user=user,
        stripe_customer_id=customer["id"],
        stripe_subscription_id=subscription["id"],
        complimentary_until=timezone.localdate() + dt.timedelta(days=60),
    )
    fake_stripe.update_subscription(subscription["id"], status="canceled")

    post_event(subscription_event("customer.subscription.deleted", subscription["id"]))

    assert _membership(user).status == Membership.Status.CANCELED
    assert _has_premium(user)
    assert not mail.outbox
