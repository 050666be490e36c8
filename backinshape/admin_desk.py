"""The admin's "This Sunday" desk: what staff look at first, and the small views behind
its one-click buttons.

Reads are in `desk_summary()`; every change goes through the apps' services
(`comments_moderate`, `comment_create`, …), exactly as the admin actions do. The views are
wrapped by `admin.site.admin_view` in backinshape/urls.py: staff only, CSRF-protected,
never cached. Each also checks the model permission its admin page would need (403
otherwise), and the desk shows only the sections and buttons this member of staff may use.
"""

import datetime as dt
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from episodes import services as episode_services
from episodes.forms import StaffReplyForm, staff_reply_draft_key
from episodes.models import Comment, Episode, ReleaseDelivery, ReleaseMailing
from episodes.permissions import (
    can_moderate_comments,
    can_preview_episodes,
    can_reply_to_comments,
    can_view_comments,
    can_view_episodes,
    can_view_release_mailings,
)
from episodes.release import next_release_at
from episodes.rendering import render_article
from members.models import EmailSuppression, Membership, User
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
from programs.models import MemberProgress, PauseReason, ProgressEvent
from programs.state import program_state

PENDING_ON_DESK = 5
# Library tables staff rarely need: shown last, folded away, on the desk.
TECHNICAL_APPS = {"account", "auth", "mfa", "sites", "socialaccount"}

MODERATION_VERBS = {
    Comment.Status.APPROVED: "Approved",
    Comment.Status.SPAM: "Marked as spam",
    Comment.Status.REMOVED: "Removed",
}


@dataclass(frozen=True)
class MailingProgress:
    mailing: ReleaseMailing
    sent: int
    waiting: int
    failed: int

    @property
    def total(self) -> int:
        return self.sent + self.waiting + self.failed


def mailing_progress_latest() -> MailingProgress | None:
    """The most recent Sunday email, with how many went, wait and failed."""
    counts = {
        status: Count("deliveries", filter=Q(deliveries__status=status))
        for status in ReleaseDelivery.Status.values
    }
    mailing = (
        ReleaseMailing.objects.select_related("episode")
        .annotate(**{f"n_{k}": v for k, v in counts.items()})
        .order_by("-created_at", "-pk")
        .first()
    )
    if mailing is None:
        return None
    return MailingProgress(
        mailing=mailing,
        sent=mailing.n_sent,
        waiting=mailing.n_pending,
        failed=mailing.n_failed,
    )


def comments_pending_count() -> int:
    return Comment.objects.filter(status=Comment.Status.PENDING).count()


@dataclass(frozen=True)
class DeskAccess:
    """What one member of staff may see and do on the desk, from their model permissions.

    Each section shows only with the view permission of what it lists, each button only
    with the permission its view checks; a section nobody may see is never queried.
    """

    episodes: bool  # the next episode
    write_episodes: bool  # "Write an episode"
    comments: bool  # the comments waiting
    moderate: bool  # their Approve, Spam and Remove buttons
    comment_pages: bool  # links to a comment's page
    queue: bool  # the link to the whole moderation queue
    mailing: bool  # the last Sunday email
    members: bool  # new members and cancellations this week
    red_flags: bool  # members paused by a red flag
    member_pages: bool  # links to a member's page

    @classmethod
    def for_user(cls, user) -> "DeskAccess":
        return cls(
            episodes=can_view_episodes(user),
            write_episodes=user.has_perm("episodes.add_episode"),
            comments=can_view_comments(user),
            moderate=can_moderate_comments(user),
            comment_pages=user.has_perm("episodes.view_comment")
            or user.has_perm("episodes.change_comment"),
            queue=user.has_perm("episodes.view_pendingcomment")
            or user.has_perm("episodes.change_pendingcomment"),
            mailing=can_view_release_mailings(user),
            members=user.has_perm("members.view_membership")
            or user.has_perm("members.change_membership"),
            red_flags=user.has_perm("programs.view_memberprogress")
            or user.has_perm("programs.change_memberprogress"),
            member_pages=user.has_perm("members.view_user") or user.has_perm("members.change_user"),
        )

    @property
    def any_section(self) -> bool:
        return self.episodes or self.comments or self.mailing or self.members or self.red_flags


