"""Writes for episodes and comments. Views, admin actions, commands and tasks call these."""

import datetime as dt
import logging
import re
import smtplib
import time
import uuid
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from email.utils import parseaddr

from anymail.exceptions import AnymailAPIError, AnymailError, AnymailRecipientsRefused
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from common import emails
from common.page_cache import comments_changed
from members.selectors import member_email_verified, sunday_email_recipient_addresses
from members.services import sunday_email_unsubscribe_token

from .models import Comment, Episode, ReleaseDelivery, ReleaseMailing, Topic
from .podcast import audio_duration_seconds
from .rendering import normalise_body, render_episode_article
from .schedule import next_release_at
from .search import search_vectors_update
from .selectors import reclaimable, release_chunk_ranges

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
RELEASE_CLAIM_BATCH = 100
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


def release_mailing_dispatch(*, mailing: ReleaseMailing, now=None) -> list[tuple[int, int]]:
    """Ranges to hand out as chunk tasks now, noting the hand-out so the sweep waits."""
    now = now or timezone.now()
    ranges = release_chunk_ranges(mailing=mailing, now=now)
    ReleaseMailing.objects.filter(pk=mailing.pk).update(active_at=now)
    if not ranges:
        _release_mailing_complete_if_done(mailing_id=mailing.pk)
    return ranges


def episode_release_email_schedule(*, episode: Episode, at) -> Episode:
    """Send this published episode's Sunday email at `at` (the usual release time), not
    now. Kept on the episode rather than as a delayed task: a broker may lose or hand out
    again a task that waits for days, a row in the database does neither."""
    episode.release_email_at = at
    episode.save(update_fields=["release_email_at", "updated_at"])
    return episode


def release_emails_due(*, now=None) -> list[Episode]:
    """Published episodes whose waiting Sunday email is due now, each taken once: the
    moment is cleared as it is claimed, so a second sweep finds nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            Episode.objects.published(now=now)
            .filter(release_email_at__lte=now)
            .select_for_update(skip_locked=True)
        )
        Episode.objects.filter(pk__in=[e.pk for e in due]).update(release_email_at=None)
    return due


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
            reclaimable(rows, now)
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

    Each claimed batch is renewed while it is worked through, long before its claim could
    go stale, and only rows still ours are sent; a row another worker took over is
    skipped, not doubled. Each row is marked the moment its message is accepted, so a
    worker that dies leaves at most the one message in flight to go twice. A recipient the
    server refuses (5yz) fails alone; a server failure releases this run's unsent claims
    at once and raises MailServerUnavailable for the task to retry.
    """
    mailing = ReleaseMailing.objects.select_related("episode").get(pk=mailing_id)
    claimer = uuid.uuid4().hex
    renew_every = settings.RELEASE_CLAIM_STALE_SECONDS / 3
    release_email = None
    sent = 0
    opened = False
    connection = connection or get_connection()
    marks = _SentMarks(claimer=claimer)
    batch_api = esp_batch_api(connection)
    try:
        with _commits_without_flush_wait():
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
                if batch_api is not None:
                    for group in _groups(batch, batch_api.limit):
                        sent += _release_deliveries_send_batch(
                            deliveries=group,
                            release_email=release_email,
                            connection=connection,
                            claimer=claimer,
                            batch_api=batch_api,
                            marks=marks,
                        )
                    continue
                claimed = time.monotonic()
                for delivery in batch:
                    if time.monotonic() - claimed > renew_every:
                        mine = _release_claims_renew(claimer=claimer, ids=[d.pk for d in batch])
                        claimed = time.monotonic()
                        batch = [d for d in batch if d.pk in mine]
                        if delivery.pk not in mine:
                            continue  # another worker took it over
                    sent += _release_delivery_send(
                        delivery=delivery,
                        release_email=release_email,
                        connection=connection,
                        claimer=claimer,
                        marks=marks,
                    )
                marks.wait()  # the batch's last mark, before its claims are renewed or let go
    except MailServerUnavailable:
        ReleaseMailing.objects.filter(pk=mailing_id).update(
            active_at=timezone.now() + RELEASE_RETRY_WAIT
        )
        raise
    finally:
        try:
            marks.close()
        finally:
            _release_claims_release(claimer=claimer)
            if opened:
                try:
                    connection.close()
                except (smtplib.SMTPException, OSError):
                    logger.info("Mail connection did not close cleanly", exc_info=True)
    _release_mailing_complete_if_done(mailing_id=mailing_id)
    return sent


