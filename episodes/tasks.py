from celery import shared_task

from . import services


@shared_task
def publish_due_episodes() -> list[str]:
    """Sunday release: publish every scheduled episode whose moment has come."""
    return [episode.slug for episode in services.episodes_publish_due()]