def desk_summary(*, access: DeskAccess, now: dt.datetime | None = None) -> dict:
    """What the desk shows this member of staff, computed in a fixed handful of queries."""
    now = now or timezone.now()
    summary: dict = {"desk": access, "coming_sunday": next_release_at(now)}
    if access.episodes:
        tz = timezone.get_default_timezone()
        next_episode = (
            Episode.objects.filter(status=Episode.Status.SCHEDULED, publish_at__gt=now)
            .order_by("publish_at")
            .first()
        )
        summary["next_episode"] = next_episode
        summary["sunday_covered"] = next_episode is not None and (
            timezone.localtime(next_episode.publish_at, tz).date()
            == timezone.localtime(summary["coming_sunday"], tz).date()
        )
    if access.comments:
        pending = Comment.objects.filter(status=Comment.Status.PENDING)
        summary["pending_count"] = pending.count()
        summary["pending_comments"] = list(
            pending.select_related("episode").order_by("-created_at")[:PENDING_ON_DESK]
        )
    if access.mailing:
        summary["mailing"] = mailing_progress_latest()
    week_ago = now - dt.timedelta(days=7)
    if access.members:
        cancellations = Membership.objects.filter(
            Q(status__in=Membership.ENDED_STATUSES)
            | Q(cancel_at_period_end=True)
            | Q(cancel_at__isnull=False),
            updated_at__gte=week_ago,
        ).select_related("user")
        summary["new_members"] = list(
            Membership.objects.filter(created_at__gte=week_ago)
            .select_related("user", "plan")
            .order_by("-created_at")
        )
        summary["cancellations"] = list(cancellations.order_by("-updated_at"))
    if access.red_flags:
        summary["red_flag_paused"] = list(
            MemberProgress.objects.filter(pause_reason=PauseReason.RED_FLAG)
            .select_related("user")
            .order_by("-paused_at")
        )
    return summary


def app_list_split(app_list: list[dict]) -> tuple[list[dict], list[dict]]:
    """Our apps first; the libraries' developer tables (TECHNICAL_APPS) apart."""
    ours = [app for app in app_list if app["app_label"] not in TECHNICAL_APPS]
    technical = [app for app in app_list if app["app_label"] in TECHNICAL_APPS]
    return ours, technical


def _back(request, default: str) -> HttpResponseRedirect:
    """Back to where the button was (the desk, the list), never to another site."""
    target = request.POST.get("next", "")
    if "\x00" in target or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = default
    return HttpResponseRedirect(target)


@require_POST
def comment_moderate(request, pk: int):
    """One click on Approve, Spam or Remove, for one comment."""
    if not can_moderate_comments(request.user):
        raise PermissionDenied
    comment = get_object_or_404(Comment.objects.select_related("episode"), pk=pk)
    status = request.POST.get("status", "")
    if status not in MODERATION_VERBS:
        messages.error(request, "That button did not say what to do. Nothing changed.")
        return _back(request, reverse("admin:index"))
    changed = episode_services.comments_moderate(comments=[comment], status=status)
    if changed:
        verb = MODERATION_VERBS[status]
        messages.success(
            request, f"{verb} the comment by {comment.name} on “{comment.episode.title}”."
        )
    else:
        messages.info(request, f"The comment by {comment.name} was already like that.")
    return _back(request, reverse("admin:index"))


@require_POST
def comment_reply(request, pk: int):
    """Reply as staff from the moderation screen: posted at once, with the Staff badge."""
    if not can_reply_to_comments(request.user):
        raise PermissionDenied
    comment = get_object_or_404(Comment.objects.select_related("episode"), pk=pk)
    change_url = reverse("admin:episodes_comment_change", args=[comment.pk])
    form = StaffReplyForm(request.POST)
    problems = [] if form.is_valid() else form.errors["body"]
    if not problems:
        try:
            episode_services.comment_create(
                episode=comment.episode,
                parent=comment,
                body=form.cleaned_data["body"],
                user=request.user,
            )
        except ValidationError as error:
            problems = error.messages
    if problems:
        # Kept for the form on the comment's page, less what could never be saved.
        draft = request.POST.get("body", "").replace("\x00", "")
        request.session[staff_reply_draft_key(comment.pk)] = draft
        messages.error(request, "Your reply was not posted. " + " ".join(problems))
        return _back(request, change_url)
    messages.success(request, f"Your reply to {comment.name} is live on “{comment.episode.title}”.")
    return _back(request, change_url)


@require_POST
def episode_preview(request):
    """The live preview: the body cut and rendered exactly as readers will get it."""
    if not can_preview_episodes(request.user):
        raise PermissionDenied
    article = render_article(request.POST.get("body", ""))
    return JsonResponse(
        {
            "public": str(article.public.html),
            "members_only": str(article.members_only.html) if article.members_only else None,
        }
    )


# --- A member's page ---------------------------------------------------------------------

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


def _may_view(user, app_model: str) -> bool:
    app, model = app_model.split(".")
    return user.has_perm(f"{app}.view_{model}") or user.has_perm(f"{app}.change_{model}")


def member_page_access(viewer) -> dict:
    """Which parts of a member's page, and which of its buttons, this member of staff gets."""
    return {
        "membership": _may_view(viewer, "members.membership"),
        "program": _may_view(viewer, "programs.memberprogress"),
        "sessions": _may_view(viewer, "programs.sessionlog"),
        "comments": can_view_comments(viewer),
        "comment_pages": _may_view(viewer, "episodes.comment"),
        "deliveries": _may_view(viewer, "episodes.releasedelivery"),
        "suppressions": _may_view(viewer, "members.emailsuppression"),
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
    can_view_members = _may_view(request.user, "members.user")
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