def _release_claims_renew(*, claimer: str, ids: list[int]) -> set[int]:
    """Refresh this run's claims on the rows of its batch; returns the ids still ours."""
    rows = ReleaseDelivery.objects.filter(
        pk__in=ids, claimed_by=claimer, status=ReleaseDelivery.Status.PENDING
    )
    rows.update(claimed_at=timezone.now())
    return set(rows.values_list("pk", flat=True))


@contextmanager
def _commits_without_flush_wait():
    """On PostgreSQL, let this connection's commits return before the WAL reaches disk
    (synchronous_commit off: https://www.postgresql.org/docs/current/wal-async-commit.html).

    The delivery marks are one commit per message, and waiting for the disk flush on each
    was what held a chunk to a few dozen messages a second. It never risks corruption or
    a half-made change; only a crash of the database server itself can lose the last
    moment's marks (at most three times wal_writer_delay), and those few people would be
    sent the email again. A worker's crash loses nothing. Reset on the way out, because
    the connection outlives the task.
    """
    if db_connection.vendor != "postgresql":
        yield
        return
    with db_connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with db_connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def _release_delivery_send(
    *,
    delivery: ReleaseDelivery,
    release_email: "ReleaseEmail",
    connection,
    claimer: str,
    marks: "_SentMarks",
) -> int:
    """Send one claimed delivery: 1 if sent, 0 if the recipient was refused (now failed).
    A server failure is recorded on the row, which stays waiting, and raised.

    The previous message's mark is waited for before this message can be accepted (just
    before DATA on SMTP), so at most one accepted message is ever unmarked."""
    try:
        raw = None
        if isinstance(connection, SMTPBackend) and connection.connection is not None:
            raw = release_email.raw_for_recipient(delivery.email)
        if raw is not None:
            envelope_from, message = raw
            smtp_sendmail(
                connection.connection,
                envelope_from,
                delivery.email,
                message,
                before_data=marks.wait,
            )
        else:
            marks.wait()
            connection.send_messages([release_email.for_recipient(delivery.email)])
    except (smtplib.SMTPException, OSError, ValueError, AnymailError) as error:
        refusal = release_failure_classify(error)
        mine = ReleaseDelivery.objects.filter(pk=delivery.pk, claimed_by=claimer)
        if refusal is None:
            reason = _release_failure_text(error)
            mine.update(error=reason[:1000], attempts=F("attempts") + 1)
            raise MailServerUnavailable(reason) from error
        logger.warning("Release email to %s refused: %s", delivery.email, refusal.text)
        text = f"{refusal.code} {refusal.text}" if refusal.code else refusal.text
        mine.update(
            status=ReleaseDelivery.Status.FAILED,
            smtp_code=refusal.code,
            error=text[:1000],
            attempts=F("attempts") + 1,
        )
        return 0
    marks.mark(delivery.pk)
    return 1


@dataclass(frozen=True)
class EspBatchApi:
    """An email provider whose batch API takes one message for many recipients, with
    per-recipient merge data in inline content (anymail's batch sending,
    https://anymail.dev/en/stable/sending/templates/#batch-send)."""

    merge_field: str  # how the provider's inline content names a merge field
    limit: int  # recipients per API call


# The providers whose batch API takes inline content with merge fields and per-recipient
# headers (merge_headers, for List-Unsubscribe), keyed by anymail's esp_name. Any other
# provider gets one API call per recipient.
ESP_BATCH_APIS = {
    # https://documentation.mailgun.com/docs/mailgun/user-manual/sending-messages/batch-sending
    "mailgun": EspBatchApi(merge_field="%recipient.{}%", limit=1000),
    # https://developers.sparkpost.com/api/template-language/ (substitution_data)
    "sparkpost": EspBatchApi(merge_field="{{{{{}}}}}", limit=1000),
}


def esp_batch_api(connection) -> EspBatchApi | None:
    """The batch API of the provider behind this mail connection, if it has one."""
    return ESP_BATCH_APIS.get(getattr(connection, "esp_name", "").lower())


