"""HTTP throughput of the main pages under gunicorn, the way production serves them.

Builds a throwaway SQLite database with the demo content (plus 100 comments on one
episode), starts gunicorn on 127.0.0.1, sends a fixed number of requests per page from
a few client threads, prints a Markdown table and stops everything.

    .venv/bin/python scripts/bench_http.py [--requests 400] [--threads 4] [--workers 2]
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

ROOT = Path(__file__).resolve().parent.parent
PORT = 8791
PAGES = ["/", "/episodes/", "EPISODE", "/search/?q=back", "/program/", "/feeds/podcast.xml"]

ADD_COMMENTS = """
from episodes.models import Episode, Comment
episode = Episode.objects.published().order_by("-publish_at").first()
Comment.objects.filter(episode=episode, body__startswith="Bench comment").delete()
for n in range(50):
    top = Comment.objects.create(episode=episode, name="Reader", email="r@example.com",
        body=f"Bench comment {n} with a link https://example.org/{n}", status="approved")
    Comment.objects.create(episode=episode, parent=top, name="Reply", email="p@example.com",
        body="Bench comment reply", status="approved")
print(episode.get_absolute_url())
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="bench-")
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_DEBUG"}},
        "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "SITE_URL": f"http://127.0.0.1:{PORT}",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    python = sys.executable

    def manage(*argv, **kwargs):
        return subprocess.run([python, "manage.py", *argv], cwd=ROOT, env=env, check=True, **kwargs)

    manage("migrate", "--noinput", stdout=subprocess.DEVNULL)
    manage("collectstatic", "--noinput", stdout=subprocess.DEVNULL)
    manage("seed_demo", stdout=subprocess.DEVNULL)
    episode_url = (
        manage("shell", "-c", ADD_COMMENTS, capture_output=True, text=True)
        .stdout.strip()
        .splitlines()[-1]
    )

    server = subprocess.Popen(
        [
            str(Path(python).parent / "gunicorn"),
            "backinshape.wsgi",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        base = f"http://127.0.0.1:{PORT}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1).read()  # noqa: S310
                break
            except OSError:
                time.sleep(0.1)
        print(f"| page | requests | req/s | p50 ms | p95 ms |  ({args.workers} gunicorn workers)")
        print("|---|---|---|---|---|")
        for page in PAGES:
            url = base + (episode_url if page == "EPISODE" else page)

            def fetch(_, url=url):
                started = time.perf_counter()
                with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
                    response.read()
                    assert response.status == 200
                return time.perf_counter() - started

            fetch(None)
            started = time.perf_counter()
            with ThreadPoolExecutor(args.threads) as pool:
                latencies = sorted(pool.map(fetch, range(args.requests)))
            elapsed = time.perf_counter() - started
            p95 = latencies[int(len(latencies) * 0.95) - 1]
            label = episode_url + " (100 comments)" if page == "EPISODE" else page
            print(
                f"| `{label}` | {args.requests} | {args.requests / elapsed:.0f} | "
                f"{statistics.median(latencies) * 1000:.1f} | {p95 * 1000:.1f} |"
            )
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
