"""Writes for episodes and comments. Views, admin actions, commands and tasks call these."""

import logging
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .models import Comment, Episode
from .release import next_release_at

logger = logging.getLogger(__name__)


def episode_schedule(*, episode: Episode, publish_at=None) -> Episode:
    """Queue an episode for release; without a date, the next Sunday release moment."""
    now = timezone.now()
    if publish_at is None:
        publish_at = episode.publish_at if episode.publish_at > now else next_release_at(now)
    episode.status = Episode.Status.SCHEDULED
    episode.publish_at = publish_at
    episode.save(update_fields=["status", "publish_at", "updated_at"])
    return episode


def episode_publish(*, episode: Episode, now=None) -> Episode:
    """Publish an episode now. An episode scheduled for the future comes out at once."""
    now = now or timezone.now()
    episode.status = Episode.Status.PUBLISHED
    if episode.publish_at > now:
        episode.publish_at = now
    episode.save(update_fields=["status", "publish_at", "updated_at"])
    return episode


def episode_unpublish(*, episode: Episode) -> Episode:
    episode.status = Episode.Status.DRAFT
    episode.save(update_fields=["status", "updated_at"])
    return episode


def episodes_publish_due(*, now=None) -> list[Episode]:
    """Publish every scheduled episode whose release moment has come. Safe to run twice."""
    now = now or timezone.now()
    published = []
    with transaction.atomic():
        due = Episode.objects.due(now=now).select_for_update(skip_locked=True)
        for episode in due:
            episode.status = Episode.Status.PUBLISHED
            episode.save(update_fields=["status", "updated_at"])
            published.append(episode)
    for episode in published:
        logger.info("Published episode %s", episode.slug)
    return published


def _user_posts_without_moderation(user) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists()


def comment_create(
    *,
    episode: Episode,
    body: str,
    user=None,
    name: str = "",
    email: str = "",
    parent: Comment | None = None,
    ip_address: str | None = None,
) -> Comment:
    """Post a comment. Guests and unverified accounts wait for moderation.

    Replies are one level deep: a reply to a reply is attached to the thread's top comment.
    """
    if parent is not None:
        if parent.episode_id != episode.pk:
            raise ValidationError("That comment belongs to another episode.")
        if parent.parent_id is not None:
            parent = parent.parent
    signed_in = user is not None and user.is_authenticated
    if signed_in:
        name = user.public_name
        email = user.email
    trusted = _user_posts_without_moderation(user)
    comment = Comment(
        episode=episode,
        parent=parent,
        user=user if signed_in else None,
        name=name.strip(),
        email=email.strip(),
        body=body.strip(),
        ip_address=ip_address,
        is_staff_reply=bool(signed_in and user.is_staff),
        status=Comment.Status.APPROVED if trusted else Comment.Status.PENDING,
    )
    comment.full_clean()
    comment.save()
    return comment


def comments_moderate(*, comments: Iterable[Comment] | None = None, queryset=None, status) -> int:
    """Set the moderation status of many comments at once; returns how many changed."""
    if status not in Comment.Status.values:
        raise ValueError(f"Unknown comment status {status!r}")
    if queryset is None:
        queryset = Comment.objects.filter(pk__in=[c.pk for c in comments or []])
    return queryset.exclude(status=status).update(status=status, moderated_at=timezone.now())