def _groups(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


# anymail's recipient statuses that mean the provider will not send to that address.
_ESP_REFUSED = {"rejected", "invalid"}


def _release_deliveries_send_batch(
    *,
    deliveries: list[ReleaseDelivery],
    release_email: "ReleaseEmail",
    connection,
    claimer: str,
    batch_api: EspBatchApi,
    marks: "_SentMarks",
) -> int:
    """Send a group of claimed deliveries in one call to the provider's batch API; returns
    how many it accepted. Addresses it refuses fail alone; a failed call leaves the group
    waiting and raises MailServerUnavailable.

    The whole group is marked in one write once the provider answers, so a worker killed
    during the call sends that one call's group again, never more."""
    marks.wait()
    message = release_email.for_batch(
        [delivery.email for delivery in deliveries], merge_field=batch_api.merge_field
    )
    ids = [delivery.pk for delivery in deliveries]
    mine = ReleaseDelivery.objects.filter(pk__in=ids, claimed_by=claimer)
    try:
        connection.send_messages([message])
    except AnymailRecipientsRefused as error:  # every address of the group refused
        text = _anymail_text(error)
        logger.warning("Release email refused for a group of %d: %s", len(ids), text)
        mine.update(
            status=ReleaseDelivery.Status.FAILED, error=text[:1000], attempts=F("attempts") + 1
        )
        return 0
    except (AnymailError, OSError, ValueError) as error:
        reason = _release_failure_text(error)
        mine.update(error=reason[:1000], attempts=F("attempts") + 1)
        raise MailServerUnavailable(reason) from error
    statuses = message.anymail_status.recipients
    refused = [
        delivery
        for delivery in deliveries
        if getattr(statuses.get(delivery.email), "status", None) in _ESP_REFUSED
    ]
    for delivery in refused:
        status = statuses[delivery.email].status
        logger.warning("Release email to %s refused by the provider: %s", delivery.email, status)
        mine.filter(pk=delivery.pk).update(
            status=ReleaseDelivery.Status.FAILED,
            error=f"The provider reported the address {status}.",
            attempts=F("attempts") + 1,
        )
    refused_ids = {delivery.pk for delivery in refused}
    mine.exclude(pk__in=refused_ids).update(
        status=ReleaseDelivery.Status.SENT,
        sent_at=timezone.now(),
        smtp_code=None,
        error="",
        attempts=F("attempts") + 1,
    )
    return len(ids) - len(refused_ids)


def smtp_sendmail(smtp: smtplib.SMTP, from_addr: str, to_addr: str, message: bytes, *, before_data):
    """smtplib's sendmail() for one recipient, with `before_data()` called between the
    envelope (MAIL FROM, RCPT TO) and DATA: the last moment before the server can accept
    the message. Raises what sendmail() raises, for the same replies."""
    smtp.ehlo_or_helo_if_needed()
    options = [f"size={len(message)}"] if smtp.does_esmtp and smtp.has_extn("size") else []
    code, reply = smtp.mail(from_addr, options)
    if code != 250:
        _smtp_transaction_abandon(smtp, code)
        raise smtplib.SMTPSenderRefused(code, reply, from_addr)
    code, reply = smtp.rcpt(to_addr)
    if code not in (250, 251):
        _smtp_transaction_abandon(smtp, code)
        raise smtplib.SMTPRecipientsRefused({to_addr: (code, reply)})
    before_data()
    code, reply = smtp.data(message)
    if code != 250:
        _smtp_transaction_abandon(smtp, code)
        raise smtplib.SMTPDataError(code, reply)


def _smtp_transaction_abandon(smtp: smtplib.SMTP, code: int) -> None:
    """What sendmail() does after a refusal: 421 means the server is closing; otherwise
    RSET, so the connection can carry the next message."""
    if code == 421:
        smtp.close()
        return
    with suppress(smtplib.SMTPServerDisconnected):
        smtp.rset()


class _SentMarks:
    """Writes each "sent" mark one message behind, on a database connection of its own.

    Message n's mark is written while message n+1's envelope goes out, and waited for
    before message n+1's DATA, so at any moment at most one accepted message is unmarked,
    as when each mark is written in line; the database round trip (a quarter of the time
    per message on PostgreSQL, make bench-email) hides behind the SMTP one. In line
    instead when the rows are not yet visible to another connection (inside a
    transaction, as in tests) or off PostgreSQL.
    """

    def __init__(self, *, claimer: str):
        self.claimer = claimer
        self._pending: Future | None = None
        self._executor = None
        if db_connection.vendor == "postgresql" and not db_connection.in_atomic_block:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="release-marks")
            self._executor.submit(_marks_connection_prepare)

    def mark(self, pk: int) -> None:
        if self._executor is None:
            _release_delivery_mark_sent(pk=pk, claimer=self.claimer)
            return
        self.wait()
        self._pending = self._executor.submit(
            _release_delivery_mark_sent, pk=pk, claimer=self.claimer
        )

    def wait(self) -> None:
        """Block until the last mark is written; raise what writing it raised."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def close(self) -> None:
        if self._executor is None:
            return
        try:
            self.wait()
        finally:
            self._executor.submit(_marks_connection_close).result()
            self._executor.shutdown()


def _marks_connection_prepare() -> None:
    """The marks thread's connection commits without waiting for the WAL flush, as the
    chunk's own does (see _commits_without_flush_wait)."""
    with db_connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")


