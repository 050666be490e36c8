from functools import partial

from celery import shared_task
from django.db import transaction

from . import services
from .models import Episode


@shared_task
def publish_due_episodes() -> list[str]:
    """Sunday release: publish every scheduled episode whose moment has come, then send
    each one's release email."""
    published = services.episodes_publish_due()
    for episode in published:
        transaction.on_commit(partial(send_release.delay, episode.pk))
    return [episode.slug for episode in published]


# A mail server that is down or throttling is worth waiting for; the deliveries already
# marked sent are never sent again, so a retry only resumes. Backoff doubles from 30 s to
# at most 30 min, with jitter so many chunks do not hammer a recovering server at once.
@shared_task(
    autoretry_for=(services.MailServerUnavailable,),
    retry_backoff=30,
    retry_backoff_max=1800,
    retry_jitter=True,
    max_retries=10,
)
def send_release(episode_id: int) -> int:
    """Send (or resume) one episode's release email to every current recipient."""
    episode = Episode.objects.get(pk=episode_id)
    return services.release_send(episode=episode)
