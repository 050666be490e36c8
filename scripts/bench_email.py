"""Benchmark the Sunday email: real Celery workers sending a release to a local SMTP sink.

    make bench-email                    # N = 2,000 and 20,000, 1 and 2 workers
    BENCH_EMAIL_SIZES=500,5000 make bench-email

For each list size N it prints messages/s for the release through 1 and then 2 workers
(from queuing send_release to the mailing being complete: writing the delivery rows,
fanning out chunks, claiming, building and sending each email), the peak RSS of a worker
(VmHWM), and a plain smtplib loop sending the same, already-built messages over one
connection to the same sink in the same run: the ceiling for one sender on this machine.
Every figure is the best of BENCH_EMAIL_REPEAT runs (3); peak RSS is the highest seen.

Needs PostgreSQL and Redis (SKIP LOCKED and two workers need a real database and broker):
BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/backinshape_bench, created
if missing and emptied of subscribers and episodes) and CELERY_BROKER_URL (default
redis://127.0.0.1:6379/0). Traffic goes to 127.0.0.1 only; every loop is bounded.
"""

import os
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import urlsplit

import django
import psycopg
from aiosmtpd.controller import Controller

# Lazy until used, so importable before django_setup() has put ENV in place.
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZES = [int(n) for n in os.environ.get("BENCH_EMAIL_SIZES", "2000,20000").split(",")]
WORKER_COUNTS = [1, 2]
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/backinshape_bench"
)
BROKER_URL = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
QUEUE = f"bench-email-{uuid.uuid4().hex[:8]}"
# Each figure is the best of REPEAT runs, the plain loop's as much as the workers': on a
# shared 2-core machine a single run swings by a tenth either way.
REPEAT = int(os.environ.get("BENCH_EMAIL_REPEAT", "3"))
TIMEOUT = float(os.environ.get("BENCH_EMAIL_TIMEOUT", "900"))  # seconds per run, at most

ENV = {
    **os.environ,
    "DATABASE_URL": DATABASE_URL,
    "CELERY_BROKER_URL": BROKER_URL,
    "CELERY_TASK_DEFAULT_QUEUE": QUEUE,
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "bench-only-not-a-secret",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    "LOG_LEVEL": "WARNING",
}
ENV.pop("REDIS_URL", None)


def sink_main(port: int) -> None:
    """A local SMTP server that accepts every message and throws it away."""

    class Discard:
        async def handle_DATA(self, server, session, envelope):
            return "250 OK"

    controller = Controller(Discard(), hostname="127.0.0.1", port=port)
    controller.start()
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    controller.stop()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"The SMTP sink on port {port} did not start.")


def database_ensure() -> None:
    parts = urlsplit(DATABASE_URL)
    name = parts.path.lstrip("/")
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def django_setup() -> None:
    os.environ.update(ENV)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backinshape.settings")
    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def audience_create(n: int) -> list[str]:
    from episodes.models import Episode  # noqa: PLC0415 (needs django_setup() first)
    from members.models import Subscriber, User  # noqa: PLC0415 (needs django_setup() first)

    Episode.objects.all().delete()
    Subscriber.objects.all().delete()
    User.objects.all().delete()
    now = timezone.now()
    emails = [f"reader.{i:06d}@example.com" for i in range(n)]
    Subscriber.objects.bulk_create(
        [Subscriber(email=email, confirmed_at=now) for email in emails], batch_size=2000
    )
    return emails


