"""HTTP throughput of the main pages under gunicorn, the way production serves them.

gunicorn with deploy/gunicorn.conf.py (2 workers), DJANGO_DEBUG=false, on the database in
DATABASE_URL and the cache in REDIS_URL when they are given (PostgreSQL + Redis, as in
production), else a throwaway SQLite file and local memory in one worker, the only shape
production settings accept without a shared cache (and it says so). Seeds the
demo content, tops it up to 30 episodes and puts 100 comments on one, then for each page
prints req/s, p50/p99 latency and the ratio to a static file of the same size served by
the same gunicorn + whitenoise in the same run; then the workers' memory after 10,000
requests.

    .venv/bin/python scripts/bench_http.py [--requests 1000] [--threads 4]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bis_cache REDIS_URL=redis://127.0.0.1:6379/11 \
        .venv/bin/python scripts/bench_http.py
"""

import argparse
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parent.parent
PORT = 8791
BASE = f"http://127.0.0.1:{PORT}"
TOTAL_FOR_RSS = 10_000

SEED = """
import datetime as dt
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from episodes.models import Comment, Episode
from members.models import Membership, User

number = Episode.objects.order_by("-number").values_list("number", flat=True).first() or 0
while Episode.objects.count() < 30:
    number += 1
    Episode.objects.create(
        number=number, title=f"Bench episode {number}", slug=f"bench-episode-{number}",
        standfirst="A bench episode.", body="## Part\\n\\nWords. " * 40,
        status="published", publish_at=timezone.now() - dt.timedelta(days=number),
    )
episode = Episode.objects.published().order_by("-publish_at").first()
Comment.objects.filter(episode=episode, body__startswith="Bench comment").delete()
for n in range(50):
    top = Comment.objects.create(episode=episode, name="Reader", email="r@example.com",
        body=f"Bench comment {n} with a link https://example.org/{n}", status="approved")
    Comment.objects.create(episode=episode, parent=top, name="Reply", email="p@example.com",
        body="Bench comment reply", status="approved")
user, _ = User.objects.get_or_create(email="bench.premium@example.com",
    defaults={"display_name": "Bench"})
Membership.objects.update_or_create(user=user, defaults={"status": "active",
    "stripe_customer_id": "cus_bench", "stripe_subscription_id": "sub_bench",
    "current_period_end": timezone.now() + dt.timedelta(days=30)})
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
print(episode.get_absolute_url(), session.session_key)
"""


def fetch(url: str, cookie: str = "", before=None) -> tuple[float, int]:
    if before is not None:
        before()
    headers = {"Cookie": cookie} if cookie else {}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (loopback only)
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback)
        size = len(response.read())
        assert response.status == 200, url
    return time.perf_counter() - started, size


def measure(urls, *, threads: int, cookie: str = "", before=None):
    """(req/s, p50 ms, p99 ms) for one request to each of `urls`; `before` runs first,
    outside the timing, before every request."""
    fetch(urls[0], cookie)
    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        latencies = sorted(t for t, _ in pool.map(lambda u: fetch(u, cookie, before), urls))
    elapsed = time.perf_counter() - started
    p99 = latencies[max(0, int(len(latencies) * 0.99) - 1)]
    return len(urls) / elapsed, statistics.median(latencies) * 1000, p99 * 1000


def _generation_bumper(redis_url: str, mode: str):
    """Bump the site's generations in Redis as `catalogue_changed()` does (mode "edit": an
    episode saved) or as `comments_changed()` does ("comment"): the keys as Django's
    RedisCache names them (KEY_PREFIX:version:key), ints stored as they are."""
    client = redis.Redis.from_url(redis_url)
    own = "page-cache:catalogue" if mode == "edit" else "page-cache:comments"
    keys = ["page-cache:generation", own]

    def bump():
        client.mset(dict.fromkeys([f"backinshape:1:{key}" for key in keys], time.time_ns()))

    return bump


