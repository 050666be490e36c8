"""Writes for episodes and comments. Views, admin actions, commands and tasks call these."""

import datetime as dt
import logging
import smtplib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from anymail.exceptions import AnymailAPIError, AnymailError, AnymailRecipientsRefused
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from backinshape.emails import email_build
from members.selectors import sunday_email_recipient_addresses
from members.services import sunday_email_unsubscribe_token

from .models import Comment, Episode, ReleaseDelivery, ReleaseMailing
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


# --- The Sunday release email ------------------------------------------------------------
#
# How a release goes out (README, "The Sunday email"): release_mailing_prepare() writes one
# delivery row per recipient; the rows are cut into chunks of RELEASE_CHUNK_SIZE ids and
# each chunk is a task any worker can take. A chunk claims its rows a few at a time
# (SELECT … FOR UPDATE SKIP LOCKED, then claimed_at/claimed_by committed), so overlapping
# chunks, a second beat or two workers never send one row twice. A worker that dies
# leaves claimed rows behind; once their claim is older than RELEASE_CLAIM_STALE_SECONDS
# any chunk may take them again, and release_mailings_stalled() finds such mailings for
# the resume sweep. At most the one message in flight when a worker died goes twice.

RELEASE_PREPARE_BATCH = 1000
RELEASE_CLAIM_BATCH = 25
# After a server failure the chunk's retry comes within the task's retry_backoff_max; the
# sweep leaves the mailing alone until then instead of piling up more retries.
RELEASE_RETRY_WAIT = dt.timedelta(seconds=240)


class EpisodeNotLive(Exception):
    """Release emails go out only for published episodes whose moment has come."""


class MailServerUnavailable(Exception):
    """The mail server, or the way to it, failed for everyone rather than for one recipient
    (a 4yz reply, a dropped connection, nobody listening, a timeout). Nothing is marked
    failed: the deliveries not yet sent stay waiting and the task tries again later."""


@dataclass(frozen=True)
class RecipientRefused:
    """A refusal that belongs to one recipient: that delivery fails, the send moves on."""

    code: int | None
    text: str


def _smtp_text(raw) -> str:
    return raw.decode(errors="replace") if isinstance(raw, bytes) else str(raw)


def _anymail_text(error: Exception) -> str:
    """The provider's own words, without anymail's long description of the request."""
    return str(error.args[0]) if error.args else type(error).__name__


def release_failure_classify(error: Exception) -> RecipientRefused | None:
    """Whose fault a failed send is: a RecipientRefused if it is this recipient's, None if
    it is the server's (so the batch stops and the task retries).

    RFC 5321 §4.2.1: a 5yz reply is permanent, a 4yz reply transient. Only refusals of this
    message (at RCPT TO or after DATA) belong to the recipient; a refused sender, a failed
    greeting or login, or any 4yz is the server's, whoever the message was for.
    """
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(error.recipients.values()), (None, b""))
        if code is not None and 500 <= code < 600:
            return RecipientRefused(code=code, text=_smtp_text(text))
        return None
    if isinstance(error, smtplib.SMTPDataError):
        if 500 <= error.smtp_code < 600:
            return RecipientRefused(code=error.smtp_code, text=_smtp_text(error.smtp_error))
        return None
    if isinstance(error, AnymailRecipientsRefused):  # the provider rejected this address
        return RecipientRefused(code=error.status_code, text=_anymail_text(error))
    if isinstance(error, AnymailAPIError):
        # An HTTP API: a refused request for this message (400, 406, 422…) is the
        # recipient's; unauthorised, throttled (429), a server error or no answer is not.
        code = error.status_code
        if code is not None and 400 <= code < 500 and code not in {401, 403, 408, 429}:
            return RecipientRefused(code=code, text=_anymail_text(error))
        return None
    if isinstance(error, ValueError):  # a malformed address (sanitize_address, BadHeaderError)
        return RecipientRefused(code=None, text=str(error))
    return None


def _release_failure_text(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(error.recipients.values()), (None, b""))
        return f"{code} {_smtp_text(text)}"
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{error.smtp_code} {_smtp_text(error.smtp_error)}"
    if isinstance(error, AnymailError):
        code = error.status_code
        return f"{code} {_anymail_text(error)}" if code else _anymail_text(error)
    return f"{type(error).__name__}: {error}"