def episode_create(label: str):
    from episodes.models import Episode  # noqa: PLC0415 (needs django_setup() first)

    number = (Episode.objects.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    return Episode.objects.create(
        number=number,
        title=f"Bench episode {label}",
        slug=f"bench-{label}-{uuid.uuid4().hex[:6]}",
        standfirst="Why your back feels the way it does, and what helps.",
        body="## Moving again\n\nA short article for the benchmark.\n\n## Sleep\n\nMore words.",
        status=Episode.Status.PUBLISHED,
        publish_at=timezone.now(),
    )


def plain_loop(emails: list[str], port: int) -> float:
    """Messages/s for smtplib alone: the same messages, built beforehand, one connection."""
    from episodes.mailing import release_email_prepare  # noqa: PLC0415 (needs django_setup() first)

    email = release_email_prepare(episode=episode_create("plain"))
    raw = [(to, email.for_recipient(to).message().as_bytes(linesep="\r\n")) for to in emails]
    sender = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for to, message in raw:
            smtp.sendmail(sender, [to], message)
    return len(raw) / (time.perf_counter() - started)


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def workers_start(count: int, port: int, logdir: str) -> list[subprocess.Popen]:
    # INFO, so the worker's "ready." line reaches its log (the site logs at WARNING here).
    env = {
        **ENV,
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "PYTHONUNBUFFERED": "1",
        "LOG_LEVEL": "INFO",
    }
    celery = str(Path(sys.executable).with_name("celery"))
    workers = []
    for i in range(count):
        log = Path(logdir) / f"worker-{count}-{i}.log"
        workers.append(
            subprocess.Popen(
                [celery, "-A", "backinshape", "worker", "--pool=solo", "-Q", QUEUE,
                 "-n", f"bench{i}-{uuid.uuid4().hex[:4]}@%h", "-l", "info",
                 "--without-mingle", "--without-gossip", "--without-heartbeat"],
                cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
            )
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while b" ready." not in log.read_bytes():
            if time.monotonic() > deadline or workers[-1].poll() is not None:
                raise SystemExit(f"Worker did not start; see {log}:\n{log.read_text()[-2000:]}")
            time.sleep(0.2)
    return workers


def workers_stop(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def producer_warm(app) -> None:
    """Open this process's broker connection and declare the queue before the clock starts,
    as beat's and the site's are already open when a release is queued: the first publish
    otherwise spends about a quarter of a second connecting, a tenth of a 2,000 run."""
    queue = app.amqp.queues.select_add(QUEUE)
    with app.producer_or_acquire() as producer:
        producer.connection.ensure_connection(max_retries=3)
        producer.maybe_declare(queue)


def release_through_workers(emails: list[str], count: int, port: int, logdir: str):
    from backinshape.celery import app  # noqa: PLC0415 (needs django_setup() first)
    from episodes.models import ReleaseDelivery, ReleaseMailing  # noqa: PLC0415 (needs django_setup() first)

    workers = workers_start(count, port, logdir)
    try:
        episode = episode_create(f"{len(emails)}-{count}")
        app.conf.update(broker_url=BROKER_URL, task_always_eager=False)
        producer_warm(app)
        started = time.perf_counter()
        app.send_task("episodes.tasks.send_release", args=[episode.pk], queue=QUEUE)
        deadline = time.monotonic() + TIMEOUT
        while not ReleaseMailing.objects.filter(
            episode=episode, completed_at__isnull=False
        ).exists():
            if time.monotonic() > deadline:
                raise SystemExit(f"The release of {len(emails)} did not finish in {TIMEOUT:.0f} s")
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        sent = ReleaseDelivery.objects.filter(
            mailing__episode=episode, status=ReleaseDelivery.Status.SENT
        ).count()
        if sent != len(emails):
            raise SystemExit(f"Only {sent} of {len(emails)} sent")
        rss = max(peak_rss_mb(worker.pid) for worker in workers)
    finally:
        workers_stop(workers)
    return len(emails) / elapsed, rss


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--sink":
        sink_main(int(sys.argv[2]))
        return
    database_ensure()
    django_setup()
    port = free_port()
    sink = subprocess.Popen([sys.executable, __file__, "--sink", str(port)], cwd=ROOT)
    rows = []
    try:
        wait_for_port(port)
        with tempfile.TemporaryDirectory() as logdir:
            for n in SIZES:
                emails = audience_create(n)
                plain = max(plain_loop(emails, port) for _ in range(REPEAT))
                results = {}
                for count in WORKER_COUNTS:
                    runs = [
                        release_through_workers(emails, count, port, logdir) for _ in range(REPEAT)
                    ]
                    results[count] = (max(rate for rate, _ in runs), max(rss for _, rss in runs))
                rows.append((n, plain, results))
                print(f"… N={n:,} done", file=sys.stderr, flush=True)
    finally:
        sink.send_signal(signal.SIGTERM)
        sink.wait(timeout=10)

    print(f"\nSunday email benchmark ({os.cpu_count()} cores; sink: aiosmtpd on 127.0.0.1)\n")
    print("| N | plain smtplib msg/s | 1 worker msg/s | × plain | 2 workers msg/s | speed-up 1→2 "
          "| peak worker RSS (MB) |")  # fmt: skip
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for n, plain, results in rows:
        one, rss_one = results[1]
        two, _ = results[2]
        print(f"| {n:,} | {plain:,.0f} | {one:,.0f} | {one / plain:.2f} | {two:,.0f} "
              f"| {two / one:.2f}× | {rss_one:.0f} |")  # fmt: skip
    if len(rows) >= 2:
        small, large = rows[0][2][1][1], rows[-1][2][1][1]
        print(f"\nPeak RSS of one worker, N={rows[-1][0]:,} vs N={rows[0][0]:,}: "
              f"{(large - small) / small:+.1%}")  # fmt: skip


if __name__ == "__main__":
    main()