def worker_rss_mib(master_pid: int) -> list[float]:
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    sizes = []
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(int(line.split()[1]) / 1024)
    return sizes


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="bench-")
    database = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3"
    redis = os.environ.get("REDIS_URL", "")
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DJANGO_DEBUG"}},
        "DATABASE_URL": database,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "SITE_URL": BASE,
        "GUNICORN_BIND": f"127.0.0.1:{PORT}",
        "WEB_CONCURRENCY": str(args.workers),
        "GUNICORN_MAX_REQUESTS": "0",  # no recycling: the RSS figure is after every request
    }
    for name in ("DJANGO_ALLOW_ASYNC_UNSAFE", "PYTEST_CURRENT_TEST"):
        env.pop(name, None)
    if not redis:
        # A cache per process: production settings accept it for one process only.
        args.workers = 1
        env.update(WEB_CONCURRENCY="1")
        env.pop("CELERY_BROKER_URL", None)
    kind = "PostgreSQL" if database.startswith("postgres") else "SQLite (no DATABASE_URL given)"
    cache_kind = "Redis" if redis else "local memory, one worker (no REDIS_URL given)"
    print(f"Database: {kind}; cache: {cache_kind}")
    python = sys.executable

    def manage(*argv, **kwargs):
        return subprocess.run([python, "manage.py", *argv], cwd=ROOT, env=env, check=True, **kwargs)

    manage("migrate", "--noinput", stdout=subprocess.DEVNULL)
    manage("collectstatic", "--noinput", stdout=subprocess.DEVNULL)
    manage("seed_demo", stdout=subprocess.DEVNULL)
    seeded = manage("shell", "-c", SEED, capture_output=True, text=True).stdout.strip()
    episode_url, session_key = seeded.splitlines()[-1].split()
    premium_cookie = f"sessionid={session_key}"

    def start():
        server = subprocess.Popen(
            [str(Path(python).parent / "gunicorn"), "-c", "deploy/gunicorn.conf.py",
             "--access-logfile", "/dev/null", "backinshape.wsgi"],
            cwd=ROOT, env=env,
        )  # fmt: skip
        for _ in range(100):
            try:
                urllib.request.urlopen(BASE + "/healthz", timeout=1).read()  # noqa: S310
                return server
            except OSError:
                time.sleep(0.1)
        raise SystemExit("gunicorn did not start")

    # A static file exactly the size of the episode page, served by the same whitenoise.
    server = start()
    _, size = fetch(BASE + episode_url)
    server.terminate()
    server.wait(timeout=10)
    static_dir = ROOT / "staticfiles" / "bench"
    static_dir.mkdir(parents=True, exist_ok=True)
    (static_dir / "page.html").write_bytes(b"x" * size)
    server = start()
    sent = 0
    try:
        n = args.requests
        static_rate = 0.0
        rows = [
            ("static file, same size", [BASE + "/static/bench/page.html"] * n, ""),
            ("episode (100 comments), visitor, warm", [BASE + episode_url] * n, ""),
            ("episode (100 comments), premium member", [BASE + episode_url] * n, premium_cookie),
            # An unknown query parameter skips the page cache: the miss path, every time.
            ("episode (100 comments), visitor, page-cache miss",
             [f"{BASE}{episode_url}?bench={i}" for i in range(n)], ""),
            ("`/`, visitor", [BASE + "/"] * n, ""),
            # Cold: the generations bumped before every request. After an edit the page and
            # the fragments that show no comment are rebuilt around the cached comment
            # list; after a comment is approved, the comment list is rebuilt around them.
            ("episode (100 comments), visitor, cold (an episode just edited)",
             [BASE + episode_url] * n, "", "edit"),
            ("episode (100 comments), visitor, cold (a comment just approved)",
             [BASE + episode_url] * n, "", "comment"),
            ("`/episodes/`, visitor", [BASE + "/episodes/"] * n, ""),
            ("`/feeds/podcast.xml`, visitor", [BASE + "/feeds/podcast.xml"] * n, ""),
        ]  # fmt: skip
        print(
            f"\n{size} bytes per episode page; {n} requests per row, "
            f"{args.threads} client threads, {args.workers} gunicorn workers\n"
        )
        print("| page | req/s | p50 ms | p99 ms | × static |")
        print("|---|---|---|---|---|")
        for label, urls, cookie, *mode in rows:
            if mode and not redis:
                print(f"| {label} | (needs REDIS_URL) | | | |")
                continue
            before = _generation_bumper(redis, mode[0]) if mode else None
            rate, p50, p99 = measure(urls, threads=args.threads, cookie=cookie, before=before)
            static_rate = static_rate if label != rows[0][0] else rate
            sent += len(urls) + 1
            print(f"| {label} | {rate:.0f} | {p50:.1f} | {p99:.1f} | {rate / static_rate:.3f} |")
        rest = max(0, TOTAL_FOR_RSS - sent - n)
        if rest:
            measure([BASE + episode_url] * rest, threads=args.threads)
        rss = worker_rss_mib(server.pid)
        print(f"\nWorker RSS after {TOTAL_FOR_RSS:,} requests: "
              + ", ".join(f"{mib:.0f} MiB" for mib in rss))  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
