"""The site pages' first versions, for `seed_demo` (and `load_site_pages` on a new site).

Each page's words are a Markdown file in `demo_pages/<address>.md` under a `+++` TOML
header with its title and summary. A page is written only when the site doesn't have it
yet: after that the words are staff's, so a second run changes nothing.
"""

import re
import tomllib
from collections import Counter
from pathlib import Path

from . import services
from .models import Page, PageKind

PAGES_DIR = Path(__file__).resolve().parent / "demo_pages"
_FRONT_MATTER = re.compile(r"\A\+\+\+\n(?P<header>.*?\n)\+\+\+\n(?P<body>.*)\Z", re.DOTALL)


def demo_page_read(kind: str) -> dict:
    """A page's first version from its file: title, summary and body."""
    path = PAGES_DIR / f"{kind}.md"
    match = _FRONT_MATTER.match(path.read_text(encoding="utf-8"))
    if match is None:
        raise ValueError(f"{path.name}: the file must start with a +++ TOML header")
    header = tomllib.loads(match["header"])
    return {"title": header["title"], "summary": header["summary"], "body": match["body"]}


def pages_load_demo(*, tally: Counter, by=None) -> int:
    """Write each page the site doesn't have yet, as its version 1. Returns how many."""
    written = 0
    for kind in PageKind.values:
        page = Page.objects.filter(kind=kind).first()
        if page is not None and page.version:
            continue  # staff's words now
        services.page_save(page=page or Page(kind=kind), **demo_page_read(kind), by=by)
        tally["site pages written"] += 1
        written += 1
    return written
