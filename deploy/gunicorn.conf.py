"""gunicorn settings for Back In Shape: `gunicorn -c deploy/gunicorn.conf.py backinshape.wsgi`.

Every value can be overridden from the environment, so one file serves every machine.
"""

import ipaddress
import multiprocessing
import os
import sys
from pathlib import Path

from gunicorn import glogging
from gunicorn.http import wsgi

# The project's own modules, whichever directory gunicorn was started from.
_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from common.log_redaction import redact_secret_links  # noqa: E402 (needs the path above)

# Do not advertise the server software or its version in the `Server` header.
wsgi.SERVER = "Back In Shape"

# Loopback (or a unix socket, "unix:/run/backinshape/gunicorn.sock") and nothing else:
# only nginx may reach gunicorn. The site reads the visitor's address from the
# X-Forwarded-For nginx appends (TRUSTED_PROXY_COUNT, README "Behind a proxy"); a
# request straight to gunicorn could write that header itself, and so choose the
# address every rate limit counts by. Another machine's nginx needs a private address
# here, with a firewall that lets only that nginx in.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# The usual rule of thumb: two workers per core, plus one.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# Recycle workers now and then, so a slow leak can never grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s"'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def _exposed_binds(binds: list[str]) -> list[str]:
    """The addresses in `binds` that are neither loopback nor a unix socket."""
    exposed = []
    for address in binds:
        if address.startswith(("unix:", "fd://")):
            continue
        host = address.rsplit(":", 1)[0].strip("[]") if ":" in address else address
        try:
            if ipaddress.ip_address(host).is_loopback:
                continue
        except ValueError:
            if host == "localhost":
                continue
        exposed.append(address)
    return exposed


def on_starting(server):
    """Say so in the log when gunicorn listens beyond this machine behind a proxy."""
    exposed = _exposed_binds(server.cfg.bind)
    if exposed and int(os.environ.get("TRUSTED_PROXY_COUNT", "0") or 0) > 0:
        server.log.warning(
            "gunicorn listens on %s while TRUSTED_PROXY_COUNT is set: anyone who reaches it "
            "directly can choose their own X-Forwarded-For address. Bind to 127.0.0.1 or a "
            "unix socket, or let only your proxy through a firewall.",
            ", ".join(exposed),
        )


class RedactingLogger(glogging.Logger):
    """gunicorn's logger, with the tokens of secret links (private feeds, unsubscribe and
    confirm links: common/log_redaction.py) removed from every access-log atom: the
    request line %(r)s, the path %(U)s, the query %(q)s, the referrer %(f)s and the rest,
    percent-encoded or not."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            key: redact_secret_links(value) if isinstance(value, str) else value
            for key, value in atoms.items()
        }


logger_class = RedactingLogger

# In production gunicorn's own lines are JSON too, like the site's (backinshape/logging.py);
# the access line carries the request id the site sent back.
access_log_format += " %({x-request-id}o)s"
_debug = os.environ.get("DJANGO_DEBUG", "false").strip().lower() in {"1", "true", "yes", "on"}
if os.environ.get("LOG_FORMAT", "plain" if _debug else "json") == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "backinshape.logging.RequestIdFilter"}},
        "formatters": {"json": {"()": "backinshape.logging.JsonLogFormatter"}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "filters": ["request_id"],
                "stream": "ext://sys.stdout",
            }
        },
        "loggers": {
            "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
            "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
        },
    }
