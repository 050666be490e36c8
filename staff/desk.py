"""The admin's "This Sunday" desk: what staff look at first, and the small views behind
its one-click buttons. A member's page, and the staff actions on it, are in
staff/member_page.py.

Reads are in `desk_summary()`; every change goes through the apps' services
(`comments_moderate`, `comment_create`, …), exactly as the admin actions do. The views are
wrapped by `admin.site.admin_view` in staff/urls.py: staff only, CSRF-protected,
never cached. Each also checks the model permission its admin page would need (403
otherwise), and the desk shows only the sections and buttons this member of staff may use.
"""

import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from episodes import services as episode_services
from episodes.forms import StaffReplyForm, staff_reply_draft_key
from episodes.models import Comment, Episode, ReleaseMailing
from episodes.permissions import (
    can_moderate_comments,
    can_preview_episodes,
    can_reply_to_comments,
    can_view_comments,
    can_view_episodes,
    can_view_release_mailings,
)
from episodes.rendering import render_article
from episodes.schedule import next_release_at
from members.models import Membership
from programs.models import MemberProgress, PauseReason

from .permissions import can_view_model
from .selectors import release_mailing_latest

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
    mailing = release_mailing_latest()
    if mailing is None:
        return None
    return MailingProgress(
        mailing=mailing,
        sent=mailing.sent_count,
        waiting=mailing.pending_count,
        failed=mailing.failed_count,
    )


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
            comment_pages=can_view_model(user, "episodes.comment"),
            queue=can_view_model(user, "episodes.pendingcomment"),
            mailing=can_view_release_mailings(user),
            members=can_view_model(user, "members.membership"),
            red_flags=can_view_model(user, "programs.memberprogress"),
            member_pages=can_view_model(user, "members.user"),
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
