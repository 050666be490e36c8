"""The admin's "This Sunday" desk: what staff look at first, and the small views behind
its one-click buttons.

Reads are in `desk_summary()`; every change goes through the apps' services
(`comments_moderate`, `comment_create`, …), exactly as the admin actions do. The views are
wrapped by `admin.site.admin_view` in backinshape/urls.py: staff only, CSRF-protected,
never cached.
"""

import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from episodes import services as episode_services
from episodes.models import Comment, Episode, ReleaseDelivery, ReleaseMailing
from episodes.release import next_release_at
from episodes.rendering import render_article
from members.models import Membership
from programs.models import MemberProgress, PauseReason

PENDING_ON_DESK = 5
# Library tables staff rarely need: shown last, folded away, on the desk.
TECHNICAL_APPS = {"account", "auth", "sites", "socialaccount"}

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


def desk_summary(*, now: dt.datetime | None = None) -> dict:
    """Everything the desk shows, computed in a fixed handful of queries."""
    now = now or timezone.now()
    coming_sunday = next_release_at(now)
    tz = timezone.get_default_timezone()
    next_episode = (
        Episode.objects.filter(status=Episode.Status.SCHEDULED, publish_at__gt=now)
        .order_by("publish_at")
        .first()
    )
    sunday_covered = next_episode is not None and (
        timezone.localtime(next_episode.publish_at, tz).date()
        == timezone.localtime(coming_sunday, tz).date()
    )
    week_ago = now - dt.timedelta(days=7)
    pending = Comment.objects.filter(status=Comment.Status.PENDING)
    cancellations = Membership.objects.filter(
        Q(status=Membership.Status.CANCELED)
        | Q(cancel_at_period_end=True)
        | Q(cancel_at__isnull=False),
        updated_at__gte=week_ago,
    ).select_related("user")
    return {
        "coming_sunday": coming_sunday,
        "next_episode": next_episode,
        "sunday_covered": sunday_covered,
        "pending_count": pending.count(),
        "pending_comments": list(
            pending.select_related("episode").order_by("-created_at")[:PENDING_ON_DESK]
        ),
        "mailing": mailing_progress_latest(),
        "new_members": list(
            Membership.objects.filter(created_at__gte=week_ago)
            .select_related("user", "plan")
            .order_by("-created_at")
        ),
        "cancellations": list(cancellations.order_by("-updated_at")),
        "red_flag_paused": list(
            MemberProgress.objects.filter(pause_reason=PauseReason.RED_FLAG)
            .select_related("user")
            .order_by("-paused_at")
        ),
    }


def app_list_split(app_list: list[dict]) -> tuple[list[dict], list[dict]]:
    """Our apps first; the libraries' developer tables (TECHNICAL_APPS) apart."""
    ours = [app for app in app_list if app["app_label"] not in TECHNICAL_APPS]
    technical = [app for app in app_list if app["app_label"] in TECHNICAL_APPS]
    return ours, technical


def _back(request, default: str) -> HttpResponseRedirect:
    """Back to where the button was (the desk, the list), never to another site."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = default
    return HttpResponseRedirect(target)


@require_POST
def comment_moderate(request, pk: int):
    """One click on Approve, Spam or Remove, for one comment."""
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
    comment = get_object_or_404(Comment.objects.select_related("episode"), pk=pk)
    change_url = reverse("admin:episodes_comment_change", args=[comment.pk])
    body = request.POST.get("body", "").strip()
    if not body:
        messages.error(request, "Write your reply first. Nothing was posted.")
        return _back(request, change_url)
    try:
        episode_services.comment_create(
            episode=comment.episode, parent=comment, body=body, user=request.user
        )
    except ValidationError as error:
        messages.error(request, "Your reply was not posted: " + " ".join(error.messages))
        return _back(request, change_url)
    messages.success(request, f"Your reply to {comment.name} is live on “{comment.episode.title}”.")
    return _back(request, change_url)


@require_POST
def episode_preview(request):
    """The live preview: the body cut and rendered exactly as readers will get it."""
    article = render_article(request.POST.get("body", ""))
    return JsonResponse(
        {
            "public": str(article.public.html),
            "members_only": str(article.members_only.html) if article.members_only else None,
        }
    )
