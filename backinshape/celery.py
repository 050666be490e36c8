import os
from logging.config import dictConfig
from pathlib import Path

from celery import Celery, signals
from django.conf import settings

from . import logging as request_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backinshape.settings")

app = Celery("backinshape")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["backinshape"])  # backinshape.tasks: the heartbeat


@app.on_after_configure.connect
def _filesystem_broker_folders(sender, **kwargs):
    """kombu's filesystem broker (`make run`) needs its folders made beforehand."""
    if not str(sender.conf.broker_url or "").startswith("filesystem:"):
        return
    options = sender.conf.broker_transport_options
    for key in ("data_folder_in", "data_folder_out", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


@signals.setup_logging.connect
def _logging_from_django(**kwargs):
    """Worker and beat log through Django's LOGGING (JSON in production, with request ids)
    instead of Celery's own handlers."""

    dictConfig(settings.LOGGING)


def _connect_request_id_signals():

    signals.before_task_publish.connect(request_logging.celery_headers_add_request_id, weak=False)
    signals.task_prerun.connect(request_logging.celery_task_request_id_set, weak=False)
    signals.task_postrun.connect(request_logging.celery_task_request_id_clear, weak=False)


_connect_request_id_signals()
