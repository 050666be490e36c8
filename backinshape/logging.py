"""One request id through every log line: web request, the tasks it enqueues, and beat.

The id comes from the incoming `X-Request-ID` (nginx sends `$request_id`) when it is a
sane token, else a fresh one; it is echoed in the response header so a visitor's report
can be matched to the logs. A logging filter adds it to every record from a contextvar,
and Celery carries it in the task message's headers to the worker.
"""

import contextvars
import re
import uuid

from pythonjsonlogger.json import JsonFormatter

from common.log_redaction import redact_secret_links

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


def request_id_new() -> str:
    return uuid.uuid4().hex


def request_id_from_header(value: str | None) -> str:
    """The incoming id if it is a plain token (no spaces, quotes or newlines a log reader
    could be fooled by), else a new one."""
    if value and _SANE_REQUEST_ID.fullmatch(value):
        return value
    return request_id_new()


class RequestIdFilter:
    """Adds `request_id` to every record (always passes)."""

    def filter(self, record) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return True


class RequestIdMiddleware:
    """First in the chain, so every later log line and the response carry the id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from_header(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response


class JsonLogFormatter(JsonFormatter):
    """One JSON object per line: time, level, logger, message, request id, and any extra.

    The whole line passes through common.log_redaction, since an extra such as
    django.request's `request` is written as `<WSGIRequest: GET '/unsubscribe/…/'>`."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "fmt", "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(process)d"
        )
        kwargs.setdefault("rename_fields", {"asctime": "time", "levelname": "level"})
        kwargs.setdefault("timestamp", False)
        super().__init__(*args, **kwargs)

    def format(self, record) -> str:
        return redact_secret_links(super().format(record))


# --- Celery: the id travels in the task message ------------------------------------------


def celery_headers_add_request_id(headers: dict | None = None, **kwargs) -> None:
    """before_task_publish: stamp the current request id on the message."""
    if headers is not None and "request_id" not in headers:
        current = request_id_var.get()
        headers["request_id"] = current if current != "-" else request_id_new()


_task_tokens: dict[str, contextvars.Token] = {}


def celery_task_request_id_set(task_id=None, task=None, **kwargs) -> None:
    """task_prerun: log the task under the id of the request (or beat tick) behind it."""
    incoming = getattr(task.request, "request_id", None) if task is not None else None
    if not incoming and task is not None:
        incoming = (getattr(task.request, "headers", None) or {}).get("request_id")
    request_id = request_id_from_header(incoming) if incoming else (task_id or request_id_new())
    _task_tokens[task_id] = request_id_var.set(request_id)


def celery_task_request_id_clear(task_id=None, **kwargs) -> None:
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        request_id_var.reset(token)


# --- Sentry: never send a private token ---------------------------------------------------

FILTERED = "[Filtered]"


def _scrub(value):
    if isinstance(value, str):
        return redact_secret_links(value, mark=FILTERED)
    if isinstance(value, dict):
        return {key: _scrub(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_scrub(item) for item in value)
    return value


def sentry_before_send(event, hint):
    """Secret links (private feeds, unsubscribe and confirm links: common.log_redaction)
    are passwords: blank the token wherever it appears (URL, transaction name,
    breadcrumbs, messages, stack locals), percent-encoded or not."""
    return _scrub(event)
