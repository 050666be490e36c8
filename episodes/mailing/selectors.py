"""Reads for the Sunday email: which deliveries a chunk may take, the chunks' id ranges,
mailings nobody is working on, and how many deliveries wait (the writes are in mailing.py)."""

import datetime as dt

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from episodes.models import Episode, ReleaseDelivery, ReleaseMailing


def claim_stale_before(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(seconds=settings.RELEASE_CLAIM_STALE_SECONDS)


def reclaimable(queryset, now: dt.datetime):
    """Waiting rows nobody holds: never claimed, released, or claimed by a dead worker."""
    return queryset.filter(status=ReleaseDelivery.Status.PENDING).filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=claim_stale_before(now))
    )


def release_chunk_ranges(
    *, mailing: ReleaseMailing, chunk_size: int | None = None, now=None
) -> list[tuple[int, int]]:
    """The (first_id, last_id) ranges of a mailing's sendable deliveries, chunk_size rows
    each: one chunk task per range. Streams the ids, so it is flat in memory too."""
    chunk_size = chunk_size or settings.RELEASE_CHUNK_SIZE
    now = now or timezone.now()
    ids = (
        reclaimable(ReleaseDelivery.objects.filter(mailing=mailing), now)
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


def release_mailings_stalled(*, now=None) -> list[ReleaseMailing]:
    """Unfinished mailings nobody has worked on for RELEASE_CLAIM_STALE_SECONDS: their
    worker died, or their tasks were lost. The resume sweep dispatches them again."""
    now = now or timezone.now()
    stale = claim_stale_before(now)
    return list(
        ReleaseMailing.objects.filter(completed_at__isnull=True)
        .filter(Q(active_at__isnull=True) | Q(active_at__lt=stale))
        .select_related("episode")
        .order_by("pk")
    )


def release_pending_count(*, episode: Episode) -> int:
    return ReleaseDelivery.objects.filter(
        mailing__episode=episode, status=ReleaseDelivery.Status.PENDING
    ).count()
