"""The demo site's people and plans, for `seed_demo`: two plans, the three demo logins and
the Sunday email's subscribers.

The logins share one known password, so `seed_demo` asks for them (and the subscribers,
whom a worker would email) only with DEBUG on or with --demo-users; the plans are always
loaded.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.utils import timezone

from common.demo import demo_row_sync

from .models import Membership, Plan, Subscriber, User

DEMO_PASSWORD = "backinshape"
STAFF_EMAIL = "staff@example.com"
MEMBER_EMAIL = "member@example.com"

# --------------------------------------------------------------------------- plans

PLANS = [
    {
        "stripe_price_id": "price_demo_monthly",
        "name": "Monthly",
        "amount": 900,
        "currency": "gbp",
        "interval": "month",
        "description": (
            "The whole Back In Shape Program and every deep-dive in full. Cancel any time."
        ),
        "position": 0,
        "active": True,
    },
    {
        "stripe_price_id": "price_demo_yearly",
        "name": "Yearly",
        "amount": 9000,
        "currency": "gbp",
        "interval": "year",
        "description": "Everything in Monthly, with two months free.",
        "position": 1,
        "active": True,
    },
]

# --------------------------------------------------------------------------- demo logins

DEMO_LOGINS = [
    {
        "email": "staff@example.com",
        "display_name": "Sam at Back In Shape",
        "role": "staff",
        "role_text": "staff: /admin/, previews, comment moderation",
    },
    {
        "email": "member@example.com",
        "display_name": "Maya",
        "role": "member",
        "role_text": "premium member: full articles and the Program",
    },
    {
        "email": "free@example.com",
        "display_name": "Fred",
        "role": "free",
        "role_text": "free account: articles and comments, no premium",
    },
]


# --------------------------------------------------------------------------- Sunday email

# Free subscribers to the Sunday email, confirmed. The demo's release emails went to them,
# and a worker sends what is still waiting, so they are reserved addresses (example.com,
# RFC 2606) that can reach nobody.
SUNDAY_EMAIL_SUBSCRIBERS = [
    "anna.l@example.com",
    "bilal.h@example.com",
    "carys.j@example.com",
    "david.o@example.com",
    "esther.w@example.com",
    "finn.mcc@example.com",
    "grace.a@example.com",
    "harry.p@example.com",
    "imogen.r@example.com",
    "jas.s@example.com",
    "kemi.o@example.com",
    "liam.b@example.com",
    "moira.t@example.com",
    "noah.k@example.com",
]


@dataclass(frozen=True)
class DemoPeople:
    """Who the other demo loaders write as: staff answer comments, the member has a history."""

    staff: User | None
    member: User | None


def members_load_demo(*, with_logins: bool, tally: Counter) -> DemoPeople:
    """Load the plans and, with `with_logins`, the demo logins and the member's premium year
    and the Sunday email's demo subscribers.

    Without the logins, a staff account already at the staff login's address still answers
    the demo comments. Safe to run again.
    """
    _plans_load(tally=tally)
    logins = _logins_load(tally=tally) if with_logins else {}
    if with_logins:
        _subscribers_load(tally=tally)
    staff = logins.get(STAFF_EMAIL) or (
        User.objects.filter(email__iexact=STAFF_EMAIL, is_staff=True).first()
    )
    return DemoPeople(staff=staff, member=logins.get(MEMBER_EMAIL))


def _plans_load(*, tally: Counter) -> None:
    for plan in PLANS:
        demo_row_sync(
            Plan,
            lookup={"stripe_price_id": plan["stripe_price_id"]},
            values={k: v for k, v in plan.items() if k != "stripe_price_id"},
            tally=tally,
        )


def _subscribers_load(*, tally: Counter) -> None:
    confirmed = timezone.now() - dt.timedelta(days=60)
    for email in SUNDAY_EMAIL_SUBSCRIBERS:
        demo_row_sync(
            Subscriber,
            lookup={"email": email},
            values={},
            on_create={"confirmed_at": confirmed},  # an unsubscribe later is theirs to keep
            tally=tally,
        )


def _login_load(*, email: str, display_name: str, staff: bool = False, tally: Counter) -> User:
    """A demo login with a verified primary address, so it can sign in straight away."""
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        create = User.objects.create_superuser if staff else User.objects.create_user
        user = create(email=email, password=DEMO_PASSWORD, display_name=display_name)
        tally["users created"] += 1
    else:
        changed = []
        if staff and not (user.is_staff and user.is_superuser):
            user.is_staff = user.is_superuser = True
            changed += ["is_staff", "is_superuser"]
        if not user.is_active:
            user.is_active = True
            changed.append("is_active")
        if not user.check_password(DEMO_PASSWORD):
            # The DESIGN contract promises this password for the demo logins.
            user.set_password(DEMO_PASSWORD)
            changed.append("password")
        if changed:
            user.save(update_fields=changed)
            tally["users updated"] += 1
    demo_row_sync(
        EmailAddress,
        lookup={"user": user, "email": user.email},
        values={"verified": True, "primary": True},
        tally=tally,
    )
    return user


def _logins_load(*, tally: Counter) -> dict[str, User]:
    users = {
        login["email"]: _login_load(
            email=login["email"],
            display_name=login["display_name"],
            staff=login["role"] == "staff",
            tally=tally,
        )
        for login in DEMO_LOGINS
    }
    member = users[MEMBER_EMAIL]
    today = timezone.localdate()
    membership = Membership.objects.filter(user=member).first()
    if membership is None:
        Membership.objects.create(
            user=member,
            status=Membership.Status.ACTIVE,
            complimentary_until=today + dt.timedelta(days=365),
        )
        tally["memberships created"] += 1
    elif membership.complimentary_until is None or membership.complimentary_until < today:
        # The complimentary year has run out: renew it, so the demo member stays premium.
        membership.complimentary_until = today + dt.timedelta(days=365)
        membership.status = Membership.Status.ACTIVE
        membership.save(update_fields=["complimentary_until", "status", "updated_at"])
        tally["memberships updated"] += 1
    return users
