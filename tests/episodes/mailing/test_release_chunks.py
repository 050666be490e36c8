"""The Sunday email fans out into chunk tasks that any number of workers share."""

import datetime as dt
import threading
import time
from email import message_from_bytes

import factory
import psycopg
import pytest
from django.db import connection, connections
from django.utils import timezone

from episodes.mailing import (
    release_chunk_send,
    release_deliveries_send,
    release_email_prepare,
    release_mailing_prepare,
    release_send,
    transport,
)
from episodes.mailing.mailing import RELEASE_CLAIM_BATCH
from episodes.mailing.selectors import release_chunk_ranges
from episodes.models import ReleaseDelivery, ReleaseMailing
from episodes.tasks import release_mailings_resume, send_release
from members.models import Subscriber
from tests.conftest import require_service
from tests.factories import EpisodeFactory, SubscriberFactory, UserFactory


def _subscribers(n, prefix="reader"):
    SubscriberFactory.create_batch(n, email=factory_email(prefix))


def factory_email(prefix):
    return factory.Sequence(lambda i: f"{prefix}.{i:05d}@example.com")


@pytest.mark.django_db
def test_preparing_writes_the_rows_in_a_few_bulk_queries(
    premium_episode, django_assert_max_num_queries
):
    now = timezone.now()
    Subscriber.objects.bulk_create(
        [Subscriber(email=f"reader.{i:05d}@example.com", confirmed_at=now) for i in range(2500)]
    )
    UserFactory(email="READER.00001@example.com")  # also a subscriber, in another case

    # A handful of bulk INSERTs (SQLite cuts them at 999 parameters), never one per row.
    with django_assert_max_num_queries(40):
        mailing = release_mailing_prepare(episode=premium_episode)

    assert mailing.deliveries.count() == 2500


@pytest.mark.django_db
def test_the_release_task_queues_one_chunk_per_chunk_size(
    smtp_sink, premium_episode, settings, django_capture_on_commit_callbacks
):
    settings.RELEASE_CHUNK_SIZE = 2
    _subscribers(5)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        chunks = send_release.delay(premium_episode.pk).get()

    assert chunks == 3
    assert len(callbacks) == 3
    assert len(smtp_sink.messages) == 5
    assert smtp_sink.connections == 3  # one connection per chunk
    assert ReleaseMailing.objects.get().completed_at is not None


@pytest.mark.django_db
def test_a_chunk_sends_over_one_connection(smtp_sink, premium_episode, settings):
    settings.RELEASE_CHUNK_SIZE = 500
    _subscribers(130)

    assert release_send(episode=premium_episode) == 130

    assert smtp_sink.connections == 1
    assert len(set(smtp_sink.recipients)) == 130


@pytest.mark.django_db
def test_beat_firing_twice_sends_nobody_a_second_copy(
    smtp_sink, premium_episode, settings, django_capture_on_commit_callbacks
):
    settings.RELEASE_CHUNK_SIZE = 3
    _subscribers(7)

    with django_capture_on_commit_callbacks(execute=True):
        send_release.delay(premium_episode.pk)
        send_release.delay(premium_episode.pk)
        release_mailings_resume.delay()

    assert sorted(smtp_sink.recipients) == sorted(set(smtp_sink.recipients))
    assert len(smtp_sink.messages) == 7


@pytest.mark.django_db
def test_overlapping_chunks_send_each_row_once(smtp_sink, premium_episode):
    _subscribers(6)
    mailing = release_mailing_prepare(episode=premium_episode)
    ids = list(mailing.deliveries.order_by("pk").values_list("pk", flat=True))

    release_chunk_send(mailing_id=mailing.pk, first_id=ids[0], last_id=ids[3])
    release_chunk_send(mailing_id=mailing.pk, first_id=ids[2], last_id=ids[5])

    assert len(smtp_sink.messages) == len(set(smtp_sink.recipients)) == 6


