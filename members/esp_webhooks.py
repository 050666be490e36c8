"""The email provider's tracking webhook (django-anymail), and what it sets off.

One URL answers, /anymail/<ANYMAIL_ESP>/tracking/, and only once ANYMAIL_WEBHOOK_SECRET
is set: every other provider's URL, and this one without the secret, is a 404, so nobody
can suppress addresses by posting fake bounces, nor reach the parsing code of a provider
the site does not use.

The shared basic-auth secret is checked here, before anymail reads a byte of the body:
anymail's own views parse first in places (Amazon SES reads the SNS message before the
credentials). Then anymail checks the provider's signature where there is one (Mailgun,
Postal, MailerSend…) and parses the events; a body it cannot read is a 400, never a 500.
"""

import contextlib
import functools
import logging

from anymail import urls as anymail_urls
from anymail.exceptions import AnymailError
from anymail.signals import tracking
from anymail.utils import get_request_basic_auth
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.dispatch import receiver
from django.http import Http404, HttpResponse
from django.urls import path
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt

from . import services

logger = logging.getLogger(__name__)


@receiver(tracking, dispatch_uid="members.esp_tracking")
def esp_tracking_received(sender, event, esp_name, **kwargs):
    services.esp_tracking_event_handle(event=event, esp_name=esp_name)


class _Unreadable(Exception):
    """What the provider's view could not check or read, from a body anyone can send."""


# Reading an outsider's body fails in these ways across anymail's parsers: bad JSON or
# base64 (ValueError), a list where an object belongs (TypeError, AttributeError), a
# missing field (LookupError), a timestamp out of range (ArithmeticError), nesting
# deeper than the parser's stack (RecursionError), anymail's own "malformed" and
# signature errors (AnymailError), and a payload meant for another endpoint
# (ImproperlyConfigured, e.g. MailerSend's inbound events).
_UNREADABLE = (
    ValueError,
    TypeError,
    AttributeError,
    LookupError,
    ArithmeticError,
    RecursionError,
    AnymailError,
    ImproperlyConfigured,
)


@contextlib.contextmanager
def _unreadable_is_refused():
    try:
        yield
    except _UNREADABLE as exc:
        raise _Unreadable(f"{type(exc).__name__}: {exc}"[:300]) from exc


@functools.cache
def _guarded_view_class(view_class):
    """The provider's view, with checking and parsing failures turned into _Unreadable.
    The tracking signal (our own database writes) is sent outside both, so a failure
    there stays a 500 and the provider retries later."""

    class Guarded(view_class):
        def run_validators(self, request):
            with _unreadable_is_refused():
                super().run_validators(request)

        def parse_events(self, request):
            with _unreadable_is_refused():
                return super().parse_events(request)

    Guarded.__name__ = Guarded.__qualname__ = f"Guarded{view_class.__name__}"
    return Guarded


def _tracking_view_class(esp: str):
    """anymail's tracking view for this provider, or None if anymail has none."""
    for pattern in anymail_urls.urlpatterns:
        if pattern.name == f"{esp}_tracking_webhook":
            return pattern.callback.view_class
    return None


def _secrets() -> list[str]:
    secret = getattr(settings, "ANYMAIL", {}).get("WEBHOOK_SECRET") or []
    return [secret] if isinstance(secret, str) else list(secret)


def _credentials_ok(request) -> bool:
    sent = get_request_basic_auth(request)
    return sent is not None and any(constant_time_compare(sent, s) for s in _secrets())


def _text(status: int, text: str) -> HttpResponse:
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


@csrf_exempt
def tracking_webhook(request, esp: str):
    if esp != settings.ANYMAIL_ESP or not _secrets():
        raise Http404("No email provider webhook here.")
    view_class = _tracking_view_class(esp)
    if view_class is None:
        raise Http404("This email provider has no tracking webhook.")
    if not _credentials_ok(request):
        # RFC 9110 §11.6.1: a 401 names the scheme. Amazon SNS, for one, sends the
        # credentials from the URL only after it has been asked for them this way.
        response = _text(401, "Credentials required.")
        response["WWW-Authenticate"] = 'Basic realm="Back In Shape email webhook"'
        return response
    try:
        view = _guarded_view_class(view_class)()
    except ImproperlyConfigured as exc:
        # The provider's own key is missing (ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY and the
        # like): the site's fault, not the sender's. 503 asks the provider to retry.
        logger.error("The %s tracking webhook is not set up: %s", esp, exc)
        return _text(503, "Not available.")
    view.setup(request)
    try:
        return view.dispatch(request)
    except _Unreadable as exc:
        logger.warning("The %s tracking webhook refused a request: %s", esp, exc)
        return _text(400, "Not a webhook this site can read.")


app_name = "anymail"
urlpatterns = [path("<str:esp>/tracking/", tracking_webhook, name="tracking_webhook")]
