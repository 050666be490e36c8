"""Site-wide request and response rules that no single view should have to remember."""

from django.utils.cache import patch_cache_control

from . import views

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


class RefuseNulInAddressMiddleware:
    """Answer 400 when the path, or any query-string key or value, contains NUL ("\\x00").

    PostgreSQL text cannot hold NUL, so a lookup such as `token="\\x00"` fails inside the
    database driver ("PostgreSQL text fields cannot contain NUL (0x00) bytes") and would
    be a 500. No real link has one, so one check here covers every view, the admin's
    list filters included. POST bodies are left to the forms, which reject NUL with a
    field error and keep the rest of what was typed.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request):
            return views.bad_request(request)
        return self.get_response(request)


def _has_nul(request) -> bool:
    if "\x00" in request.path:
        return True
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in request.GET.lists()
    )
