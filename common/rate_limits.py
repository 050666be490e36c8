"""How many requests each django-ratelimit limit allows, read from the settings.

The views put `@ratelimit(key="ip", rate=rate_setting(...), block=False)` on themselves,
then answer a limited request their own way (the form back with the visitor's input and
a message, or a short plain-text 429), never django-ratelimit's bare 403. `key="ip"` is
the visitor's address by common.client_ip's proxy rule (RATELIMIT_IP_META_KEY in the
settings), IPv6 addresses counted per /64 as django-ratelimit does.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest


def rate_setting(name: str) -> Callable[[str, HttpRequest], str]:
    """django-ratelimit `rate=`: the rate in setting `name`, read on each request, so a
    changed setting (an environment variable, a test's override) applies at once."""

    def rate(group: str, request: HttpRequest) -> str:
        return getattr(settings, name)

    return rate
