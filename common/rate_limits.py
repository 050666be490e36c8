"""What every django-ratelimit limit counts against, and how many it allows.

The views put `@ratelimit(..., block=False)` on themselves with these, then answer a
limited request their own way (the form back with the visitor's input and a message, or
a short plain-text 429), never django-ratelimit's bare 403.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest

from .client_ip import client_ip_key


def client_ip_rate_key(group: str, request: HttpRequest) -> str:
    """django-ratelimit `key=`: the visitor's address by common.client_ip's proxy rule."""
    return client_ip_key(request)


def rate_setting(name: str) -> Callable[[str, HttpRequest], str]:
    """django-ratelimit `rate=`: the rate in setting `name`, read on each request, so a
    changed setting (an environment variable, a test's override) applies at once."""

    def rate(group: str, request: HttpRequest) -> str:
        return getattr(settings, name)

    return rate
