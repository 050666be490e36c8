"""Writes for episodes and comments. Views, admin actions, commands and tasks call these."""

import logging
import smtplib
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from backinshape.emails import email_build
from members.selectors import sunday_email_recipients
from members.services import sunday_email_unsubscribe_token

from .models import Comment, Episode, ReleaseDelivery, ReleaseMailing
from .podcast import audio_duration_seconds
from .release import next_release_at
from .rendering import normalise_body
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
            audio.open("rb")
            try:
                episode.audio_duration = audio_duration_seconds(audio)
            finally:
                if audio._committed:  # a fresh upload must stay open for save()
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


# --- The Sunday release email ------------------------------------------------------------

RELEASE_BATCH_SIZE = 100
MAX_DELIVERY_ATTEMPTS = 3


class EpisodeNotLive(Exception):
    """Release emails go out only for published episodes whose moment has come."""


def release_mailing_prepare(*, episode: Episode) -> ReleaseMailing:
    """Create (or find) the episode's release mailing and one delivery per current recipient.

    Safe to run again: the mailing is one per episode and a delivery one per address, so a
    second run only adds people who joined since, and never queues anyone twice.
    """
    if not episode.is_live:
        raise EpisodeNotLive(f"Episode {episode.slug} is not published.")
    mailing, _ = ReleaseMailing.objects.get_or_create(episode=episode)
    ReleaseDelivery.objects.bulk_create(
        [ReleaseDelivery(mailing=mailing, email=email) for email in sunday_email_recipients()],
        ignore_conflicts=True,
        batch_size=500,
    )
    return mailing


def release_deliveries_send(
    *, mailing: ReleaseMailing, batch_size: int = RELEASE_BATCH_SIZE
) -> int:
    """Send every waiting delivery of a mailing; returns how many were sent.

    Each delivery is claimed with SELECT … FOR UPDATE SKIP LOCKED and marked sent in the
    same short transaction, so two workers (or a second beat) share the work instead of
    doubling it, and nothing marked sent is ever sent again. If the mail server fails, the
    delivery in hand stays waiting and the error reaches the caller, whose retry resumes.
    An address the server refuses is tried again on later runs, up to
    MAX_DELIVERY_ATTEMPTS times, then marked failed. One SMTP connection serves a batch.
    """
    episode = mailing.episode
    waiting = ReleaseDelivery.objects.filter(mailing=mailing, status=ReleaseDelivery.Status.PENDING)
    sent = 0
    last_pk = 0
    while True:
        ids = list(
            waiting.filter(pk__gt=last_pk).order_by("pk").values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            break
        last_pk = ids[-1]
        with get_connection() as connection:
            for pk in ids:
                with transaction.atomic():
                    delivery = waiting.filter(pk=pk).select_for_update(skip_locked=True).first()
                    if delivery is None:
                        continue  # another worker has it, or it is done
                    sent += _release_delivery_send(
                        delivery=delivery, episode=episode, connection=connection
                    )
    if not waiting.exists():
        ReleaseMailing.objects.filter(pk=mailing.pk, completed_at=None).update(
            completed_at=timezone.now()
        )
    return sent


def _release_delivery_send(*, delivery: ReleaseDelivery, episode: Episode, connection) -> int:
    message = release_email_build(episode=episode, email=delivery.email)
    message.connection = connection
    delivery.attempts += 1
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused as error:
        logger.warning("Release email to %s refused: %s", delivery.email, error)
        delivery.error = f"Refused by the mail server: {error.recipients}"[:500]
        if delivery.attempts >= MAX_DELIVERY_ATTEMPTS:
            delivery.status = ReleaseDelivery.Status.FAILED
        delivery.save(update_fields=["attempts", "error", "status"])
        return 0
    delivery.status = ReleaseDelivery.Status.SENT
    delivery.sent_at = timezone.now()
    delivery.error = ""
    delivery.save(update_fields=["status", "sent_at", "attempts", "error"])
    return 1


def release_email_build(*, episode: Episode, email: str):
    """The Sunday email for one recipient: multipart text + HTML, with a one-click
    unsubscribe (RFC 8058) and a List-Id (RFC 2919), as Gmail and Yahoo require of bulk mail.

    It carries only the public part of the article: never anything members-only.
    """
    from .rendering import render_episode_article

    unsubscribe_url = settings.SITE_URL + reverse(
        "members:unsubscribe", args=[sunday_email_unsubscribe_token(email)]
    )
    host = urlsplit(settings.SITE_URL).hostname or "backinshape.example"
    return email_build(
        to=email,
        template="release",
        context={
            "episode": episode,
            "episode_url": settings.SITE_URL + episode.get_absolute_url(),
            "toc": render_episode_article(episode).public.toc,
            "unsubscribe_url": unsubscribe_url,
        },
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": f"Back In Shape Sunday email <sunday.{host}>",
        },
    )


def release_send(*, episode: Episode) -> int:
    """Send (or resume) an episode's release email to every current recipient."""
    mailing = release_mailing_prepare(episode=episode)
    return release_deliveries_send(mailing=mailing)


def release_pending_count(*, episode: Episode) -> int:
    return ReleaseDelivery.objects.filter(
        mailing__episode=episode, status=ReleaseDelivery.Status.PENDING
    ).count()
