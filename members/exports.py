"""'Download all my data': one JSON document of everything we hold about a member.

Members sits below episodes and programs in the layering, so it cannot import them. Each
app that holds member data registers a section from its AppConfig.ready() instead, and
the builder here asks every registered section for the member's rows (UK GDPR Article 15,
the right of access; Article 20 asks for a "commonly used, machine-readable" format).
"""

from collections.abc import Callable
from typing import Any

from .models import Membership, User

ExportSection = Callable[[User], Any]

_sections: dict[str, ExportSection] = {}


def register_export_section(name: str, fn: ExportSection) -> None:
    """Add a section to the data download; registering a name again replaces it."""
    _sections[name] = fn


def _when(value) -> str | None:
    return value.isoformat() if value else None


def _account_section(user: User) -> dict:
    return {
        "email": user.email,
        "display_name": user.display_name,
        "date_joined": _when(user.date_joined),
        "preferences": {
            "sunday_email": user.wants_sunday_email,
            "checkin_reminders": user.wants_checkin_reminders,
        },
    }


def _membership_section(user: User) -> dict | None:
    """What the member's membership is; never the Stripe ids or anything secret."""
    membership = Membership.objects.filter(user=user).select_related("plan").first()
    if membership is None:
        return None
    return {
        "status": membership.get_status_display() if membership.status else "",
        "plan": membership.plan.name if membership.plan else None,
        "current_period_end": _when(membership.current_period_end),
        "cancel_at_period_end": membership.cancel_at_period_end,
        "complimentary_until": _when(membership.complimentary_until),
    }


def member_data_export(*, user: User) -> dict:
    """Everything we hold about this member, by section; only their own rows."""
    data = {"account": _account_section(user), "membership": _membership_section(user)}
    for name, fn in _sections.items():
        data[name] = fn(user)
    return data
