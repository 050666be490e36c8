"""Every URL pattern of the site, walked from the resolver, for tests that visit them all.

A new page is covered by the HEAD and hostile-input tests the day it is added; the only
upkeep is a value for a new path parameter name in the tests' tables.
"""

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

# <conv:name> in a path() route, (?P<name>...) in a re_path() one.
_ROUTE_PARAM = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")
_REGEX_PARAM = re.compile(r"\(\?P<(?P<name>\w+)>(?:[^()]|\([^()]*\))*\)")


@dataclass(frozen=True)
class Route:
    template: str  # "episodes/<slug:slug>/", relative to the site root
    name: str  # "episodes:detail"
    params: tuple[str, ...]

    def fill(self, values: dict[str, str]) -> str:
        """The URL with each parameter replaced by values[name], inserted as given."""
        path = _REGEX_PARAM.sub(lambda m: values[m["name"]], self.template)
        path = _ROUTE_PARAM.sub(lambda m: values[m["name"]], path)
        return "/" + path.replace("^", "").replace("$", "")


def site_routes(*, exclude_prefixes: tuple[str, ...] = ("admin/", "media/")) -> list[Route]:
    """Every named URL pattern outside `exclude_prefixes`, in resolver order."""
    routes = []

    def walk(patterns, prefix: str, namespace: str | None):
        for pattern in patterns:
            text = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace
                walk(
                    pattern.url_patterns,
                    text,
                    f"{namespace}:{inner}" if namespace and inner else inner or namespace,
                )
            elif isinstance(pattern, URLPattern) and pattern.name:
                clean = text.replace("^", "").replace("$", "")
                if clean.startswith(exclude_prefixes):
                    continue
                names = tuple(m["name"] for m in _REGEX_PARAM.finditer(text))
                names += tuple(m["name"] for m in _ROUTE_PARAM.finditer(_REGEX_PARAM.sub("", text)))
                full_name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                routes.append(Route(template=text, name=full_name, params=names))

    walk(get_resolver().url_patterns, "", None)
    return routes
