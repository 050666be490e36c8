"""The visitor's address: one rule for every rate limit and every address we record.

Behind reverse proxies, REMOTE_ADDR is the nearest proxy, not the visitor. Each proxy
appends the address it received the request from to the end of X-Forwarded-For, so
the right-most entries were written by our own proxies and everything to their left
came from the client, who can write anything there. With N trusted proxies, the
visitor is therefore the N-th address from the right; that is the only entry both
trustworthy and the visitor's own. Source: MDN, "X-Forwarded-For", section "Selecting
an IP address" (https://developer.mozilla.org/en-US/docs/Web/HTTP/Reference/Headers/X-Forwarded-For).

Settings (see README, "Behind a proxy"): TRUSTED_PROXY_COUNT (0 means no proxy: the
header is ignored entirely, so nobody can spoof it) and CLIENT_IP_HEADER (default
X-Forwarded-For). A header that holds one address, set by the proxy in front
(X-Real-IP), is a list of one: use it with TRUSTED_PROXY_COUNT=1.

A missing, short or garbled header falls back to REMOTE_ADDR: bad input from a
visitor never raises.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest

# The key for a request with no usable address anywhere (REMOTE_ADDR empty, as on some
# Unix-socket set-ups): such requests share one bucket rather than escaping the limits.
UNKNOWN_CLIENT_KEY = "0.0.0.0"  # noqa: S104 (a key, not an address to bind to)


def _address_clean(value: str) -> str | None:
    """`value` as a canonical IP address, or None. Accepts a port (`1.2.3.4:80`,
    `[2001:db8::1]:80`), which some proxies add; IPv4-mapped IPv6 becomes plain IPv4."""
    value = value.strip()
    if value.startswith("[") and "]" in value:
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        if address.scope_id:
            return str(ipaddress.IPv6Address(str(address).split("%", 1)[0]))
    return str(address)


def client_ip(request: HttpRequest) -> str | None:
    """The visitor's IP address by the rule above, or None if there is none at all."""
    count = settings.TRUSTED_PROXY_COUNT
    if count > 0:
        entries = request.headers.get(settings.CLIENT_IP_HEADER, "").split(",")
        if len(entries) >= count:
            address = _address_clean(entries[-count])
            if address:
                return address
    return _address_clean(request.META.get("REMOTE_ADDR") or "")


def client_ip_key(request: HttpRequest) -> str:
    """`client_ip()` for a rate limiter, which always needs an address to count against.

    django-ratelimit calls this through RATELIMIT_IP_META_KEY (key="ip")."""
    return client_ip(request) or UNKNOWN_CLIENT_KEY
