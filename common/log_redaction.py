"""Keep secret links out of the logs.

Some addresses are passwords: the last part of the path is all it takes to act as the
person it was sent to. A private podcast feed (/feeds/private/<token>/podcast.xml) plays
the members-only audio; an unsubscribe, subscribe-confirm or check-in reminder stop link
changes someone's email; allauth's password-reset and email-confirmation links take
over an account. Request logs would otherwise keep them in plain text wherever logs go.

A client may percent-encode any part of a path (RFC 3986 §2.1) and the site decodes it
before routing, so `/feeds/%70rivate/<token>/` and `/feeds/private/<token>%2Fpodcast.xml`
reach the same view: each run of text is decoded before it is looked at, and a run with
a secret link in it is written decoded, with the token replaced by "…".

Plain Python only (no Django): deploy/gunicorn.conf.py imports it for the access log.
"""

import logging
import re
from urllib.parse import unquote

# The path before each secret segment: members/urls.py, programs/urls.py (under
# /program/) and allauth's account URLs (under /accounts/).
SECRET_PATH_PREFIXES = (
    "/feeds/private/",
    "/unsubscribe/",
    "/subscribe/confirm/",
    "/program/reminders/stop/",
    "/accounts/password/reset/key/",
    "/accounts/confirm-email/",
)
REDACTED = "…"

_SECRET_SEGMENT = re.compile(
    "(" + "|".join(re.escape(prefix) for prefix in SECRET_PATH_PREFIXES) + r")[^/?#\s\"'<>]+",
    re.IGNORECASE,
)
# A run of text that could hold an address: up to whitespace, a quote or an angle bracket.
_RUN = re.compile(r"[^\s\"'<>]+")
# Percent-encoding twice over ("%2570" for "p") still hides a prefix after one decoding.
_DECODE_ROUNDS = 3


def _decoded(run: str) -> str:
    for _ in range(_DECODE_ROUNDS):
        decoded = unquote(run, errors="replace")
        if decoded == run:
            break
        run = decoded
    return run


def _redact_run(run: str, mark: str) -> str:
    decoded = _decoded(run) if "%" in run else run
    if not _SECRET_SEGMENT.search(decoded):
        return run
    return _SECRET_SEGMENT.sub(lambda match: match.group(1) + mark, decoded)


def redact_secret_links(text: str, *, mark: str = REDACTED) -> str:
    """`text` with the token of every secret link in it replaced by `mark`."""
    if "%" not in text and not _SECRET_SEGMENT.search(text):
        return text  # the usual line: nothing to decode, nothing to hide
    return _RUN.sub(lambda match: _redact_run(match.group(), mark), text)


class RedactSecretLinks(logging.Filter):
    """A logging filter that rewrites each record's message without the tokens."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_secret_links(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


class RedactingFormatter(logging.Formatter):
    """A formatter whose whole line is redacted, tracebacks and extra fields included."""

    def format(self, record: logging.LogRecord) -> str:
        return redact_secret_links(super().format(record))
