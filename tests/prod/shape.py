"""The production shape, brought up for tests/prod and torn down after them.

Debian's nginx with deploy/nginx/backinshape.conf (rendered for a temporary folder and a
throwaway self-signed certificate), two gunicorns behind its upstream, a Celery worker and
beat, a throwaway PostgreSQL database, Redis databases of its own, an SMTP sink and a local
S3 stand-in (moto). Every child runs in its own process group, so stopping it stops its
children too.

Where the services live (tests/prod/conftest.py reads these):
  PROD_CHECK_DATABASE_URL  a server to create the throwaway database on
                           (default postgres://postgres@127.0.0.1:5432/postgres)
  PROD_CHECK_REDIS_URL     default redis://127.0.0.1:6379
  PROD_CHECK_REDIS_DBS     broker and cache DB numbers, default "14,15" (both flushed)
"""

import base64
import contextlib
import logging
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import boto3
import psycopg
import redis
import requests
from aiosmtpd.controller import Controller
from moto.server import ThreadedMotoServer

from tests.conftest import SmtpSink
from tests.run_stack import free_port

ROOT = Path(__file__).resolve().parent.parent.parent
VENV_BIN = Path(sys.executable).parent
BUCKET = "backinshape-prod-check"
STAFF_EMAIL = "prod-check-staff@example.com"
PASSWORD = "Correct-Horse-" + secrets.token_hex(6)
# Production requires staff to have a second step (STAFF_REQUIRE_MFA): the staff account
# gets an authenticator app with this secret, and the tests answer with its codes.
TOTP_SECRET = base64.b32encode(secrets.token_bytes(20)).decode()
# What the children must not inherit from the shell (or from pytest): each is set below.
_DROP_PREFIXES = ("DJANGO_", "CELERY_", "SENTRY_", "STRIPE_", "ANYMAIL_", "PYTEST_")
_DROP = {"DATABASE_URL", "REDIS_URL", "EMAIL_URL", "MEDIA_STORAGE_URL"}


@dataclass(frozen=True)
class Services:
    """The PostgreSQL server and Redis the shape borrows a database and two DBs from."""

    server_url: str
    redis_url: str
    broker_db: int
    cache_db: int

    @classmethod
    def from_env(cls) -> "Services":
        broker_db, cache_db = (
            int(n) for n in os.environ.get("PROD_CHECK_REDIS_DBS", "14,15").split(",")
        )
        return cls(
            server_url=os.environ.get(
                "PROD_CHECK_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"
            ),
            redis_url=os.environ.get("PROD_CHECK_REDIS_URL", "redis://127.0.0.1:6379").rstrip("/"),
            broker_db=broker_db,
            cache_db=cache_db,
        )

    @property
    def postgres_address(self) -> tuple[str, int]:
        parts = urlsplit(self.server_url)
        return parts.hostname or "127.0.0.1", parts.port or 5432

    @property
    def redis_address(self) -> tuple[str, int]:
        parts = urlsplit(self.redis_url)
        return parts.hostname or "127.0.0.1", parts.port or 6379