def release_mailing_prepare(*, episode: Episode) -> ReleaseMailing:
    """Create (or find) the episode's release mailing and one delivery per current recipient.

    Safe to run again: the mailing is one per episode and a delivery one per address (the
    unique constraint, with ignore_conflicts), so a second run only adds people who joined
    since and never queues anyone twice. Recipients stream from the database and rows are
    written RELEASE_PREPARE_BATCH at a time, so memory stays flat in the list's length.
    """
    if not episode.is_live:
        raise EpisodeNotLive(f"Episode {episode.slug} is not published.")
    mailing, _ = ReleaseMailing.objects.get_or_create(episode=episode)
    batch: list[ReleaseDelivery] = []
    for email in sunday_email_recipient_addresses():
        batch.append(ReleaseDelivery(mailing=mailing, email=email))
        if len(batch) >= RELEASE_PREPARE_BATCH:
            ReleaseDelivery.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    if batch:
        ReleaseDelivery.objects.bulk_create(batch, ignore_conflicts=True)
    return mailing


def _claim_stale_before(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(seconds=settings.RELEASE_CLAIM_STALE_SECONDS)


def _reclaimable(queryset, now: dt.datetime):
    """Waiting rows nobody holds: never claimed, released, or claimed by a dead worker."""
    return queryset.filter(status=ReleaseDelivery.Status.PENDING).filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=_claim_stale_before(now))
    )


