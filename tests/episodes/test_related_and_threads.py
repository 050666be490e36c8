"""The two reads a cold episode page is made of: its related episodes and its comment
threads, each in a fixed number of queries."""

import datetime as dt

import pytest
from django.utils import timezone

from episodes import selectors
from episodes.models import Comment, Episode
from tests.factories import CommentFactory, EpisodeFactory, TopicFactory

pytestmark = pytest.mark.django_db


def _days_ago(days: int):
    return timezone.now() - dt.timedelta(days=days)


def test_related_lists_the_chosen_first_then_the_newest_sharing_a_topic(
    django_assert_num_queries,
):
    sleep, sitting = TopicFactory(name="Sleep"), TopicFactory(name="Sitting")
    episode = EpisodeFactory(topics=[sleep, sitting])
    chosen_old = EpisodeFactory(publish_at=_days_ago(300))
    EpisodeFactory(topics=[sleep], publish_at=_days_ago(30), title="Older match")
    newest_match = EpisodeFactory(topics=[sleep, sitting], publish_at=_days_ago(2))
    EpisodeFactory(publish_at=_days_ago(1), title="Unrelated and newest")
    episode.related.add(chosen_old)
    episode = Episode.objects.prefetch_related("topics").get(pk=episode.pk)

    with django_assert_num_queries(2):  # the cards, then their topics
        related = selectors.episode_related(episode=episode, limit=2)

    assert [e.pk for e in related] == [chosen_old.pk, newest_match.pk]
    assert [t.name for t in related[1].topics.all()] == ["Sitting", "Sleep"]


def test_related_never_lists_an_episode_twice_nor_itself_nor_one_not_live():
    sleep = TopicFactory(name="Sleep")
    episode = EpisodeFactory(topics=[sleep])
    both = EpisodeFactory(topics=[sleep], publish_at=_days_ago(3))
    draft = EpisodeFactory(topics=[sleep], status=Episode.Status.DRAFT)
    scheduled = EpisodeFactory(topics=[sleep], publish_at=timezone.now() + dt.timedelta(days=2))
    episode.related.add(both, draft, scheduled, episode)

    related = selectors.episode_related(episode=episode)

    assert [e.pk for e in related] == [both.pk]


def test_related_is_empty_with_nothing_chosen_and_no_topics():
    episode = EpisodeFactory()
    EpisodeFactory()
    assert selectors.episode_related(episode=episode) == []


def test_threads_put_each_reply_under_its_comment_and_count_the_approved(
    django_assert_num_queries,
):
    episode = EpisodeFactory()
    first = CommentFactory(episode=episode, body="First")
    second = CommentFactory(episode=episode, body="Second")
    reply = CommentFactory(episode=episode, parent=first, body="Reply to first")
    CommentFactory(episode=episode, parent=first, body="Held", status=Comment.Status.PENDING)
    hidden = CommentFactory(episode=episode, body="Hidden", status=Comment.Status.REMOVED)
    CommentFactory(episode=episode, parent=hidden, body="Reply to a removed comment")
    CommentFactory(body="On another episode")

    with django_assert_num_queries(1):
        threads, count = selectors.episode_comment_threads(episode=episode)
        shown = [(t.comment.body, [r.body for r in t.replies]) for t in threads]

    assert shown == [("First", ["Reply to first"]), ("Second", [])]
    assert [t.comment.pk for t in threads] == [first.pk, second.pk]
    assert threads[0].replies[0].pk == reply.pk
    assert count == 3


def test_threads_include_a_guests_own_pending_comment_but_do_not_count_it():
    episode = EpisodeFactory()
    top = CommentFactory(episode=episode, body="Approved")
    mine = CommentFactory(episode=episode, parent=top, status=Comment.Status.PENDING, body="Mine")
    CommentFactory(episode=episode, status=Comment.Status.PENDING, body="Someone else's")

    threads, count = selectors.episode_comment_threads(
        episode=episode, include_pending_ids=[mine.pk]
    )

    assert [(t.comment.body, [r.body for r in t.replies]) for t in threads] == [
        ("Approved", ["Mine"])
    ]
    assert count == 1