def wait_until(predicate, *, timeout: float, interval: float = 0.25):
    """predicate()'s first truthy value within `timeout` seconds, else its last value
    (None if it raised)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = predicate()
        except Exception:
            value = None
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


class Processes:
    """The children the shape starts, each with its log in `logs/<name>.log`."""

    def __init__(self, logs: Path):
        self.logs = logs
        self.children: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, args: list[str], env: dict) -> subprocess.Popen:
        log = (self.logs / f"{name}.log").open("wb")
        proc = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.children.append((name, proc))
        return proc

    def stop_all(self) -> None:
        for _name, proc in reversed(self.children):
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        for _name, proc in reversed(self.children):
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)

    def log(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate and key for `localhost`, valid for a day."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def render_nginx(tmp: Path, *, http_port, https_port, upstreams, cert, key, static_root, media):
    """deploy/nginx/backinshape.conf with its `# CHANGE` values filled in for `tmp`."""
    site = (ROOT / "deploy/nginx/backinshape.conf").read_text()
    site = "\n".join(line for line in site.splitlines() if "listen [::]" not in line)
    replacements = [
        (r"server 127\.0\.0\.1:8000", f"server 127.0.0.1:{upstreams[0]}"),
        (r"server 127\.0\.0\.1:8001", f"server 127.0.0.1:{upstreams[1]}"),
        (r"proxy_cache_path \S+", f"proxy_cache_path {tmp / 'cache'}"),
        (r"listen 80;", f"listen 127.0.0.1:{http_port};"),
        (r"listen 443 ssl", f"listen 127.0.0.1:{https_port} ssl"),
        (r"server_name \S+;", "server_name localhost;"),
        (
            r"access_log /var/log/nginx/backinshape\.access\.log",
            f"access_log {tmp / 'logs' / 'nginx-access.log'}",
        ),
        (r"ssl_certificate\s+\S+;", f"ssl_certificate {cert};"),
        (r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {key};"),
        (r"alias /srv/backinshape/staticfiles/;", f"alias {static_root}/;"),
        (r"alias /srv/backinshape/media/;", f"alias {media}/;"),
        # The redirect goes to the default port 443 in production; here, to ours.
        (r"https://\$host\$request_uri", f"https://$host:{https_port}$request_uri"),
        # $host has no port either; links in emails must carry ours (443 needs none).
        (r"proxy_set_header Host \$host;", f"proxy_set_header Host $host:{https_port};"),
    ]
    for pattern, replacement in replacements:
        site, count = re.subn(pattern, replacement.replace("\\", "\\\\"), site)
        if count == 0:
            raise AssertionError(f"{pattern!r} is no longer in deploy/nginx/backinshape.conf")
    (tmp / "site.conf").write_text(site)
    user = "user root root;" if os.geteuid() == 0 else ""
    main = f"""
{user}
daemon off;
worker_processes 1;
pid {tmp / "nginx.pid"};
error_log {tmp / "logs" / "nginx-error.log"} warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {tmp / "logs" / "nginx-access.log"};
    client_body_temp_path {tmp / "nginx-body"};
    proxy_temp_path {tmp / "nginx-proxy"};
    fastcgi_temp_path {tmp / "nginx-fastcgi"};
    uwsgi_temp_path {tmp / "nginx-uwsgi"};
    scgi_temp_path {tmp / "nginx-scgi"};
    include {tmp / "site.conf"};
}}
"""
    (tmp / "nginx.conf").write_text(main)
    return tmp / "nginx.conf"


def nginx_command(tmp: Path, conf: Path) -> list[str]:
    return ["nginx", "-c", str(conf), "-p", str(tmp), "-e", str(tmp / "logs/nginx-error.log")]


@dataclass
class Shape:
    """Where the shape answers, and what it has started."""

    tmp: Path  # its folder: config, certificate, static files, logs
    base: str  # https://localhost:<port>, through nginx
    http_base: str  # nginx's plain HTTP port, which only redirects
    web_ports: list[int]  # the two gunicorns, each reachable straight too
    sink: SmtpSink
    sink_port: int
    moto_base: str
    database_name: str
    database_url: str
    procs: Processes
    nginx: list[str] = field(default_factory=list)  # its command line, once rendered

    @property
    def cert(self) -> Path:
        return self.tmp / "cert.pem"

    def log(self, name: str) -> str:
        """A child's log (web-1, web-2, worker, beat, nginx) or nginx's error log."""
        if name == "nginx-error":
            path = self.tmp / "logs/nginx-error.log"
            return path.read_text(errors="replace") if path.exists() else ""
        return self.procs.log(name)


def shape_plan(services: Services, tmp: Path) -> Shape:
    """Ports, names and folders for a shape in `tmp`; nothing started yet."""
    (tmp / "logs").mkdir()
    (tmp / "media").mkdir()
    database_name = f"backinshape_prodcheck_{secrets.token_hex(4)}"
    return Shape(
        tmp=tmp,
        base=f"https://localhost:{free_port()}",
        http_base=f"http://localhost:{free_port()}",
        web_ports=[free_port(), free_port()],
        sink=SmtpSink(),
        sink_port=free_port(),
        moto_base=f"http://127.0.0.1:{free_port()}",
        database_name=database_name,
        database_url=urlunsplit(urlsplit(services.server_url)._replace(path=f"/{database_name}")),
        procs=Processes(tmp / "logs"),
    )


def production_env(shape: Shape, services: Services) -> dict:
    """Production settings (DEBUG off) for the shape's children."""
    inherited = {
        k: v for k, v in os.environ.items() if not k.startswith(_DROP_PREFIXES) and k not in _DROP
    }
    return {
        **inherited,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "SITE_URL": shape.base,
        "DJANGO_ALLOWED_HOSTS": "localhost",
        "TRUSTED_PROXY_COUNT": "1",
        "DATABASE_URL": shape.database_url,
        "CELERY_BROKER_URL": f"{services.redis_url}/{services.broker_db}",
        "REDIS_URL": f"{services.redis_url}/{services.cache_db}",
        "EMAIL_URL": f"smtp://127.0.0.1:{shape.sink_port}",
        "MEDIA_STORAGE_URL": (
            f"s3://{BUCKET}?endpoint_url={shape.moto_base}&region=us-east-1"
            "&querystring_auth=false&default_acl=public-read"
        ),
        "AWS_ACCESS_KEY_ID": "prod-check",
        "AWS_SECRET_ACCESS_KEY": "prod-check",
        "DJANGO_SUPERUSER_EMAIL": STAFF_EMAIL,
        "DJANGO_SUPERUSER_PASSWORD": PASSWORD,
        "STATIC_ROOT": str(shape.tmp / "static"),
        "WEB_CONCURRENCY": "2",
        "HEARTBEAT_SECONDS": "3",  # beat's first run of an interval task is one interval in
        "PYTHONUNBUFFERED": "1",
    }


