"""Refuse requests whose address carries a NUL character, before any view can query with it."""

from . import views


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
