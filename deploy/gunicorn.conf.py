"""gunicorn settings for Back In Shape: `gunicorn -c deploy/gunicorn.conf.py backinshape.wsgi`.

Every value can be overridden from the environment, so one file serves every machine.
"""

import multiprocessing
import os
import re

from gunicorn import glogging
from gunicorn.http import wsgi

# Do not advertise the server software or its version in the `Server` header.
wsgi.SERVER = "Back In Shape"

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


# Private podcast feed addresses (/feeds/private/<token>/podcast.xml) are secrets, so the
# access log shows them as /feeds/private/…/. The same pattern as common/log_redaction.py,
# written out here because gunicorn reads this file before the project is importable.
_PRIVATE_FEED_TOKEN = re.compile(r"/feeds/private/[^/\s?#\"']+/")
_REDACTED = "/feeds/private/…/"


class RedactingLogger(glogging.Logger):
    """gunicorn's logger, with private feed tokens removed from every access-log atom
    (the request line %(r)s, the path %(U)s, the referrer %(f)s and the rest)."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            key: _PRIVATE_FEED_TOKEN.sub(_REDACTED, value) if isinstance(value, str) else value
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
