"""`make run` for tests: scripts/run.sh (migrate, seed, then web, worker and beat under
honcho) on a spare port, with its database, broker, cache and beat schedule in a folder of
the test's own, stopped with Ctrl-C (SIGINT to its process group) as a terminal would."""

import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The environment a developer's shell would not carry into `make run`.
_DROP = ("DJANGO_", "CELERY_", "EMAIL_", "ANYMAIL_", "DATABASE_", "REDIS_", "STRIPE_")
_DROP_EXACT = {"PORT", "SITE_URL", "CACHE_DIR", "RELEASE_TIME", "RELEASE_WEEKDAY"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid …": comm may hold spaces, so split after its ")".
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def descendants(pid: int) -> set[int]:
    tree, found, pending = _children(), set(), [pid]
    while pending:
        for child in tree.get(pending.pop(), []):
            if child not in found:
                found.add(child)
                pending.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@dataclass
class RunStack:
    folder: Path
    port: int
    extra_env: dict = field(default_factory=dict)
    process: subprocess.Popen | None = None
    log_path: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def database(self) -> Path:
        return self.folder / "db.sqlite3"

    def env(self) -> dict:
        clean = {
            k: v for k, v in os.environ.items() if not k.startswith(_DROP) and k not in _DROP_EXACT
        }
        return {
            **clean,
            "PORT": str(self.port),
            "DATABASE_URL": f"sqlite:///{self.database}",
            "CELERY_FILESYSTEM_DIR": str(self.folder / "broker"),
            "CELERY_BEAT_SCHEDULE_FILENAME": str(self.folder / "celerybeat-schedule"),
            "CACHE_DIR": str(self.folder / "cache"),
            # Its own queue name too, so nothing else on this machine shares its tasks.
            "CELERY_TASK_DEFAULT_QUEUE": f"run-stack-{self.port}",
            **self.extra_env,
        }

    def start(self, *, timeout: float = 180) -> "RunStack":
        self.log_path = self.folder / "run.log"
        self.process = subprocess.Popen(
            ["scripts/run.sh"],
            cwd=ROOT,
            env=self.env(),
            stdin=subprocess.DEVNULL,
            stdout=self.log_path.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, as in a terminal
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"make run stopped early:\n{self.log()}")
            log = self.log()
            started = "celery@" in log and " ready." in log and "beat: Starting" in log
            if started and _answers(self.port):
                return self
            time.sleep(0.5)
        raise RuntimeError(f"make run did not start in {timeout} s:\n{self.log()[-4000:]}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path else ""

    def interrupt(self, *, timeout: float = 30) -> set[int]:
        """Ctrl-C: SIGINT to the foreground process group. Returns the processes it had
        started that are still alive afterwards (none, when it stops properly)."""
        started = descendants(self.process.pid) | {self.process.pid}
        os.killpg(self.process.pid, signal.SIGINT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=timeout)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(alive(pid) for pid in started):
            time.sleep(0.2)
        return {pid for pid in started if alive(pid)}

    def kill_leftovers(self) -> None:
        for pid in descendants(self.process.pid) | {self.process.pid}:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)

    def outbox(self) -> list[tuple[str, str, str]]:
        """(subject, to, sent_at) of every email the site kept, oldest first."""
        with sqlite3.connect(self.database, timeout=20) as db:
            return db.execute(
                'SELECT subject, "to", sent_at FROM outbox_outboxmessage ORDER BY id'
            ).fetchall()


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False
