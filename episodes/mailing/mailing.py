"""Writes for the Sunday email: a mailing per episode, its deliveries, chunks and retries.

How a release goes out (README, "The Sunday email"): release_mailing_prepare() writes one
delivery row per recipient; the rows are cut into chunks of RELEASE_CHUNK_SIZE ids and
each chunk is a task any worker can take. A chunk claims its rows a few at a time
(SELECT … FOR UPDATE SKIP LOCKED, then claimed_at/claimed_by committed), so overlapping
chunks, a second beat or two workers never send one row twice. A worker that dies
leaves claimed rows behind; once their claim is older than RELEASE_CLAIM_STALE_SECONDS
any chunk may take them again, and release_mailings_stalled() finds such mailings for
the resume sweep. At most the one message in flight when a worker died goes twice.
"""

import datetime as dt
import logging
import smtplib
import time
import uuid
from contextlib import contextmanager

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.utils import timezone

from episodes.models import Episode, ReleaseDelivery, ReleaseMailing
from members.selectors import sunday_email_recipient_addresses

from .message import release_email_prepare
from .selectors import reclaimable, release_chunk_ranges
from .transport import (
    MailServerUnavailable,
    SentMarks,
    esp_batch_api,
    release_deliveries_send_batch,
    release_delivery_send,
    release_failure_text,
)

logger = logging.getLogger(__name__)


RELEASE_PREPARE_BATCH = 1000
RELEASE_CLAIM_BATCH = 100
# After a server failure the chunk's retry comes within the task's retry_backoff_max; the
# sweep leaves the mailing alone until then instead of piling up more retries.
RELEASE_RETRY_WAIT = dt.timedelta(seconds=240)


class EpisodeNotLive(Exception):
    """Release emails go out only for published episodes whose moment has come."""


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
    marks = SentMarks(claimer=claimer)
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
                        raise MailServerUnavailable(release_failure_text(error)) from error
                    opened = True
                if batch_api is not None:
                    for group in _groups(batch, batch_api.limit):
                        sent += release_deliveries_send_batch(
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
                    sent += release_delivery_send(
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


def _groups(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


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
