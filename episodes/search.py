"""Episode search: PostgreSQL full-text search with ranking, and a plain fallback for SQLite.

On PostgreSQL each episode keeps two stored tsvectors (English stemming, so "stretches"
finds "stretching"), weighted title A, standfirst and topics B, body C:
`search_vector` over the public text only, for everyone, and `search_vector_full` over the
whole article, for premium members. A members-only sentence is therefore not even in the
vector a non-member searches. Short queries also match titles by trigram similarity
(pg_trgm), so "hamstrng" still finds the hamstring episode.

Snippets come from ts_headline over the same text the reader may see, and are escaped
here, with only <mark> let through. SQLite (development) gets tiers instead of ranks:
title matches, then standfirst or topics, then body; newest first within a tier.
"""

import re
from dataclasses import dataclass

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorField,
    TrigramWordSimilarity,
)
from django.db import connection
from django.db.models import F, FloatField, Func, Q, TextField, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .rendering import MEMBERS_ONLY_DIVIDER_TEXT, split_members_only

CONFIG = "english"
TRIGRAM_MAX_WORDS = 2  # "short queries": one or two words
TRIGRAM_THRESHOLD = 0.45
MAX_RESULTS = 200
# Private-use characters as ts_headline's markers: no article text contains them, so after
# escaping everything they are the only places a <mark> can appear.
MARK_START, MARK_STOP = "\ue000", "\ue001"
SNIPPET_CHARS = 220


def uses_postgres() -> bool:
    return connection.vendor == "postgresql"


def public_body_sql():
    """The public part of a stored body, in SQL. Bodies are stored normalised, with the
    divider spelled exactly MEMBERS_ONLY_DIVIDER_TEXT, and a body with the divider's text
    anywhere but on its own line is refused (rendering.validate_members_only_divider), so
    splitting on the text is the same cut as rendering.split_members_only."""
    return Func(
        F("body"),
        Value(MEMBERS_ONLY_DIVIDER_TEXT),
        Value(1),
        function="split_part",
        output_field=TextField(),
    )


def _vector(body, topics_text: str):
    return (
        SearchVector("title", weight="A", config=CONFIG)
        + SearchVector("standfirst", weight="B", config=CONFIG)
        + SearchVector(Value(topics_text, output_field=TextField()), weight="B", config=CONFIG)
        + SearchVector(body, weight="C", config=CONFIG)
    )


def search_vectors_update(episode_model, pk: int) -> None:
    """Recompute one episode's stored vectors from its text and topics (PostgreSQL only).

    Takes the model class so the data migration can call it with the historical model.
    """
    if not uses_postgres():
        return
    topics = " ".join(
        episode_model.topics.through.objects.filter(episode_id=pk)
        .order_by("topic__name")
        .values_list("topic__name", flat=True)
    )
    episode_model.objects.filter(pk=pk).update(
        search_vector=_vector(public_body_sql(), topics),
        search_vector_full=_vector(F("body"), topics),
    )


def _safe_snippet(text: str) -> SafeString:
    """Escape everything, then turn the markers back into <mark> and nothing else."""
    escaped = escape(" ".join(text.split()))
    return mark_safe(escaped.replace(MARK_START, "<mark>").replace(MARK_STOP, "</mark>"))


def query_words(query: str) -> list[str]:
    """The words of a search that count: lower case, longer than a letter, the first 8."""
    return [w for w in query.lower().split() if len(w) > 1][:8]


@dataclass
class _Tiered:
    tier: int
    episode: object


