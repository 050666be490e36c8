"""A member's page in the admin: what staff need first about one member (membership,
Program, comments, email), and the staff actions on it, each asking why before it acts.

members/admin.py's change view shows this through the admin site (staff/site.py), as it
cannot import the apps above it. Every part is read only for staff who may view it, every
button shown only to staff who may use it, and each action checks its permission again
(403 otherwise). Every change goes through the apps' services and is recorded: in the
progress audit log for Program changes, in the admin's history of the member otherwise.
"""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from episodes.models import Comment, ReleaseDelivery
from episodes.permissions import can_view_comments
from members.models import EmailSuppression, User
from members.selectors import (
    member_email_verified,
    membership_cancellation_pending,
    membership_ends_at,
    membership_for_user,
    membership_grants_premium,
    sunday_email_is_unsubscribed,
)
from members.services import membership_complimentary_set
from members.stripe_client import stripe_dashboard_url
from programs import services as program_services
from programs.charts import pain_chart
from programs.forms import StaffActionForm
from programs.models import PauseReason, ProgressEvent
from programs.state import program_state

from .permissions import can_view_model

MEMBER_SESSIONS_SHOWN = 5
MEMBER_COMMENTS_SHOWN = 5


@dataclass(frozen=True)
class MemberAction:
    title: str
    permission: str  # what the action changes, as on that model's own admin page


MEMBER_ACTIONS = {
    # Unlocking, pausing and resuming change the member's Program progress.
    "unlock": MemberAction("Unlock a routine", "programs.change_memberprogress"),
    "pause": MemberAction("Pause the Program", "programs.change_memberprogress"),
    "resume": MemberAction("Resume the Program", "programs.change_memberprogress"),
    "complimentary": MemberAction("Give a complimentary membership", "members.change_membership"),
    "verification": MemberAction("Resend the verification email", "members.change_user"),
}


def member_page_access(viewer) -> dict:
    """Which parts of a member's page, and which of its buttons, this member of staff gets."""
    return {
        "membership": can_view_model(viewer, "members.membership"),
        "program": can_view_model(viewer, "programs.memberprogress"),
        "sessions": can_view_model(viewer, "programs.sessionlog"),
        "comments": can_view_comments(viewer),
        "comment_pages": can_view_model(viewer, "episodes.comment"),
        "deliveries": can_view_model(viewer, "episodes.releasedelivery"),
        "suppressions": can_view_model(viewer, "members.emailsuppression"),
        **{action: viewer.has_perm(spec.permission) for action, spec in MEMBER_ACTIONS.items()},
    }


def member_page_context(*, user, viewer) -> dict:
    """What staff need first on a member's page: membership, Program, comments, email;
    each part only for staff who may view it, and read only then."""

    can = member_page_access(viewer)
    context: dict = {
        "member": user,
        "can": can,
        "email_verified": member_email_verified(user),
        "has_email_address": EmailAddress.objects.filter(user=user).exists(),
        "sunday_email_on": not sunday_email_is_unsubscribed(email=user.email),
    }
    if can["membership"]:
        membership = membership_for_user(user)
        context.update(
            {
                "membership": membership,
                "premium_now": membership_grants_premium(membership),
                "renews_or_ends": membership_ends_at(membership) if membership else None,
                "cancelling": bool(membership and membership_cancellation_pending(membership)),
                "stripe_customer_url": (
                    stripe_dashboard_url("customers", membership.stripe_customer_id)
                    if membership and membership.stripe_customer_id
                    else ""
                ),
                "stripe_subscription_url": (
                    stripe_dashboard_url("subscriptions", membership.stripe_subscription_id)
                    if membership and membership.stripe_subscription_id
                    else ""
                ),
            }
        )
    if can["program"]:
        state = program_state(user=user)
        context["program"] = state
        context["recent_events"] = list(
            ProgressEvent.objects.filter(user=user).select_related("by").order_by("-pk")[:3]
        )
        if can["sessions"]:
            context["recent_sessions"] = state.graded_sessions[:MEMBER_SESSIONS_SHOWN]
            context["pain_chart"] = pain_chart(state=state)
    if can["comments"]:
        comments = Comment.objects.filter(user=user).select_related("episode")
        context["comment_count"] = comments.count()
        context["recent_comments"] = list(comments.order_by("-created_at")[:MEMBER_COMMENTS_SHOWN])
    if can["suppressions"]:
        context["suppression"] = EmailSuppression.objects.filter(email__iexact=user.email).first()
    if can["deliveries"]:
        context["last_delivery"] = (
            ReleaseDelivery.objects.filter(email__iexact=user.email)
            .select_related("mailing__episode")
            .order_by("-pk")
            .first()
        )
    return context


