from functools import partial

from celery import shared_task
from django.db import transaction

from . import services
from .mailing import (
    MailServerUnavailable,
    release_chunk_send,
    release_emails_due,
    release_mailing_dispatch,
    release_mailing_prepare,
)
from .mailing.selectors import release_mailings_stalled
from .models import Episode, ReleaseMailing


@shared_task
def publish_due_episodes() -> list[str]:
    """Sunday release: publish every scheduled episode whose moment has come, then send
    each one's release email."""
    published = services.episodes_publish_due()
    for episode in published:
        transaction.on_commit(partial(send_release.delay, episode.pk))
    return [episode.slug for episode in published]


def _chunks_enqueue(mailing: ReleaseMailing) -> int:
    ranges = release_mailing_dispatch(mailing=mailing)
    for first_id, last_id in ranges:
        transaction.on_commit(partial(send_release_chunk.delay, mailing.pk, first_id, last_id))
    return len(ranges)


@shared_task
def send_release(episode_id: int) -> int:
    """Send (or resume) one episode's release email: write a delivery per recipient, then
    hand out one chunk task per RELEASE_CHUNK_SIZE deliveries to whichever workers run.
    Returns how many chunks were queued."""
    episode = Episode.objects.get(pk=episode_id)
    mailing = release_mailing_prepare(episode=episode)
    return _chunks_enqueue(mailing)


@shared_task
def resume_release_mailing(mailing_id: int) -> int:
    """Hand out chunk tasks for whatever of one mailing is still waiting (staff's Resume)."""
    mailing = ReleaseMailing.objects.get(pk=mailing_id)
    return _chunks_enqueue(mailing)


# A mail server that is down or throttling is worth waiting for; the deliveries already
# marked sent are never sent again, so a retry only resumes. Backoff doubles from 30 s to
# 240 s, with jitter so many chunks do not hammer a recovering server at once; it stays
# under the broker's visibility timeout (CELERY_VISIBILITY_TIMEOUT), or Redis would hand
# the waiting retry to a second worker. Past max_retries the resume sweep carries on.
@shared_task(
    autoretry_for=(MailServerUnavailable,),
    retry_backoff=30,
    retry_backoff_max=240,
    retry_jitter=True,
    max_retries=10,
)
def send_release_chunk(mailing_id: int, first_id: int, last_id: int) -> int:
    """Send one chunk of a release email (the waiting deliveries with ids in the range)."""
    return release_chunk_send(mailing_id=mailing_id, first_id=first_id, last_id=last_id)


@shared_task
def release_mailings_resume() -> int:
    """Every minute (celery beat): start the Sunday emails whose moment has come (staff
    published early and chose "at the usual time"), and re-dispatch unfinished mailings
    nobody is working on, such as one whose worker was killed mid-send. Returns how many
    chunk tasks were queued for stalled mailings."""
    for episode in release_emails_due():
        transaction.on_commit(partial(send_release.delay, episode.pk))
    return sum(_chunks_enqueue(mailing) for mailing in release_mailings_stalled())