def _marks_connection_close() -> None:
    db_connection.close()  # the marks thread's own connection, looked up in that thread


def _release_delivery_mark_sent(*, pk: int, claimer: str) -> None:
    """Mark one delivery sent, if it is still this run's: the one write per message.

    Written as SQL because it is the hot path of a release: building the same UPDATE
    through the ORM cost about a millisecond a message on the benchmark machine, more
    than the SMTP conversation itself (make bench-email).
    """
    meta = ReleaseDelivery._meta
    quote = db_connection.ops.quote_name
    column = {f.name: quote(f.column) for f in meta.concrete_fields}
    table = quote(meta.db_table)
    assignments = (
        f"{column['status']} = %s, {column['sent_at']} = %s, {column['smtp_code']} = NULL, "
        f"{column['error']} = '', {column['attempts']} = {column['attempts']} + 1"
    )
    condition = f"{column['id']} = %s AND {column['claimed_by']} = %s"
    # Identifiers come from the model, every value is a parameter.
    sql = f"UPDATE {table} SET {assignments} WHERE {condition}"  # noqa: S608
    sent_at = db_connection.ops.adapt_datetimefield_value(timezone.now())
    with db_connection.cursor() as cursor:
        cursor.execute(sql, [ReleaseDelivery.Status.SENT, sent_at, pk, claimer])


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


# A plain ASCII addr-spec: the addresses the pre-built fast path takes as they are. Anything
# else (IDN, quoted local parts, malformed) goes through Django's own address handling.
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")


