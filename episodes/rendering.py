"""Turning what staff and visitors write on an episode into safe HTML.

Article bodies are Markdown written by staff, cut at the members-only divider; comments
are plain text from anyone. Both pass through the sanitising policy in common/markdown.py
last, so whatever the Markdown or auto-linking produced, no script, event attribute or
javascript: URL survives.
"""

import hashlib
import re
from dataclasses import dataclass

import nh3
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.template.loader import get_template
from django.utils.html import linebreaks, urlize
from django.utils.safestring import SafeString, mark_safe

from common.markdown import COMMENT_TAGS, RenderedPart, render_markdown
from common.page_cache import cache_get

# The one spelling stored: `normalise_body` rewrites every accepted spelling to this.
MEMBERS_ONLY_DIVIDER_TEXT = "<!-- members-only -->"
# Whitespace but not a line break: spaces, tabs, no-break spaces and the like.
_BLANK = r"[^\S\n]*"
# What staff may write (any case, a space instead of the hyphen, spaces around it), on a
# line of its own. It is matched against text whose line endings are already "\n".
MEMBERS_ONLY_DIVIDER = re.compile(
    rf"^{_BLANK}<!--{_BLANK}members[- ]only{_BLANK}-->{_BLANK}$", re.MULTILINE | re.IGNORECASE
)
DIVIDER_INSTRUCTION = (
    f"Write the divider on a line of its own, exactly: {MEMBERS_ONLY_DIVIDER_TEXT}"
)

# 2: the divider cuts whatever the line endings; 3: plain-text TOC titles; 4: the parts are
# common.markdown's classes (an article pickled by older code names a module that moved).
RENDER_VERSION = 4


@dataclass(frozen=True)
class RenderedArticle:
    public: RenderedPart
    members_only: RenderedPart | None

    @property
    def has_members_only(self) -> bool:
        return self.members_only is not None


