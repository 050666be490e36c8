from celery import shared_task

from .health import heartbeat_record


@shared_task(ignore_result=True)
def heartbeat():
    """Run by a worker every minute (beat): a fresh value proves beat and a worker alive."""
    heartbeat_record()
