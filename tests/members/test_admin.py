"""Staff looking after members and the Stripe event log in the admin."""

import datetime as dt

import pytest
from django.utils import timezone

from members.models import Membership, StripeEvent, User
from members.selectors import member_has_premium
from tests.factories import MembershipFactory, UserFactory
from tests.members.fake_stripe import event_payload

pytestmark = pytest.mark.django_db


def test_the_membership_list_links_stripe_ids_to_the_dashboard(
    fake_stripe, client, staff, subscriber_member
):
    membership = Membership.objects.get(user=subscriber_member)
    client.force_login(staff)

    response = client.get("/admin/members/membership/")

    assert response.status_code == 200
    assert subscriber_member.email in response.text
    customer = membership.stripe_customer_id
    subscription = membership.stripe_subscription_id
    # The fake's key is a test key, so the links go to the dashboard's test mode.
    assert f'href="https://dashboard.stripe.com/test/customers/{customer}"' in response.text
    assert f'href="https://dashboard.stripe.com/test/subscriptions/{subscription}"' in response.text


def test_the_membership_list_filters_by_status_and_plan_and_searches_by_email(
    stripe_unconfigured, client, staff, plans
):
    MembershipFactory(user=UserFactory(email="active.one@example.com"), plan=plans["monthly"])
    MembershipFactory(
        user=UserFactory(email="lapsed.one@example.com"),
        plan=plans["yearly"],
        status=Membership.Status.CANCELED,
    )
    client.force_login(staff)

    by_status = client.get("/admin/members/membership/", {"status__exact": "canceled"}).text
    by_plan = client.get(
        "/admin/members/membership/", {"plan__id__exact": plans["monthly"].pk}
    ).text
    by_email = client.get("/admin/members/membership/", {"q": "lapsed.one"}).text

    assert "lapsed.one@example.com" in by_status
    assert "active.one@example.com" not in by_status
    assert "active.one@example.com" in by_plan
    assert "lapsed.one@example.com" not in by_plan
    assert "lapsed.one@example.com" in by_email
    assert "active.one@example.com" not in by_email


def test_staff_can_grant_a_complimentary_membership_with_an_end_date(
    stripe_unconfigured, client, staff, free_member
):
    until = timezone.localdate() + dt.timedelta(days=90)
    client.force_login(staff)

    response = client.post(
        "/admin/members/membership/add/",
        {"user": free_member.pk, "complimentary_until": until.isoformat()},
    )

    assert response.status_code == 302
    membership = Membership.objects.get(user=free_member)
    assert membership.complimentary_until == until
    assert member_has_premium(User.objects.get(pk=free_member.pk))


def test_staff_cannot_edit_what_stripe_owns(fake_stripe, client, staff, subscriber_member):
    membership = Membership.objects.get(user=subscriber_member)
    client.force_login(staff)

    client.post(
        f"/admin/members/membership/{membership.pk}/change/",
        {"complimentary_until": "", "status": "canceled", "stripe_customer_id": "cus_evil"},
    )

    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE
    assert membership.stripe_customer_id != "cus_evil"


def test_the_event_log_filters_by_error_and_reprocesses_selected_events(
    fake_stripe, client, staff, post_event, free_member
):
    customer = fake_stripe.add_customer(email=free_member.email)
    subscription = fake_stripe.add_subscription(customer=customer["id"])  # no metadata yet
    post_event(event_payload("customer.subscription.created", subscription))
    ignored = event_payload("customer.updated", customer)
    post_event(ignored)
    failed = StripeEvent.objects.get(type="customer.subscription.created")
    assert failed.error
    client.force_login(staff)

    with_error = client.get("/admin/members/stripeevent/", {"has_error": "yes"}).text
    assert failed.event_id in with_error
    assert ignored["id"] not in with_error

    # Staff link the customer to the member (as a later checkout event would), then retry.
    MembershipFactory(
        user=free_member,
        stripe_customer_id=customer["id"],
        stripe_subscription_id=None,
        status="",
    )
    response = client.post(
        "/admin/members/stripeevent/",
        {"action": "reprocess_events", "_selected_action": [failed.pk]},
        follow=True,
    )

    assert "Reprocessed 1 event(s)." in response.text
    failed.refresh_from_db()
    assert failed.error == ""
    assert failed.processed_at is not None
    assert member_has_premium(User.objects.get(pk=free_member.pk))


def test_the_user_list_still_works_with_membership_status(
    stripe_unconfigured, client, staff, premium_member
):
    client.force_login(staff)

    response = client.get("/admin/members/user/")

    assert response.status_code == 200
    assert premium_member.email in response.text
    assert client.get(f"/admin/members/user/{premium_member.pk}/change/").status_code == 200
    assert client.get("/admin/members/plan/").status_code == 200
    assert client.get("/admin/members/subscriber/").status_code == 200
    assert client.get("/admin/members/stripeevent/").status_code == 200


def test_staff_can_change_the_complimentary_end_date_of_an_existing_membership(
    fake_stripe, client, staff, subscriber_member
):
    membership = Membership.objects.get(user=subscriber_member)
    until = timezone.localdate() + dt.timedelta(days=14)
    client.force_login(staff)

    response = client.post(
        f"/admin/members/membership/{membership.pk}/change/",
        {"complimentary_until": until.isoformat()},
    )

    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.complimentary_until == until
    assert membership.status == Membership.Status.ACTIVE
