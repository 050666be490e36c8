"""Turning what staff and visitors write into safe HTML.

Article bodies are Markdown written by staff; comments are plain text from anyone.
Both pass through nh3 (the Ammonia sanitiser) last, so whatever the Markdown or
auto-linking produced, no script, event attribute or javascript: URL survives.
"""

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import markdown
import nh3
from django.core.cache import cache
from django.utils.html import linebreaks, urlize
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

MEMBERS_ONLY_DIVIDER = re.compile(r"^[ \t]*<!--\s*members[- ]only\s*-->[ \t]*$", re.M | re.I)

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


@dataclass(frozen=True)
class RenderedArticle:
    public: RenderedPart
    members_only: RenderedPart | None

    @property
    def has_members_only(self) -> bool:
        return self.members_only is not None


def split_members_only(body: str) -> tuple[str, str | None]:
    """Cut the Markdown body at the members-only divider: (public part, members-only part)."""
    parts = MEMBERS_ONLY_DIVIDER.split(body, maxsplit=1)
    if len(parts) == 1:
        return body, None
    public, members_only = parts[0].rstrip(), parts[1].strip()
    return public, (members_only or None)


def _flatten_toc(tokens, out):
    for token in tokens:
        if token["level"] in (2, 3):
            out.append(TocEntry(id=token["id"], title=token["name"], level=token["level"]))
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


def render_article(body: str) -> RenderedArticle:
    public, members_only = split_members_only(body)
    return RenderedArticle(
        public=render_markdown(public),
        members_only=render_markdown(members_only, id_prefix="m-") if members_only else None,
    )


def render_episode_article(episode) -> RenderedArticle:
    """The rendered article of an episode, cached until the episode is next saved."""
    key = f"episode-article:{episode.pk}:{episode.updated_at.timestamp()}"
    article = cache.get(key)
    if article is None:
        article = render_article(episode.body)
        cache.set(key, article, timeout=60 * 60 * 24)
    return article


def render_comment(text: str) -> SafeString:
    """Plain text to HTML: paragraphs, line breaks, and http(s) links made clickable."""
    linked = urlize(text, trim_url_limit=60, nofollow=True, autoescape=True)
    html = linebreaks(linked, autoescape=False)
    clean = nh3.clean(
        html,
        tags=COMMENT_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https"},
        link_rel="nofollow ugc noopener noreferrer",
    )
    return mark_safe(clean)


YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")


def youtube_id(url: str) -> str:
    """The video id of a YouTube link, or "" if the link is not a YouTube video."""
    if not url:
        return ""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    candidate = ""
    if host == "youtu.be":
        candidate = parts.path.lstrip("/").split("/")[0]
    elif host in {"youtube.com", "youtube-nocookie.com"}:
        if parts.path == "/watch":
            candidate = parse_qs(parts.query).get("v", [""])[0]
        else:
            segments = [s for s in parts.path.split("/") if s]
            if len(segments) >= 2 and segments[0] in {"embed", "shorts", "live", "v"}:
                candidate = segments[1]
    return candidate if YOUTUBE_ID.match(candidate) else ""