def site_prepare(env: dict) -> None:
    """What a deploy runs before starting anything: migrate, collectstatic, seed_demo,
    createsuperuser, and the staff account's authenticator app (allauth.mfa) as if set up
    at /accounts/2fa/."""
    for command in (
        ["migrate", "--noinput"],
        ["collectstatic", "--noinput", "--verbosity", "0"],
        ["seed_demo"],
        ["createsuperuser", "--noinput"],
        [
            "shell",
            "-c",
            (
                "from allauth.mfa.totp.internal.auth import TOTP; "
                "from members.models import User; "
                f"TOTP.activate(User.objects.get(email={STAFF_EMAIL!r}), {TOTP_SECRET!r})"
            ),
        ],
    ):
        done = subprocess.run(
            [str(VENV_BIN / "python"), "manage.py", *command],
            cwd=ROOT, env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        if done.returncode:
            raise AssertionError(f"manage.py {command[0]} failed:\n{done.stderr[-4000:]}")


def app_servers_start(shape: Shape, env: dict) -> None:
    """Two gunicorns with deploy/'s config, a worker and beat, as the systemd units run them."""
    for n, port in enumerate(shape.web_ports, start=1):
        shape.procs.start(
            f"web-{n}",
            [str(VENV_BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py",
             "--no-control-socket", "backinshape.wsgi"],
            {**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
        )  # fmt: skip
    shape.procs.start(
        "worker",
        [str(VENV_BIN / "celery"), "-A", "backinshape", "worker", "--loglevel=INFO",
         "--concurrency=2", "--max-tasks-per-child=50", "--without-gossip", "--without-mingle"],
        env,
    )  # fmt: skip
    shape.procs.start(
        "beat",
        [str(VENV_BIN / "celery"), "-A", "backinshape", "beat", "--loglevel=INFO",
         "--schedule", str(shape.tmp / "celerybeat-schedule")],
        env,
    )  # fmt: skip


def nginx_test(shape: Shape) -> subprocess.CompletedProcess:
    """`nginx -t` on the rendered config."""
    return subprocess.run([*shape.nginx, "-t", "-q"], capture_output=True, text=True, check=False)


def nginx_start(shape: Shape, env: dict) -> None:
    """nginx with the shipped config, rendered for the shape, once `nginx -t` accepts it."""
    self_signed_certificate(shape.tmp)
    conf = render_nginx(
        shape.tmp,
        http_port=port_of(shape.http_base),
        https_port=port_of(shape.base),
        upstreams=shape.web_ports,
        cert=shape.cert,
        key=shape.tmp / "key.pem",
        static_root=shape.tmp / "static",
        media=shape.tmp / "media",
    )
    shape.nginx = ["nginx", "-c", str(conf), "-p", str(shape.tmp),
                   "-e", str(shape.tmp / "logs/nginx-error.log")]  # fmt: skip
    tested = nginx_test(shape)
    if tested.returncode:
        raise AssertionError(f"nginx -t refuses the shipped config:\n{tested.stderr}")
    shape.procs.start("nginx", shape.nginx, env)


def port_of(url: str) -> int:
    return urlsplit(url).port


def gunicorn_answers(port: int) -> bool:
    """One gunicorn, straight (not through nginx), says it is healthy."""
    response = requests.get(
        f"http://127.0.0.1:{port}/healthz", headers={"Host": "localhost"}, timeout=2
    )
    return response.status_code == 200


def nginx_answers(shape: Shape) -> bool:
    return requests.get(f"{shape.base}/healthz", verify=str(shape.cert), timeout=2).ok


def shape_wait_until_up(shape: Shape) -> None:
    """Until both gunicorns and nginx answer; fails with the log that says why not."""
    for n, port in enumerate(shape.web_ports, start=1):
        if not wait_until(lambda p=port: gunicorn_answers(p), timeout=30):
            raise AssertionError(f"gunicorn {n} is not up:\n{shape.log(f'web-{n}')[-2000:]}")
    if not wait_until(lambda: nginx_answers(shape), timeout=15):
        raise AssertionError(f"nginx is not up:\n{shape.log('nginx-error')}")


@contextlib.contextmanager
def production_shape(services: Services, tmp: Path) -> Iterator[Shape]:
    """The whole shape in `tmp`, up and answering. On the way out everything it started is
    stopped, its database dropped and its Redis DBs emptied, whatever went wrong: an
    ExitStack runs every clean-up step even when one before it fails."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's access log
    shape = shape_plan(services, tmp)
    with contextlib.ExitStack() as cleanup:
        for client in redis_databases(services):
            client.flushdb()
            cleanup.callback(client.flushdb)
        database_create(services, shape.database_name)
        cleanup.callback(database_drop, services, shape.database_name)
        controller = Controller(shape.sink, hostname="127.0.0.1", port=shape.sink_port)
        controller.start()
        cleanup.callback(controller.stop)
        cleanup.enter_context(object_storage(shape.moto_base))
        cleanup.callback(shape.procs.stop_all)

        env = production_env(shape, services)
        site_prepare(env)
        app_servers_start(shape, env)
        nginx_start(shape, env)
        shape_wait_until_up(shape)
        yield shape


def redis_databases(services: Services) -> list[redis.Redis]:
    return [
        redis.Redis.from_url(f"{services.redis_url}/{n}")
        for n in (services.broker_db, services.cache_db)
    ]


def database_create(services: Services, name: str) -> None:
    with psycopg.connect(services.server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')


def database_drop(services: Services, name: str) -> None:
    with psycopg.connect(services.server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def object_storage(base: str) -> Iterator[None]:
    """moto's S3 on `base`, with the bucket the site's media go to."""
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port_of(base), verbose=False)
    moto.start()
    try:
        boto3.client(
            "s3",
            endpoint_url=base,
            region_name="us-east-1",
            aws_access_key_id="prod-check",
            aws_secret_access_key="prod-check",
        ).create_bucket(Bucket=BUCKET)
        yield
    finally:
        moto.stop()
