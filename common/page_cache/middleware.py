"""The page cache's two middleware: AnonymousPageCacheMiddleware keeps public pages for
visitors without an account, and PrivateCacheMiddleware keeps every other cache from
storing a page that depends on who asks.

Neither imports an app: the pages kept are named by their URL names, and the moments when
content changes with nothing saved come from the content clock (clock.py), which episodes
registers when the apps are ready.
"""

import hashlib
import time
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, QueryDict
from django.urls import Resolver404, resolve
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, quote_etag

from common.compression import compressed_copy, compressed_copy_attach

from .clock import content_clock
from .generations import cache_get_with_generations, generation_read_once, last_modified_time

# Pages about one person's account, billing or settings: no cache keeps a copy, not even
# the browser's back-forward store on a shared computer.
NO_STORE_PREFIXES = ("/account/", "/accounts/", "/admin/", "/membership/")


def _varies_on_cookie(response) -> bool:
    vary = response.get("Vary", "")
    return any(part.strip().lower() == "cookie" for part in vary.split(","))


class PrivateCacheMiddleware:
    """Never let a shared cache store a response that depends on who is asking.

    `Vary: Cookie` alone is not enough: some shared caches ignore Vary, and would then
    serve one member's premium page to the next visitor. So every response for a
    signed-in person, and every response that sets or varies on a cookie, is marked
    `Cache-Control: private` (and `no-store` for account, billing and admin pages).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = bool(user is not None and user.is_authenticated)
        if not (signed_in or response.cookies or _varies_on_cookie(response)):
            return response
        if signed_in and request.path.startswith(NO_STORE_PREFIXES):
            patch_cache_control(response, private=True, no_store=True)
        else:
            patch_cache_control(response, private=True)
        return response


# --- The anonymous page cache ------------------------------------------------------------

# Pages a visitor without an account sees the same as every other visitor (URL names).
ANONYMOUS_CACHEABLE_VIEWS = frozenset(
    {
        "episodes:home",
        "episodes:list",
        "episodes:detail",
        "episodes:topic",
        "episodes:podcast_feed",
        "episodes:article_feed",
        "programs:overview",
        "programs:routine",
        "sitemap",
        "pages:page",
    }
)
# Query parameters a cacheable page reads (digits only); tracking parameters are ignored
# by every view, so they are left out of the key. Any other parameter skips the cache,
# so made-up query strings cannot fill it.
_PAGE_PARAMS = frozenset({"page", "reply_to"})
_TRACKING_PARAMS = frozenset({"fbclid", "gclid", "mc_cid", "mc_eid", "ref"})
# A request carrying either cookie may see something personal: a signed-in page, a guest's
# own comment awaiting moderation, a one-off "thanks" message.
_MESSAGES_COOKIE = "messages"  # django.contrib.messages CookieStorage.cookie_name
_NOT_STORED_CONTROLS = ("no-store", "no-cache", "private=", "max-age=0")
# Lifetimes in Cache-Control, and the stale windows that follow them (RFC 9111, RFC 5861).
_LIFETIMES = ("max-age", "s-maxage")
_STALE_WINDOWS = ("stale-while-revalidate", "stale-if-error")


def _normalised_query(request) -> str | None:
    """The query string as part of a cache key, and as the view will see it, or None when
    the page must not be cached.

    Tracking parameters are dropped, and a parameter given twice keeps only its last
    value, the one Django reads (`request.GET["page"]`, `.get("page")`): so every address
    that shares a key is rendered as the same page.
    """
    if not request.META.get("QUERY_STRING"):
        return ""
    params = {}
    for name, value in parse_qsl(request.META["QUERY_STRING"], keep_blank_values=True):
        if name.startswith("utm_") or name in _TRACKING_PARAMS:
            continue
        if name not in _PAGE_PARAMS or not (
            value.isascii() and value.isdigit() and len(value) <= 6
        ):
            return None
        params[name] = value
    return urlencode(sorted(params.items()))


def _page_cache_key(request) -> tuple[str, str] | None:
    """The key of this request's page in the cache and the query string it stands for,
    or None when it is not cacheable.

    Decided without touching the session or the database: a request with a session (or
    messages) cookie is never served from, nor stored into, the cache.
    """
    if request.method not in ("GET", "HEAD"):
        return None
    if settings.SESSION_COOKIE_NAME in request.COOKIES or _MESSAGES_COOKIE in request.COOKIES:
        return None
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    if match.view_name not in ANONYMOUS_CACHEABLE_VIEWS:
        return None
    query = _normalised_query(request)
    if query is None:
        return None
    # Scheme and host change absolute links (feeds, sitemap, canonical URLs).
    raw = f"{request.scheme}://{request.get_host()}{request.path}?{query}"
    return "page-cache:page:" + hashlib.sha256(raw.encode()).hexdigest(), query


def _view_sees_only(request, query: str) -> None:
    """Let the view read exactly the query string the page is kept under, so nothing it
    prints (the sign-in link's `next=`, pagination) carries the first visitor's tracking
    parameters or a value the key left out."""
    if request.META.get("QUERY_STRING", "") == query:
        return
    request.META["QUERY_STRING"] = query
    request.GET = QueryDict(query, encoding=request.encoding)


def _lifetimes_capped(value: str, seconds: int) -> str:
    """Cache-Control `value` with nothing kept past `seconds` from now: each lifetime at
    most that, and a stale window only for what is left of it after the lifetime."""
    directives = [part.strip() for part in value.split(",") if part.strip()]
    capped, longest = [], 0
    for directive in directives:
        name, _, number = directive.partition("=")
        if name.strip().lower() in _LIFETIMES and number.strip().isdigit():
            lifetime = min(int(number), seconds)
            longest = max(longest, lifetime)
            capped.append(f"{name.strip()}={lifetime}")
        else:
            capped.append(directive)
    kept = []
    for directive in capped:
        name, _, number = directive.partition("=")
        if name.strip().lower() in _STALE_WINDOWS and number.strip().isdigit():
            window = min(int(number), seconds - longest)
            if window > 0:
                kept.append(f"{name.strip()}={window}")
        else:
            kept.append(directive)
    return ", ".join(kept)


def _public_cache_control(response, *, seconds: int | None) -> None:
    """Cache-Control for a page every visitor sees alike (PAGE_CACHE_CONTROL), trimmed so no
    cache downstream keeps it past the next release moment."""
    value = settings.PAGE_CACHE_CONTROL
    if seconds is not None:
        value = _lifetimes_capped(value, seconds)
    response["Cache-Control"] = value


class AnonymousPageCacheMiddleware:
    """Serve public pages to visitors without an account from Django's cache.

    Sits just below SecurityMiddleware, Permissions-Policy and WhiteNoise, so a hit still
    passes through them on the way out; the headers of the middleware below it (CSP,
    X-Frame-Options) are part of the stored response. Django's own cache middleware does
    not fit: every page with a form would carry a CSRF cookie and `Vary: Cookie`. Our
    cached pages carry no per-visitor token (see common/origin_check.py).

    What is stored: only GET responses with status 200 that set no cookie, for requests
    with no session or messages cookie (so, necessarily, an anonymous visitor), on the pages
    in ANONYMOUS_CACHEABLE_VIEWS. Each entry carries the content generation it was rendered
    under (generations.py) and is ignored once the generation moves on. Signed-in
    people always reach the view, and PrivateCacheMiddleware marks their pages private.

    Validators agree between processes: the ETag is a hash of the page, and Last-Modified
    the moment its content last changed (the generation, or a later release moment: the
    content clock), never the moment one process happened to render it. No page is kept
    past the clock's next moment either.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with generation_read_once():
            return self._serve(request)

    def _serve(self, request):
        if not settings.PAGE_CACHE_ENABLED:
            return self.get_response(request)
        found = _page_cache_key(request)
        if found is None:
            return self.get_response(request)
        key, query = found

        generation, entry = cache_get_with_generations(key)
        if self._fresh(entry, generation):
            return self._respond(
                request,
                self._from_entry(entry),
                last_modified=entry.get("last_modified"),
                cache_state="hit",
            )

        _view_sees_only(request, query)
        response = self.get_response(request)
        if not self._storable(request, response):
            return response
        seconds = settings.PAGE_CACHE_TIMEOUT
        clock = content_clock()
        cap = clock.seconds_to_next_change(generation=generation)
        if cap is not None:
            seconds = min(seconds, cap)
        if seconds <= 0:
            return response
        response["ETag"] = quote_etag(hashlib.md5(response.content).hexdigest())  # noqa: S324 (not security)
        # A feed's or the sitemap's own date is its newest item's: an edit does not move it.
        del response["Last-Modified"]
        _public_cache_control(response, seconds=cap)
        entry = {
            "generation": generation,
            "content": response.content,
            "headers": [
                (name, value)
                for name, value in response.items()
                if name.lower() not in ("set-cookie", "content-length")
            ],
            "cap_at": None if cap is None else time.time() + cap,
            "last_modified": clock.changed_at(generation=generation).timestamp(),
            # Compressed once here, so a hit never compresses (common/compression.py).
            "gzip": compressed_copy(response),
        }
        cache.set(key, entry, timeout=seconds)
        compressed_copy_attach(response, entry["gzip"])
        return self._respond(
            request, response, last_modified=entry["last_modified"], cache_state="miss"
        )

    @staticmethod
    def _fresh(entry, generation) -> bool:
        """Stored under the current generation, and no episode has gone live since.

        The release moment is checked here as well as through the entry's timeout, so a
        cache whose clock is not ours (Redis) cannot serve a page a moment too long.
        """
        if entry is None or entry["generation"] != generation:
            return False
        return entry["cap_at"] is None or time.time() < entry["cap_at"]

    @staticmethod
    def _storable(request, response) -> bool:
        if request.method != "GET" or response.status_code != 200:
            return False
        if response.streaming or response.cookies:
            return False
        # Compressed for this visitor's Accept-Encoding: another may not read it.
        if response.has_header("Content-Encoding"):
            return False
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return False  # cannot happen without a session cookie; refuse all the same
        control = response.get("Cache-Control", "").lower()
        return not any(word in control for word in _NOT_STORED_CONTROLS)

    @staticmethod
    def _from_entry(entry):
        response = HttpResponse(entry["content"])
        for name, value in entry["headers"]:
            if name.lower() != "last-modified":  # set from entry["last_modified"]
                response[name] = value
        compressed_copy_attach(response, entry.get("gzip"))
        if entry["cap_at"] is not None:
            _public_cache_control(response, seconds=max(0, int(entry["cap_at"] - time.time())))
        return response

    @staticmethod
    def _respond(request, response, *, last_modified: float | None, cache_state: str):
        if settings.PAGE_CACHE_DEBUG_HEADER:
            response["X-Cache"] = cache_state
        seconds = None if last_modified is None else last_modified_time(last_modified)
        if seconds is not None:
            response["Last-Modified"] = http_date(seconds)
        return get_conditional_response(
            request, etag=response.get("ETag"), last_modified=seconds, response=response
        )
