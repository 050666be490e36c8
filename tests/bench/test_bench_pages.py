"""Page benchmarks: queries per page and requests per second through the full Django stack.

Run with `make bench`. Not part of `make test`: numbers depend on the machine.
"""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import CommentFactory, EpisodeFactory, MembershipFactory, TopicFactory

pytestmark = [pytest.mark.bench, pytest.mark.django_db]

REQUESTS = 200


@pytest.fixture
def catalogue():
    topics = [TopicFactory() for _ in range(5)]
    episodes = [EpisodeFactory(topics=topics[: 1 + n % 5]) for n in range(30)]
    busy = episodes[-1]
    for _ in range(50):
        top = CommentFactory(episode=busy)
        CommentFactory(episode=busy, parent=top)
    return busy


def _measure(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    query_count = len(queries)  # read now: every request clears the query log
    started = time.perf_counter()
    for _ in range(REQUESTS):
        client.get(url)
    elapsed = time.perf_counter() - started
    return query_count, REQUESTS / elapsed


def test_bench_pages(client, catalogue):
    member = MembershipFactory().user
    rows = []
    for who in ["visitor", "premium member"]:
        if who == "premium member":
            client.force_login(member)
        for url in ["/", "/episodes/", catalogue.get_absolute_url(), "/search/?q=back"]:
            queries, rps = _measure(client, url)
            rows.append((who, url, queries, rps))
    print("\n| who | page | queries | requests/s |\n|---|---|---|---|")
    for who, url, queries, rps in rows:
        print(f"| {who} | `{url}` | {queries} | {rps:.0f} |")
    assert all(queries <= 10 for _, _, queries, _ in rows)
