"""The site's own views, which belong to no app: /healthz, security.txt, the error pages,
and uploaded media in development."""

import datetime as dt
import logging

from django.conf import settings
from django.http import Http404, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_safe
from whitenoise.base import WhiteNoise
from whitenoise.middleware import WhiteNoiseMiddleware

from common.health import health_checks, health_is_good
from episodes.podcast import upload_content_type

logger = logging.getLogger(__name__)


@never_cache
def healthz(request):
    """200 when the database, cache and broker answer; otherwise 503 and what failed.

    `?deep=1` also asks whether celery beat and a worker are alive (the heartbeat), for a
    monitor rather than the load balancer: a stalled worker must not take the web down.
    """
    checks = health_checks(deep=request.GET.get("deep") == "1")
    healthy = health_is_good(checks)
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )


# RFC 9116 §2.5.5: Expires is "less than a year into the future" to avoid staleness.
SECURITY_TXT_EXPIRES_AFTER = dt.timedelta(days=180)


@require_safe
@cache_control(public=True, max_age=60 * 60 * 24)
def security_txt(request):
    """/.well-known/security.txt (RFC 9116): who to tell about a security problem.

    Expires moves forward by itself, from the start of today (UTC), so the file is the
    same all day (cacheable) and never lapses while the site runs. A Policy line appears
    once SECURITY_POLICY_URL names a page.
    """
    today = timezone.now().astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    expires = today + SECURITY_TXT_EXPIRES_AFTER
    return render(
        request,
        "security.txt",
        {
            "contact": settings.SECURITY_CONTACT,
            "expires": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),  # RFC 3339, as RFC 9116 asks
            "canonical": settings.SITE_URL + reverse("security_txt"),
            "policy": settings.SECURITY_POLICY_URL,
        },
        content_type="text/plain; charset=utf-8",
    )


def bad_request(request, exception=None):
    """A request we cannot act on (a NUL in the address, a malformed upload...): say so."""
    return render(request, "400.html", status=400)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # Render without a RequestContext: whatever broke may be in a context processor.
    return HttpResponseServerError(loader.get_template("500.html").render())


def media(request, path):
    """Uploaded files in development (DEBUG only), with byte ranges.

    Django's static() view ignores `Range`, so audio in a browser or podcast app could
    not seek. WhiteNoise answers ranges (206 with Content-Range, 416 past the end; RFC
    9110 §14) and is already how static files are served, so it serves MEDIA_ROOT here
    too, re-reading the folder on every request (autorefresh) as uploads arrive.
    """

    files = WhiteNoise(None, root=settings.MEDIA_ROOT, prefix=settings.MEDIA_URL, autorefresh=True)
    found = files.find_file(request.path_info)
    if found is None:
        raise Http404("No file here.")
    response = WhiteNoiseMiddleware.serve(found, request)
    # WhiteNoise answers ranges but does not say so; players look for this (RFC 9110 §14.3).
    response["Accept-Ranges"] = "bytes"
    # Transcripts and chapters with the types the podcast feed names for them.
    if content_type := upload_content_type(path):
        response["Content-Type"] = content_type
    return response