@pytest.mark.django_db
def test_a_chunk_leaves_rows_another_worker_is_sending(smtp_sink, premium_episode):
    _subscribers(3)
    mailing = release_mailing_prepare(episode=premium_episode)
    held = mailing.deliveries.order_by("pk").first()
    ReleaseDelivery.objects.filter(pk=held.pk).update(
        claimed_at=timezone.now(), claimed_by="another-worker"
    )

    assert release_deliveries_send(mailing=mailing) == 2
    assert held.email not in smtp_sink.recipients


@pytest.fixture
def postgresql():
    require_service(
        connection.vendor == "postgresql",
        "PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/backinshape",
    )


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_workers_on_the_same_chunk_at_once_send_each_email_once(postgresql, smtp_sink):
    smtp_sink.delay = 0.005
    n = RELEASE_CLAIM_BATCH * 2 + 10  # more than one worker's claim
    episode = EpisodeFactory(publish_at=timezone.now() - dt.timedelta(hours=1))
    _subscribers(n)
    mailing = release_mailing_prepare(episode=episode)
    first, last = release_chunk_ranges(mailing=mailing)[0]
    barrier = threading.Barrier(2)
    counts = []

    def worker():
        try:
            barrier.wait()
            counts.append(release_chunk_send(mailing_id=mailing.pk, first_id=first, last_id=last))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sum(counts) == n
    assert all(count > 0 for count in counts)  # they shared the work
    assert len(smtp_sink.messages) == len(set(smtp_sink.recipients)) == n


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_each_message_is_accepted_only_once_the_one_before_is_marked_sent(
    postgresql, smtp_sink, monkeypatch
):
    """The marks are written one message behind, on a connection of their own, yet never
    more than one accepted message is unmarked: what bounds a killed worker's duplicates.
    Each mark is slowed down, so a send that did not wait for it would be seen."""
    # The one internal step slowed down on purpose: there is no public seam between a
    # message's acceptance and its mark.
    mark_sent = transport._release_delivery_mark_sent  # noqa: SLF001

    def slow_mark_sent(**kwargs):
        time.sleep(0.05)
        mark_sent(**kwargs)

    monkeypatch.setattr(transport, "_release_delivery_mark_sent", slow_mark_sent)
    episode = EpisodeFactory(publish_at=timezone.now() - dt.timedelta(hours=1))
    _subscribers(40)
    mailing = release_mailing_prepare(episode=episode)
    db = connection.settings_dict
    unmarked_at_accept = []

    with psycopg.connect(
        dbname=db["NAME"], user=db["USER"], host=db["HOST"], port=db["PORT"] or 5432
    ) as observer:
        observer.autocommit = True

        def before_accept(envelope):
            (marked,) = observer.execute(
                "SELECT count(*) FROM episodes_releasedelivery WHERE status = 'sent'"
            ).fetchone()
            unmarked_at_accept.append(len(smtp_sink.messages) - marked)

        smtp_sink.before_accept = before_accept
        sent = release_deliveries_send(mailing=mailing)

    assert sent == 40
    assert len(unmarked_at_accept) == 40
    assert set(unmarked_at_accept) == {0}  # every earlier message was marked by then
    assert mailing.deliveries.filter(status=ReleaseDelivery.Status.SENT).count() == 40


@pytest.mark.django_db
def test_the_prebuilt_smtp_copy_is_the_same_email_as_the_built_one(premium_episode):
    release_email = release_email_prepare(episode=premium_episode)
    built = message_from_bytes(
        release_email.for_recipient("reader@example.com").message().as_bytes(linesep="\r\n")
    )
    envelope_from, raw = release_email.raw_for_recipient("reader@example.com")
    fast = message_from_bytes(raw)
    _, other = release_email.raw_for_recipient("other@example.com")

    assert envelope_from == "hello@backinshape.example"
    for header in ["To", "From", "Subject", "List-Unsubscribe", "List-Unsubscribe-Post", "List-Id"]:
        assert " ".join(fast[header].split()) == " ".join(built[header].split())  # unfolded
    assert [p.get_payload(decode=True) for p in fast.walk()] == [
        p.get_payload(decode=True) for p in built.walk()
    ]
    assert fast["Message-ID"] != message_from_bytes(other)["Message-ID"]
    assert release_email.raw_for_recipient('"odd one"@example.com') is None  # the usual way
