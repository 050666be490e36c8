"""The Sunday release through a real Celery worker, Redis broker and SMTP server.

Skipped on a machine without a broker; fails in CI (CI=true), where Redis must be up.
"""

import datetime as dt
import time

import pytest
from django.utils import timezone

from backinshape.celery import app
from episodes.models import Episode, ReleaseMailing
from episodes.tasks import publish_due_episodes
from tests.factories import EpisodeFactory, SubscriberFactory


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_the_sunday_beat_task_publishes_and_mails_through_a_worker(
    celery_worker, smtp_sink, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    SubscriberFactory(email="one@example.com")
    SubscriberFactory(email="two@example.com")
    due = EpisodeFactory(
        status=Episode.Status.SCHEDULED, publish_at=timezone.now() - dt.timedelta(minutes=1)
    )

    publish_due_episodes.delay()  # what beat does on Sunday morning

    assert not app.conf.task_always_eager
    deadline = time.monotonic() + 20
    mailing = None
    while time.monotonic() < deadline:
        mailing = ReleaseMailing.objects.filter(episode=due, completed_at__isnull=False).first()
        if mailing:
            break
        time.sleep(0.2)
    assert mailing is not None, "the worker did not finish the release in time"
    assert Episode.objects.published().filter(pk=due.pk).exists()
    assert len(smtp_sink.messages) == 2
