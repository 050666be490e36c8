"""The one sanitising policy: Markdown from staff, and the tags any rendered text may keep.

Article bodies and routine instructions are Markdown written by staff; comments are plain
text from anyone. All of them pass through nh3 (the Ammonia sanitiser) last, so whatever
the Markdown or auto-linking produced, no script, event attribute or javascript: URL
survives. The policy lives here, below every app, so the episodes and the Program render
with the same rules.
"""

import html
from dataclasses import dataclass, field

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

ARTICLE_TAGS = {
    "h2", "h3", "h4", "p", "br", "hr", "strong", "em", "b", "i", "a", "ul", "ol", "li",
    "blockquote", "code", "pre", "table", "thead", "tbody", "tr", "th", "td", "figure",
    "figcaption", "img", "sup", "sub", "abbr", "dl", "dt", "dd",
}  # fmt: skip
ARTICLE_ATTRIBUTES = {
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height", "loading"},
    "abbr": {"title"},
    "th": {"scope"},
    "td": set(),
}
URL_SCHEMES = {"http", "https", "mailto"}

COMMENT_TAGS = {"p", "br", "a"}


@dataclass(frozen=True)
class TocEntry:
    id: str
    title: str
    level: int


@dataclass(frozen=True)
class RenderedPart:
    html: SafeString
    toc: list[TocEntry] = field(default_factory=list)


def _flatten_toc(tokens, out):
    # Markdown gives each heading's text HTML-escaped ("Sit &amp; stand", smart quotes as
    # "&ldquo;"); the titles are kept as plain text, and templates escape them once.
    for token in tokens:
        if token["level"] in (2, 3):
            title = html.unescape(token["name"])
            out.append(TocEntry(id=token["id"], title=title, level=token["level"]))
        _flatten_toc(token.get("children", []), out)
    return out


def render_markdown(text: str, *, id_prefix: str = "") -> RenderedPart:
    def _slugify(value, separator):
        return id_prefix + (slugify(value) or "section")

    md = markdown.Markdown(
        extensions=["toc", "tables", "sane_lists", "smarty", "abbr", "def_list"],
        extension_configs={"toc": {"slugify": _slugify, "toc_depth": "2-3"}},
        output_format="html",
    )
    raw_html = md.convert(text)
    clean = nh3.clean(
        raw_html,
        tags=ARTICLE_TAGS,
        attributes=ARTICLE_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return RenderedPart(html=mark_safe(clean), toc=_flatten_toc(md.toc_tokens, []))
