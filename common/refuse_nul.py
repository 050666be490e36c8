"""A NUL in the address is refused before any view sees it."""

from django.core.exceptions import SuspiciousOperation
from django.urls import get_resolver, get_urlconf


class RefuseNulInAddressMiddleware:
    """Answer 400 when the path, or any query-string key or value, contains NUL ("\\x00").

    PostgreSQL text cannot hold NUL, so a lookup such as `token="\\x00"` fails inside the
    database driver ("PostgreSQL text fields cannot contain NUL (0x00) bytes") and would
    be a 500. No real link has one, so one check here covers every view, the admin's
    list filters included. POST bodies are left to the forms, which reject NUL with a
    field error and keep the rest of what was typed.

    The answer is the site's own 400 page: the URLconf's handler400, which Django uses for
    every request it cannot act on.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request):
            bad_request = get_resolver(get_urlconf()).resolve_error_handler(400)
            return bad_request(request, exception=SuspiciousOperation("NUL in the address"))
        return self.get_response(request)


def _has_nul(request) -> bool:
    if "\x00" in request.path:
        return True
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in request.GET.lists()
    )
