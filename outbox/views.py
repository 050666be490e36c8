"""/dev/outbox/: the emails the site sent in development, newest first.

DEBUG only: with DEBUG off every view here is a 404, whatever the URL. It is a developer's
tool open to anyone who can reach the development server, so every page says plainly
that it does not exist on a real site.
"""

import functools
import re
from email import message_from_bytes, policy
from email.message import EmailMessage

from csp.constants import NONE, SELF
from csp.decorators import csp, csp_update
from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_safe

from .models import OutboxMessage

PAGE_SIZE = 50


def debug_only(view):
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not settings.DEBUG:
            raise Http404("There is no outbox on this site.")
        return view(request, *args, **kwargs)

    return wrapped


def _parsed(row: OutboxMessage) -> EmailMessage:
    return message_from_bytes(bytes(row.raw), policy=policy.default)


def _part_text(message: EmailMessage, subtype: str) -> str | None:
    part = message.get_body(preferencelist=(subtype,))
    if part is None or part.get_content_type() != f"text/{subtype}":
        return None
    return part.get_content()


@require_safe
@debug_only
@never_cache
def message_list(request):
    page = Paginator(
        OutboxMessage.objects.only("pk", "sent_at", "subject", "to"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(request, "outbox/list.html", {"page": page})


@require_safe
@debug_only
@never_cache
@csp_update({"frame-src": [SELF]})  # the HTML part, in a sandboxed frame of our own
def message_detail(request, pk: int):
    row = get_object_or_404(OutboxMessage, pk=pk)
    message = _parsed(row)
    return render(
        request,
        "outbox/message.html",
        {
            "row": row,
            "headers": [(name, str(value)) for name, value in message.items()],
            "text": _part_text(message, "plain"),
            "has_html": _part_text(message, "html") is not None,
        },
    )


# The email's own HTML, inline styles and all, is only ever shown in a sandboxed frame:
# no scripts, no forms, no plugins, and an opaque origin, so it can neither run code nor
# read this site's cookies. Links open in a new tab (the <base> below), outside the frame.
_HEAD = re.compile(r"<head(\s[^>]*)?>", re.IGNORECASE)
_OPEN_LINKS_OUTSIDE = '<base target="_blank">'


@require_safe
@debug_only
@never_cache
@xframe_options_sameorigin
@csp(
    {
        "default-src": [NONE],
        "style-src": ["'unsafe-inline'"],  # email HTML is styled inline; nothing else runs
        "img-src": ["data:", "http:", "https:"],
        "frame-ancestors": [SELF],
        "form-action": [NONE],
        "base-uri": [NONE],
        "sandbox": ["allow-popups", "allow-popups-to-escape-sandbox"],
    }
)
def message_html(request, pk: int):
    row = get_object_or_404(OutboxMessage, pk=pk)
    html = _part_text(_parsed(row), "html")
    if html is None:
        raise Http404("This email has no HTML part.")
    if _HEAD.search(html):
        html = _HEAD.sub(lambda m: m.group(0) + _OPEN_LINKS_OUTSIDE, html, count=1)
    else:
        html = _OPEN_LINKS_OUTSIDE + html
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Referrer-Policy"] = "no-referrer"
    return response
