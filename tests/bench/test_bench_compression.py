"""What gzip costs a page-cache hit: `pytest tests/bench/test_bench_compression.py -m bench -s`.

An episode page with 100 comments (the largest page), served from the anonymous page
cache to a client without Accept-Encoding, to a browser (the compressed copy the cache
kept), and to a browser with the copy taken away, so every hit compresses afresh. CPU
time per request in the Django test client, the median of five rounds.
"""

import statistics
import time

import pytest
from django.test import Client

from common.page_cache import middleware
from tests.factories import CommentFactory, EpisodeFactory

pytestmark = [pytest.mark.bench, pytest.mark.django_db]

ROUNDS, REQUESTS = 5, 200
BROWSER = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


def _ms_per_hit(url: str, headers: dict) -> float:
    client = Client()
    assert client.get(url, **headers)["X-Cache"] in ("hit", "miss")
    rounds = []
    for _ in range(ROUNDS):
        started = time.process_time()
        for _ in range(REQUESTS):
            client.get(url, **headers)
        rounds.append((time.process_time() - started) * 1000 / REQUESTS)
    return statistics.median(rounds)


def test_bench_compression_on_cache_hits(monkeypatch):
    episode = EpisodeFactory()
    for _ in range(50):
        CommentFactory(episode=episode, parent=CommentFactory(episode=episode))
    url = episode.get_absolute_url()
    plain = Client().get(url)
    gzipped = Client().get(url, **BROWSER)
    rows = [
        ("no Accept-Encoding", _ms_per_hit(url, {}), len(plain.content)),
        ("gzip, the cache's copy", _ms_per_hit(url, BROWSER), len(gzipped.content)),
    ]
    monkeypatch.setattr(middleware, "compressed_copy_attach", lambda response, copy: None)
    rows.append(("gzip, compressed on every hit", _ms_per_hit(url, BROWSER), len(gzipped.content)))

    print("\n| page-cache hit | CPU ms | bytes |\n|---|---|---|")
    for name, ms, size in rows:
        print(f"| {name} | {ms:.2f} | {size:,} |")
    assert rows[1][1] < rows[2][1]