def normalise_line_endings(text: str) -> str:
    """CRLF (what browsers send from a <textarea>, per the HTML spec's form submission
    rules) and lone CR, as "\n". Without this, a "$" in a line-based pattern stops
    matching just before the "\r" and the divider is silently missed."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def normalise_body(body: str) -> str:
    """An article body as it is stored: "\n" line endings and every divider line written
    exactly as MEMBERS_ONLY_DIVIDER_TEXT. Nothing else changes (trailing spaces elsewhere
    are a Markdown line break, so they stay)."""
    return MEMBERS_ONLY_DIVIDER.sub(MEMBERS_ONLY_DIVIDER_TEXT, normalise_line_endings(body))


def _looks_like_a_divider(line: str) -> bool:
    """A line staff probably meant as the divider, but which the cut would not recognise.

    Either the words "members only" in any dress on a line of their own (`members only`,
    `**Members-only**`, `<!-- membersonly -->`, `<!- members-only -->`), or an HTML comment
    mentioning members or "only" (`<!-- memebers only -->`, text before a divider).
    """
    letters = re.sub(r"[^a-z]", "", line.lower())
    if letters in {"membersonly", "memberonly"}:
        return True
    comment_like = "<!" in line or line.rstrip().endswith("->")
    return comment_like and re.search(r"memb|only", line, re.IGNORECASE) is not None


def validate_members_only_divider(body: str) -> None:
    """Refuse a body whose divider would not cut, so a typo never publishes everything.

    Raises ValidationError naming the line to fix: a line that looks like a divider but is
    not one, or a second divider (only the first cuts, so the second would be public).
    """
    dividers = []
    for number, line in enumerate(normalise_line_endings(body).split("\n"), start=1):
        if MEMBERS_ONLY_DIVIDER.fullmatch(line):
            dividers.append(number)
        elif _looks_like_a_divider(line):
            raise ValidationError(
                "Line %(line)s looks like a members-only divider but is not one, so "
                "everything after it would be public. " + DIVIDER_INSTRUCTION,
                code="members_only_divider_mistyped",
                params={"line": number},
            )
    if len(dividers) > 1:
        raise ValidationError(
            "There are two members-only dividers, on lines %(first)s and %(second)s. Keep "
            "only the first: everything after it is for premium members already.",
            code="members_only_divider_twice",
            params={"first": dividers[0], "second": dividers[1]},
        )


def split_members_only(body: str) -> tuple[str, str | None]:
    """Cut the Markdown body at the members-only divider: (public part, members-only part).

    The cut does not rely on the body having been stored normalised: line endings are
    normalised here too, so no body can slip past it.
    """
    parts = MEMBERS_ONLY_DIVIDER.split(normalise_line_endings(body), maxsplit=1)
    if len(parts) == 1:
        return parts[0], None
    public, members_only = parts[0].rstrip(), parts[1].strip()
    return public, (members_only or None)


def render_article(body: str) -> RenderedArticle:
    public, members_only = split_members_only(body)
    return RenderedArticle(
        public=render_markdown(public),
        members_only=render_markdown(members_only, id_prefix="m-") if members_only else None,
    )


def episode_article_key(episode) -> str:
    return f"episode-article:v{RENDER_VERSION}:{episode.pk}:{episode.updated_at.timestamp()}"


def render_episode_article(episode) -> RenderedArticle:
    """The rendered article of an episode, cached until the episode is next saved.

    The key carries RENDER_VERSION: raise it whenever the cut or the rendering changes, so
    articles cached by older code (which may have missed a divider) are never served.
    """
    key = episode_article_key(episode)
    article = cache_get(key)
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


COMMENT_TEMPLATE = "episodes/includes/comment.html"


def _comment_block_key(comment, *, is_preview: bool, template_digest: str) -> str:
    """Everything a rendered comment shows, as a digest: its text, author, status, date,
    the page it is on (a preview has no reply links) and the template itself."""
    parts = [
        comment.body,
        comment.author_name,
        comment.status,
        str(comment.is_staff_reply),
        str(comment.parent_id),
        comment.created_at.isoformat(),
        str(is_preview),
        template_digest,
    ]
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24]
    return f"comment-block:{comment.pk}:{digest}"


def render_comment_blocks(threads, *, is_preview: bool) -> list[tuple[str, list[str]]]:
    """Each thread's comment and replies as HTML, from the cache where they are.

    A comment's HTML depends only on what the key above covers, so it outlives the page
    cache's content generation: after any edit on the site, an episode page with a
    hundred comments is rebuilt from a hundred cached blocks (one `get_many`), not by
    auto-linking, sanitising and rendering each one again.
    """
    template = get_template(COMMENT_TEMPLATE)
    template_digest = hashlib.sha256(template.template.source.encode()).hexdigest()[:12]
    comments = [c for thread in threads for c in (thread.comment, *thread.replies)]
    keys = {
        c.pk: _comment_block_key(c, is_preview=is_preview, template_digest=template_digest)
        for c in comments
    }
    found = cache.get_many(list(keys.values()))
    html_for, missing = {}, {}
    for comment in comments:
        key = keys[comment.pk]
        html = found.get(key)
        if html is None:
            html = missing[key] = template.render({"comment": comment, "is_preview": is_preview})
        html_for[comment.pk] = mark_safe(html)  # our own template, autoescaped
    if missing:
        cache.set_many(missing, timeout=60 * 60 * 24 * 7)
    return [
        (html_for[thread.comment.pk], [html_for[reply.pk] for reply in thread.replies])
        for thread in threads
    ]


def render_comment_list(threads, *, is_preview: bool) -> str:
    """The threads as the page's nested comment list, from the cached blocks. Joined here
    rather than in a template loop: a hundred turns of {% for %} cost more than reading
    the hundred blocks. Every block is our own autoescaped template's output."""
    items = []
    for comment_html, reply_htmls in render_comment_blocks(threads, is_preview=is_preview):
        replies = "".join(f"<li>{reply}</li>" for reply in reply_htmls)
        if replies:
            replies = f'<ol class="comment-list comment-list--replies">{replies}</ol>'
        items.append(f"<li>{comment_html}{replies}</li>")
    return mark_safe(f'<ol class="comment-list">{"".join(items)}</ol>')
