"""The Sunday release on the production database: two runs at once publish each episode once."""

import datetime as dt
import threading

import pytest
from django.core import mail
from django.db import connection, connections
from django.utils import timezone

from episodes import services
from episodes.mailing import release_deliveries_send, release_mailing_prepare
from episodes.models import Episode
from tests.conftest import require_service
from tests.factories import EpisodeFactory, SubscriberFactory


@pytest.fixture
def postgresql():
    require_service(
        connection.vendor == "postgresql",
        "PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/backinshape",
    )


def _run_twice_at_once(work):
    """Run `work` in two threads that start together, each with its own connection."""
    results = []
    barrier = threading.Barrier(2)

    def run():
        try:
            barrier.wait()
            results.append(work())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_release_runs_at_once_publish_each_episode_once(postgresql):
    due = EpisodeFactory.create_batch(
        6, status=Episode.Status.SCHEDULED, publish_at=timezone.now() - dt.timedelta(minutes=5)
    )
    results = _run_twice_at_once(
        lambda: [episode.slug for episode in services.episodes_publish_due()]
    )

    published = sorted(slug for run_slugs in results for slug in run_slugs)
    assert published == sorted(e.slug for e in due)  # each exactly once, across both runs
    assert Episode.objects.published().count() == 6


@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_one_release_send_each_email_once(postgresql):
    episode = EpisodeFactory()
    SubscriberFactory.create_batch(40)
    mailing = release_mailing_prepare(episode=episode)
    counts = _run_twice_at_once(lambda: release_deliveries_send(mailing=mailing, batch_size=7))

    recipients = [message.to[0] for message in mail.outbox]
    assert sum(counts) == 40
    assert len(recipients) == len(set(recipients)) == 40
