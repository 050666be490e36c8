"""Writes for episodes and comments. Views, admin actions, commands and tasks call these."""

import datetime as dt
import logging
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from common.page_cache import comments_changed
from members.selectors import member_email_verified

from .models import Comment, Episode, Topic
from .podcast import audio_duration_seconds
from .rendering import normalise_body
from .schedule import next_release_at
from .search import search_vectors_update

logger = logging.getLogger(__name__)


def episode_save(*, episode: Episode) -> Episode:
    """Check and store an episode written anywhere (the admin, a command, an import).

    The body is normalised first (line endings, the divider's spelling; see
    rendering.normalise_body), so the members-only cut always finds its line; a body whose
    divider is mistyped or doubled is refused with a ValidationError on "body".
    """
    episode.body = normalise_body(episode.body)
    episode.full_clean()
    _episode_audio_facts_fill(episode=episode)
    episode.save()
    episode_search_index_update(episode=episode)
    return episode


def episode_search_index_update(*, episode: Episode) -> None:
    """Recompute the episode's stored search vectors (PostgreSQL; a no-op elsewhere).

    Called after every save through episode_save, and again once topics are saved (the
    admin saves many-to-many fields after the episode itself), since topics are searched.
    """
    search_vectors_update(Episode, episode.pk)


def topic_save(*, topic: Topic) -> Topic:
    """Store a topic; its episodes are found by its (new) name at once."""
    topic.full_clean()
    topic.save()
    for pk in topic.episodes.values_list("pk", flat=True):
        search_vectors_update(Episode, pk)
    return topic


def search_index_rebuild() -> int:
    """Recompute every episode's search vectors; returns how many episodes there are."""
    pks = list(Episode.objects.values_list("pk", flat=True))
    for pk in pks:
        search_vectors_update(Episode, pk)
    return len(pks)


def _episode_audio_facts_fill(*, episode: Episode) -> None:
    """Podcast apps need an enclosure length in bytes and like an itunes:duration: take
    both from an uploaded audio file, the length only where staff left it empty."""
    if not episode.audio_file:
        return
    try:
        episode.audio_size = episode.audio_file.size
        if episode.audio_duration is None:
            audio = episode.audio_file
            was_open = not audio.closed  # a fresh upload, which must stay open for save()
            audio.open("rb")
            try:
                episode.audio_duration = audio_duration_seconds(audio)
            finally:
                if not was_open:
                    audio.close()
    except OSError:
        logger.warning("Could not read the audio file of episode %s", episode.slug)


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
    return member_email_verified(user)


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
    # PostgreSQL text cannot hold NUL; the forms refuse it, and so does this for any caller.
    for field, value in {"name": name, "email": email, "body": body}.items():
        if "\x00" in value:
            raise ValidationError({field: "Null characters are not allowed."})
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
    changed = queryset.exclude(status=status).update(status=status, moderated_at=timezone.now())
    if changed:
        comments_changed()  # update() sends no signal: episode pages show approved comments
    return changed


def comment_ip_addresses_forget(*, before: dt.datetime) -> int:
    """Clear the IP address of every comment posted before `before`; returns how many.

    The address is kept only to deal with spam and abuse while a comment is new
    (COMMENT_IP_RETENTION_DAYS, run daily by backinshape.tasks.data_retention_apply). No
    page shows it, so no cached page changes.
    """
    return Comment.objects.filter(created_at__lt=before, ip_address__isnull=False).update(
        ip_address=None
    )
