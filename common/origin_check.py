"""CSRF protection for forms that appear on cached public pages.

A page kept whole in the cache (see common/page_cache/middleware.py,
AnonymousPageCacheMiddleware) is the same for every visitor, so it cannot carry a
per-visitor CSRF token. For the two forms such pages hold (a comment, the Sunday-email
sign-up), an anonymous POST is checked by where it comes from instead of by a token:

- `Origin`, when the browser sends it (every current browser does on a POST), must be this
  site's own origin. `Origin: null` (sandboxed frames, some redirects) is refused.
- Without `Origin`: the `Referer` must be same-origin, or `Sec-Fetch-Site` must say
  `same-origin`.

This is the check OWASP lists as a defence in its own right ("Verifying Origin With
Standard Headers", CSRF Prevention Cheat Sheet), and what Django's CsrfViewMiddleware
itself does before looking at the token. A forged cross-site POST from an anonymous
browser could at most post a comment held for moderation, or ask for a confirmation
email, both rate-limited.

Signed-in people keep Django's full per-session token check: their pages are never cached,
so their forms always carry a token, and a forged post could act in their name.
"""

from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.middleware.csrf import _get_failure_view
from django.views.decorators.csrf import csrf_exempt, csrf_protect

REASON_CROSS_SITE = "This form was sent from another website."
REASON_NO_ORIGIN = "The browser did not say which page this form was sent from."


def _origin_of(url: str) -> str | None:
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def _own_origins(request) -> set[str]:
    origins = {f"{request.scheme}://{request.get_host()}".lower()}
    site_origin = _origin_of(getattr(settings, "SITE_URL", ""))
    if site_origin:
        origins.add(site_origin)
    return origins


def same_origin_refusal(request) -> str | None:
    """Why this request is refused as cross-site, or None when it comes from our own pages."""
    own = _own_origins(request)
    origin = request.META.get("HTTP_ORIGIN")
    if origin is not None:
        return None if origin.lower() in own else REASON_CROSS_SITE
    referer = request.META.get("HTTP_REFERER")
    if referer:
        return None if _origin_of(referer) in own else REASON_CROSS_SITE
    if request.META.get("HTTP_SEC_FETCH_SITE", "").lower() == "same-origin":
        return None
    return REASON_NO_ORIGIN


def csrf_token_or_same_origin(view):
    """Signed-in: Django's CSRF token check. Anonymous: the same-origin check above.

    Safe methods pass untouched. Django's test client (which marks requests
    `_dont_enforce_csrf_checks`, as CsrfViewMiddleware honours) skips both, unless a test
    asks for `Client(enforce_csrf_checks=True)`.
    """
    token_checked = csrf_protect(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method in ("GET", "HEAD", "OPTIONS", "TRACE"):
            return view(request, *args, **kwargs)
        if request.user.is_authenticated:
            return token_checked(request, *args, **kwargs)
        if not getattr(request, "_dont_enforce_csrf_checks", False):
            reason = same_origin_refusal(request)
            if reason is not None:
                return _get_failure_view()(request, reason=reason)
        return view(request, *args, **kwargs)

    return csrf_exempt(wrapper)