def _member_action_form(action, data=None):

    form = StaffActionForm(data)
    if action != "unlock":
        del form.fields["routine"]
    if action == "complimentary":
        form.fields["until"] = forms.DateField(
            label="Premium until",
            required=False,
            widget=forms.DateInput(attrs={"type": "date"}),
            help_text="Up to and including this day. Leave empty to end a complimentary one.",
        )
    form.fields["reason"].help_text = (
        "Recorded with your name: in the progress audit log for Program changes, in the "
        "admin's history of this member otherwise."
    )
    return form


def _member_action_apply(request, *, action: str, member, data: dict) -> str:
    """Call the one service for the action; returns what to tell staff."""

    reason = data["reason"]
    if action == "unlock":
        if data.get("routine"):
            unlock = program_services.routine_unlock_by_staff(
                user=member, routine=data["routine"], staff=request.user, reason=reason
            )
        else:
            unlock = program_services.routine_unlock_next_by_staff(
                user=member, staff=request.user, reason=reason
            )
        if unlock is None:
            return "Nothing new to unlock: that routine was already open, or none is left."
        return f"Unlocked “{unlock.routine}”. Recorded in the progress audit log."
    if action == "pause":
        program_services.program_pause(
            user=member, reason=PauseReason.STAFF, by=request.user, note=reason
        )
        return "Paused the Program. Recorded in the progress audit log."
    if action == "resume":
        program_services.program_resume(user=member, by=request.user, note=reason)
        return "Resumed the Program. Recorded in the progress audit log."
    user_admin = admin.site.get_model_admin(type(member))
    if action == "complimentary":
        until = data.get("until")
        membership_complimentary_set(user=member, until=until, by=request.user)
        said = f"Complimentary premium until {until:%-d %B %Y}" if until else "Ended complimentary"
        user_admin.log_change(request, member, f"{said}. Why: {reason}")
        return f"{said}. Recorded in this member's history."
    if action == "verification":
        address = EmailAddress.objects.filter(user=member, email__iexact=member.email).first()
        if address is None:
            address = EmailAddress.objects.create(
                user=member, email=member.email, primary=True, verified=False
            )
        if address.verified:
            raise PermissionDenied(f"{member.email} is verified already. Nothing was sent.")
        address.send_confirmation(request)
        user_admin.log_change(request, member, f"Resent the verification email. Why: {reason}")
        return f"Sent a new verification link to {member.email}. Recorded in this member's history."
    raise ValueError(action)


def member_action(request, pk: int, action: str):
    """A staff action from a member's page: asks why (GET), then applies and records (POST)."""

    if action not in MEMBER_ACTIONS:
        raise Http404("No such action.")
    spec = MEMBER_ACTIONS[action]
    if not request.user.has_perm(spec.permission):
        raise PermissionDenied
    member = get_object_or_404(User, pk=pk)
    can_view_members = can_view_model(request.user, "members.user")
    # Back to the member's page, or to the desk for staff who may act but not open it.
    change_url = (
        reverse("admin:members_user_change", args=[member.pk])
        if can_view_members
        else reverse("admin:index")
    )
    form = _member_action_form(action, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            said = _member_action_apply(
                request, action=action, member=member, data=form.cleaned_data
            )
        except (PermissionDenied, ValidationError) as error:
            text = "; ".join(getattr(error, "messages", None) or [str(error)])
            messages.error(request, f"{spec.title}: {text}")
        else:
            messages.success(request, said)
        return HttpResponseRedirect(change_url)
    return render(
        request,
        "admin/members/user/member_action.html",
        {
            **admin.site.each_context(request),
            "title": spec.title,
            "member": member,
            "form": form,
            "opts": User._meta,
            "change_url": change_url,
            "can_view_members": can_view_members,
        },
    )