class ReleaseEmail:
    """One episode's Sunday email, rendered once and addressed to each recipient.

    The templates are rendered once per chunk with stand-ins for what differs per person
    (the address and the signed unsubscribe link); for_recipient() fills them in. The same
    split (one body + per-recipient merge values) is what an ESP's batch send takes.

    For SMTP, raw_for_recipient() goes one step further: the MIME message is serialised
    once and each recipient's copy is that text with the stand-ins and a fresh Message-ID
    swapped in, which is most of the cost of a message saved (see make bench-email). It is
    used only when each stand-in is found intact in the serialised text.
    """

    PLACEHOLDER = "https://unsubscribe.invalid/RECIPIENT-TOKEN"
    PLACEHOLDER_ADDRESS = "recipient@unsubscribe.invalid"
    _TOKEN = "RECIPIENT-TOKEN-0"

    def __init__(self, *, template, subject_prefix: str = ""):
        self.template = template
        self.html = template.alternatives[0][0]
        self.subject = subject_prefix + template.subject
        url = settings.SITE_URL + reverse("members:unsubscribe", args=[self._TOKEN])
        self._url_prefix, self._url_suffix = url.split(self._TOKEN)
        self._raw: tuple[list[bytes], str] | bool | None = False  # False: not built yet

    def unsubscribe_url(self, email: str) -> str:
        return self._url_prefix + sunday_email_unsubscribe_token(email) + self._url_suffix

    def merge_values(self, email: str) -> dict[str, str]:
        return {"unsubscribe_url": self.unsubscribe_url(email)}

    def _message(self, *, to: str, url: str) -> EmailMultiAlternatives:
        template = self.template
        headers = {
            name: value.replace(self.PLACEHOLDER, url)
            for name, value in template.extra_headers.items()
        }
        message = EmailMultiAlternatives(
            subject=self.subject,
            body=template.body.replace(self.PLACEHOLDER, url),
            from_email=template.from_email,
            to=[to],
            headers=headers,
        )
        message.attach_alternative(self.html.replace(self.PLACEHOLDER, url), "text/html")
        # Read by django-anymail (tags and metadata come back on the tracking webhook);
        # plain SMTP ignores them.
        message.tags = ["sunday-email"]
        message.metadata = {"list": "sunday"}
        return message

    def for_recipient(self, email: str) -> EmailMultiAlternatives:
        return self._message(to=email, url=self.unsubscribe_url(email))

    def for_batch(self, addresses: list[str], *, merge_field: str) -> EmailMultiAlternatives:
        """One message for a provider's batch API: each address gets its own copy, with
        its unsubscribe link filled in by the provider from merge data and headers."""
        message = self._message(to=addresses[0], url=merge_field.format("unsubscribe_url"))
        message.to = list(addresses)
        message.merge_data = {email: self.merge_values(email) for email in addresses}
        message.merge_headers = {
            email: {"List-Unsubscribe": f"<{self.unsubscribe_url(email)}>"} for email in addresses
        }
        message.extra_headers.pop("List-Unsubscribe", None)
        return message

    def _raw_template(self):
        """The serialised message cut at each stand-in, or None if they did not survive."""
        if self._raw is False:
            self._raw = None
            message = self._message(to=self.PLACEHOLDER_ADDRESS, url=self.PLACEHOLDER)
            mime = message.message()
            message_id = mime["Message-ID"]
            # Headers are ASCII; a body with a curly quote or a dash goes out 8bit, as
            # UTF-8 (Django's own SMTP path sends the same bytes).
            raw = mime.as_bytes(linesep="\r\n").decode("utf-8", errors="strict")
            raw = raw.replace(message_id, "\0MSGID\0", 1)
            raw = raw.replace(self.PLACEHOLDER_ADDRESS, "\0TO\0")
            raw = raw.replace(self.PLACEHOLDER, "\0URL\0")
            counts = (raw.count("\0MSGID\0"), raw.count("\0TO\0"), raw.count("\0URL\0"))
            if counts == (1, 1, 3):  # the header, the text part, the HTML part
                # The bare address for MAIL FROM (RFC 5321 §4.1.2), as smtplib would send it.
                envelope_from = parseaddr(
                    sanitize_address(message.from_email, message.encoding or "utf-8")
                )[1]
                self._raw = (raw, envelope_from)
        return self._raw

    def raw_for_recipient(self, email: str) -> tuple[str, bytes] | None:
        """(envelope sender, message bytes) for SMTP, or None to build it the usual way."""
        template = self._raw_template() if _PLAIN_ADDRESS.fullmatch(email) else None
        if template is None:
            return None
        raw, envelope_from = template
        text = (
            raw.replace("\0MSGID\0", emails.site_message_id(), 1)
            .replace("\0TO\0", email, 1)
            .replace("\0URL\0", self.unsubscribe_url(email))
        )
        return envelope_from, text.encode("utf-8")


def release_email_prepare(*, episode: Episode, subject_prefix: str = "") -> ReleaseEmail:
    """The Sunday email: multipart text + HTML, with a one-click unsubscribe (RFC 8058)
    and a List-Id (RFC 2919), as Gmail and Yahoo require of bulk mail.

    It carries only the public part of the article: never anything members-only.
    """

    unsubscribe_url = ReleaseEmail.PLACEHOLDER
    template = emails.release(
        ReleaseEmail.PLACEHOLDER_ADDRESS,
        episode=episode,
        episode_url=settings.SITE_URL + episode.get_absolute_url(),
        toc=render_episode_article(episode).public.toc,
        unsubscribe_url=unsubscribe_url,
        list_id=emails.list_id(label="sunday", description="Back In Shape Sunday email"),
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