def search_postgres(queryset, *, query: str, premium: bool) -> list:
    vector_field = "search_vector_full" if premium else "search_vector"
    text = F("body") if premium else public_body_sql()
    search_query = SearchQuery(query, search_type="websearch", config=CONFIG)
    # An episode saved some other way than episode_save (a shell, a bulk import) has no
    # stored vector yet: it is searched from its text on the fly (without topics) until
    # search_index_rebuild runs, rather than being unfindable.
    queryset = queryset.annotate(
        search_document=Coalesce(
            F(vector_field), _vector(text, ""), output_field=SearchVectorField()
        )
    )
    rank = SearchRank(F("search_document"), search_query, normalization=Value(1))
    matches = Q(**{vector_field: search_query}) | Q(
        **{f"{vector_field}__isnull": True, "search_document": search_query}
    )
    relevance = rank
    if len(query_words(query)) <= TRIGRAM_MAX_WORDS:
        similarity = TrigramWordSimilarity(Value(query), "title")
        matches |= Q(title_similarity__gte=TRIGRAM_THRESHOLD)
        queryset = queryset.annotate(title_similarity=similarity)
        # A typo's title match ranks below an exact match, above a stray body mention.
        relevance = Greatest(rank, F("title_similarity") * Value(0.1), output_field=FloatField())
    headline = SearchHeadline(
        text,
        search_query,
        config=CONFIG,
        start_sel=MARK_START,
        stop_sel=MARK_STOP,
        max_words=30,
        min_words=12,
        max_fragments=2,
        fragment_delimiter=" … ",
    )
    results = list(
        queryset.for_cards()
        .annotate(relevance=relevance)
        .filter(matches)
        .annotate(headline=headline)
        .order_by("-relevance", "-publish_at", "-number")[:MAX_RESULTS]
    )
    for episode in results:
        snippet = episode.headline if MARK_START in episode.headline else episode.standfirst
        episode.search_snippet = _safe_snippet(snippet)
    return results


def _plain_text(markdown_text: str) -> str:
    text = re.sub(r"<[^>]+>", " ", markdown_text)
    text = re.sub(r"(^|\s)[#*>|-]+|[*_`\[\]()]+", " ", text)
    return " ".join(text.split())


def _plain_snippet(text: str, words: list[str]) -> SafeString:
    """Some text around the first word found, that word marked."""
    lower = text.lower()
    positions = [lower.find(w) for w in words if w in lower]
    if not positions:
        return _safe_snippet(text[:SNIPPET_CHARS])
    at = min(positions)
    start = max(0, at - SNIPPET_CHARS // 3)
    end = min(len(text), start + SNIPPET_CHARS)
    window = text[start:end]
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    marked = pattern.sub(lambda m: f"{MARK_START}{m.group(0)}{MARK_STOP}", window)
    prefix = "… " if start else ""
    suffix = " …" if end < len(text) else ""
    return _safe_snippet(f"{prefix}{marked}{suffix}")


def search_fallback(queryset, *, query: str, premium: bool) -> list:
    """SQLite: every word must appear somewhere the reader may read; title hits first."""
    words = query_words(query)
    if not words:
        return []
    condition = Q()
    for word in words:
        condition &= (
            Q(title__icontains=word)
            | Q(standfirst__icontains=word)
            | Q(body__icontains=word)
            | Q(topics__name__icontains=word)
        )
    candidates = queryset.filter(condition).distinct().for_cards(with_body=True)[:MAX_RESULTS]
    tiered = []
    for episode in candidates:
        public_body, members_only = split_members_only(episode.body)
        body = f"{public_body}\n{members_only or ''}" if premium else public_body
        body_text = _plain_text(body)
        topics = " ".join(t.name for t in episode.topics.all())
        haystack = f"{episode.title} {episode.standfirst} {topics} {body}".lower()
        if not all(word in haystack for word in words):
            continue  # it matched only in the members-only part
        title = episode.title.lower()
        middle = f"{episode.standfirst} {topics}".lower()
        if any(w in title for w in words):
            tier = 0
        elif any(w in middle for w in words):
            tier = 1
        else:
            tier = 2
        in_body = any(w in body_text.lower() for w in words)
        episode.search_snippet = _plain_snippet(body_text if in_body else episode.standfirst, words)
        tiered.append(_Tiered(tier=tier, episode=episode))
    # Newest first within a tier: the queryset is already newest first, and sort is stable.
    tiered.sort(key=lambda t: t.tier)
    return [t.episode for t in tiered]