def release_chunk_ranges(
    *, mailing: ReleaseMailing, chunk_size: int | None = None, now=None
) -> list[tuple[int, int]]:
    """The (first_id, last_id) ranges of a mailing's sendable deliveries, chunk_size rows
    each: one chunk task per range. Streams the ids, so it is flat in memory too."""
    chunk_size = chunk_size or settings.RELEASE_CHUNK_SIZE
    now = now or timezone.now()
    ids = (
        _reclaimable(ReleaseDelivery.objects.filter(mailing=mailing), now)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    ranges: list[tuple[int, int]] = []
    first = last = None
    count = 0
    for pk in ids.iterator(chunk_size=5000):
        if first is None:
            first = pk
        last = pk
        count += 1
        if count == chunk_size:
            ranges.append((first, last))
            first, count = None, 0
    if first is not None:
        ranges.append((first, last))
    return ranges


def release_mailing_dispatch(*, mailing: ReleaseMailing, now=None) -> list[tuple[int, int]]:
    """Ranges to hand out as chunk tasks now, noting the hand-out so the sweep waits."""
    now = now or timezone.now()
    ranges = release_chunk_ranges(mailing=mailing, now=now)
    ReleaseMailing.objects.filter(pk=mailing.pk).update(active_at=now)
    if not ranges:
        _release_mailing_complete_if_done(mailing_id=mailing.pk)
    return ranges


def release_mailings_stalled(*, now=None) -> list[ReleaseMailing]:
    """Unfinished mailings nobody has worked on for RELEASE_CLAIM_STALE_SECONDS: their
    worker died, or their tasks were lost. The resume sweep dispatches them again."""
    now = now or timezone.now()
    stale = _claim_stale_before(now)
    return list(
        ReleaseMailing.objects.filter(completed_at__isnull=True)
        .filter(Q(active_at__isnull=True) | Q(active_at__lt=stale))
        .select_related("episode")
        .order_by("pk")
    )


def _release_claim(
    *, mailing_id: int, first_id: int, last_id: int, claimer: str, limit: int
) -> list[ReleaseDelivery]:
    """Take up to `limit` sendable rows of the range for this chunk run, committed.

    SKIP LOCKED makes two chunks claiming at once take different rows (PostgreSQL); the
    committed claimed_at/claimed_by is what the other chunks then respect, and what a
    stale claim is told by once its worker is gone.
    """
    now = timezone.now()
    rows = ReleaseDelivery.objects.filter(mailing_id=mailing_id, pk__range=(first_id, last_id))
    with transaction.atomic():
        ids = list(
            _reclaimable(rows, now)
            .select_for_update(skip_locked=True)
            .order_by("pk")
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return []
        ReleaseDelivery.objects.filter(pk__in=ids).update(claimed_at=now, claimed_by=claimer)
        ReleaseMailing.objects.filter(pk=mailing_id).update(active_at=now)
    return list(ReleaseDelivery.objects.filter(pk__in=ids, claimed_by=claimer).order_by("pk"))


def _release_claims_release(*, claimer: str) -> None:
    ReleaseDelivery.objects.filter(
        claimed_by=claimer, status=ReleaseDelivery.Status.PENDING
    ).update(claimed_at=None, claimed_by="")


def release_chunk_send(*, mailing_id: int, first_id: int, last_id: int, connection=None) -> int:
    """Send the waiting deliveries of one chunk over one mail connection; returns how many.

    Right before each message the row's claim is renewed, and only if it is still ours, so
    a row another worker took over after our claim went stale is skipped, not doubled. A
    recipient the server refuses (5yz) fails alone; a server failure releases this run's
    unsent claims at once and raises MailServerUnavailable for the task to retry.
    """
    mailing = ReleaseMailing.objects.select_related("episode").get(pk=mailing_id)
    claimer = uuid.uuid4().hex
    release_email = None
    sent = 0
    opened = False
    connection = connection or get_connection()
    try:
        while batch := _release_claim(
            mailing_id=mailing_id,
            first_id=first_id,
            last_id=last_id,
            claimer=claimer,
            limit=RELEASE_CLAIM_BATCH,
        ):
            if release_email is None:
                release_email = release_email_prepare(episode=mailing.episode)
            if not opened:
                try:
                    connection.open()
                except (smtplib.SMTPException, OSError) as error:
                    raise MailServerUnavailable(_release_failure_text(error)) from error
                opened = True
            for delivery in batch:
                renewed = ReleaseDelivery.objects.filter(
                    pk=delivery.pk, claimed_by=claimer, status=ReleaseDelivery.Status.PENDING
                ).update(claimed_at=timezone.now(), attempts=F("attempts") + 1)
                if not renewed:
                    continue  # another worker took it over
                sent += _release_delivery_send(
                    delivery=delivery,
                    message=release_email.for_recipient(delivery.email),
                    connection=connection,
                    claimer=claimer,
                )
    except MailServerUnavailable:
        ReleaseMailing.objects.filter(pk=mailing_id).update(
            active_at=timezone.now() + RELEASE_RETRY_WAIT
        )
        raise
    finally:
        _release_claims_release(claimer=claimer)
        if opened:
            try:
                connection.close()
            except (smtplib.SMTPException, OSError):
                logger.info("Mail connection did not close cleanly", exc_info=True)
    _release_mailing_complete_if_done(mailing_id=mailing_id)
    return sent


def _release_delivery_send(*, delivery: ReleaseDelivery, message, connection, claimer: str) -> int:
    """Send one claimed delivery: 1 if sent, 0 if the recipient was refused (now failed).
    A server failure is recorded on the row, which stays waiting, and raised."""
    mine = ReleaseDelivery.objects.filter(pk=delivery.pk, claimed_by=claimer)
    try:
        connection.send_messages([message])
    except (smtplib.SMTPException, OSError, ValueError, AnymailError) as error:
        refusal = release_failure_classify(error)
        if refusal is None:
            reason = _release_failure_text(error)
            mine.update(error=reason[:1000])
            raise MailServerUnavailable(reason) from error
        logger.warning("Release email to %s refused: %s", delivery.email, refusal.text)
        text = f"{refusal.code} {refusal.text}" if refusal.code else refusal.text
        mine.update(status=ReleaseDelivery.Status.FAILED, smtp_code=refusal.code, error=text[:1000])
        return 0
    mine.update(
        status=ReleaseDelivery.Status.SENT, sent_at=timezone.now(), smtp_code=None, error=""
    )
    return 1


def _release_mailing_complete_if_done(*, mailing_id: int) -> None:
    waiting = ReleaseDelivery.objects.filter(
        mailing_id=mailing_id, status=ReleaseDelivery.Status.PENDING
    )
    if not waiting.exists():
        ReleaseMailing.objects.filter(pk=mailing_id, completed_at=None).update(
            completed_at=timezone.now()
        )


def release_deliveries_send(*, mailing: ReleaseMailing, batch_size: int | None = None) -> int:
    """Send every waiting delivery of a mailing here, chunk after chunk; returns how many.

    What `send_release <slug>` and a second worker at the same time both do: the claims
    make them share the rows instead of doubling them.
    """
    sent = 0
    for first_id, last_id in release_chunk_ranges(mailing=mailing, chunk_size=batch_size):
        sent += release_chunk_send(mailing_id=mailing.pk, first_id=first_id, last_id=last_id)
    _release_mailing_complete_if_done(mailing_id=mailing.pk)
    return sent


class ReleaseEmail:
    """One episode's Sunday email, rendered once and addressed to each recipient.

    The templates are rendered once per chunk with a stand-in for the one thing that
    differs per person (the signed unsubscribe link); for_recipient() fills it in. The
    same split (one body + per-recipient merge values) is what an ESP's batch send takes.
    """

    PLACEHOLDER = "https://unsubscribe.invalid/RECIPIENT-TOKEN"

    def __init__(self, *, template, subject_prefix: str = ""):
        self.template = template
        self.html = template.alternatives[0][0]
        self.subject = subject_prefix + template.subject

    @staticmethod
    def unsubscribe_url(email: str) -> str:
        return settings.SITE_URL + reverse(
            "members:unsubscribe", args=[sunday_email_unsubscribe_token(email)]
        )

    def merge_values(self, email: str) -> dict[str, str]:
        return {"unsubscribe_url": self.unsubscribe_url(email)}

    def for_recipient(self, email: str) -> EmailMultiAlternatives:
        url = self.unsubscribe_url(email)
        template = self.template
        headers = {
            name: value.replace(self.PLACEHOLDER, url)
            for name, value in template.extra_headers.items()
        }
        message = EmailMultiAlternatives(
            subject=self.subject,
            body=template.body.replace(self.PLACEHOLDER, url),
            from_email=template.from_email,
            to=[email],
            headers=headers,
        )
        message.attach_alternative(self.html.replace(self.PLACEHOLDER, url), "text/html")
        # Read by django-anymail (tags and metadata come back on the tracking webhook);
        # plain SMTP ignores them.
        message.tags = ["sunday-email"]
        message.metadata = {"list": "sunday"}
        return message


def release_email_prepare(*, episode: Episode, subject_prefix: str = "") -> ReleaseEmail:
    """The Sunday email: multipart text + HTML, with a one-click unsubscribe (RFC 8058)
    and a List-Id (RFC 2919), as Gmail and Yahoo require of bulk mail.

    It carries only the public part of the article: never anything members-only.
    """
    from .rendering import render_episode_article

    host = urlsplit(settings.SITE_URL).hostname or "backinshape.example"
    unsubscribe_url = ReleaseEmail.PLACEHOLDER
    template = email_build(
        to="recipient@unsubscribe.invalid",
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
    return ReleaseEmail(template=template, subject_prefix=subject_prefix)


def release_email_build(*, episode: Episode, email: str) -> EmailMultiAlternatives:
    """The Sunday email for one recipient."""
    return release_email_prepare(episode=episode).for_recipient(email)


def release_send(*, episode: Episode) -> int:
    """Send (or resume) an episode's release email to every current recipient, here."""
    mailing = release_mailing_prepare(episode=episode)
    return release_deliveries_send(mailing=mailing)


def release_test_send(*, episode: Episode, email: str) -> None:
    """Send the episode's Sunday email to one staff address, marked as a test in the
    subject. No delivery is written: the real release still reaches that address once."""
    message = release_email_prepare(episode=episode, subject_prefix="[Test] ").for_recipient(email)
    get_connection().send_messages([message])


def release_failed_retry(*, mailing: ReleaseMailing) -> int:
    """Put a mailing's failed deliveries back in the queue (say, after the mail server's
    problem with them was fixed); returns how many. The caller dispatches the chunks."""
    retried = mailing.deliveries.filter(status=ReleaseDelivery.Status.FAILED).update(
        status=ReleaseDelivery.Status.PENDING, claimed_at=None, claimed_by="", smtp_code=None
    )
    if retried:
        ReleaseMailing.objects.filter(pk=mailing.pk).update(completed_at=None)
    return retried


def release_pending_count(*, episode: Episode) -> int:
    return ReleaseDelivery.objects.filter(
        mailing__episode=episode, status=ReleaseDelivery.Status.PENDING
    ).count()
