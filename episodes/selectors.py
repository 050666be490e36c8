"""Reads for episodes and comments, planned so a page's query count stays fixed."""

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q
from django.db.models.functions import ExtractYear
from django.http import Http404
from django.utils import timezone

from members.selectors import member_has_premium

from .models import Comment, Episode, PodcastShow, Topic
from .rendering import RenderedPart, TocEntry, render_episode_article


def podcast_show_get(*, feed_url: str) -> PodcastShow:
    """The show's settings row. A data migration makes it; should it be missing (a fresh
    test database, a flushed one), it is made now, its podcast:guid derived from
    `feed_url` once and stored, never derived again."""
    from .podcast import podcast_guid_for_feed_url

    show, _ = PodcastShow.objects.get_or_create(
        singleton=True, defaults={"podcast_guid": podcast_guid_for_feed_url(feed_url)}
    )
    return show


def episode_get_for_viewer(*, slug: str, user) -> Episode:
    """The episode at `slug` if this viewer may see it: the public sees live episodes,
    staff also see drafts and scheduled ones (as a preview). Anything else is a 404."""
    queryset = Episode.objects.prefetch_related(
        Prefetch("topics", queryset=Topic.objects.order_by("name")),
    )
    if not (user.is_authenticated and user.is_staff):
        queryset = queryset.published()
    try:
        return queryset.get(slug=slug)
    except Episode.DoesNotExist:
        raise Http404("No episode here.") from None


def episode_related(*, episode: Episode, limit: int = 3) -> list[Episode]:
    """Related episodes staff chose, topped up with others sharing a topic."""
    chosen = list(episode.related.published().for_cards()[:limit])
    if len(chosen) < limit:
        topic_ids = [t.pk for t in episode.topics.all()]
        more = (
            Episode.objects.published()
            .filter(topics__in=topic_ids)
            .exclude(pk__in=[episode.pk, *[e.pk for e in chosen]])
            .distinct()
            .for_cards()[: limit - len(chosen)]
        )
        chosen.extend(more)
    return chosen


@dataclass(frozen=True)
class Neighbours:
    older: Episode | None
    newer: Episode | None


def episode_neighbours(*, episode: Episode) -> Neighbours:
    """The published episodes just before and just after this one, by release date."""
    if not episode.is_live:
        return Neighbours(older=None, newer=None)
    published = Episode.objects.published().only("slug", "title", "number", "publish_at")
    older = (
        published.filter(
            Q(publish_at__lt=episode.publish_at)
            | Q(publish_at=episode.publish_at, number__lt=episode.number)
        )
        .order_by("-publish_at", "-number")
        .first()
    )
    newer = (
        published.filter(
            Q(publish_at__gt=episode.publish_at)
            | Q(publish_at=episode.publish_at, number__gt=episode.number)
        )
        .order_by("publish_at", "number")
        .first()
    )
    return Neighbours(older=older, newer=newer)


def topics_with_episode_counts() -> list[Topic]:
    """Every topic, A to Z, with how many published episodes it has."""
    published = Q(
        episodes__status=Episode.Status.PUBLISHED, episodes__publish_at__lte=timezone.now()
    )
    return list(
        Topic.objects.annotate(episode_count=Count("episodes", filter=published)).order_by("name")
    )


def episode_years() -> list[dict]:
    """The years with published episodes, newest first: [{"year": 2026, "count": 12}, ...]."""
    return list(
        Episode.objects.published()
        .annotate(year=ExtractYear("publish_at"))
        .values("year")
        .annotate(count=Count("pk"))
        .order_by("-year")
    )


def episodes_in_year(*, year: int):
    return Episode.objects.published().filter(publish_at__year=year).for_cards()


@dataclass
class CommentThread:
    comment: Comment
    replies: list[Comment]


def episode_comment_threads(
    *, episode: Episode, include_pending_ids: list[int] | tuple[int, ...] = ()
) -> tuple[list[CommentThread], int]:
    """Approved comments as one-level threads, and how many approved comments there are.

    `include_pending_ids` lets a guest see their own comments while they await moderation.
    """
    visible = Q(status=Comment.Status.APPROVED)
    if include_pending_ids:
        visible |= Q(pk__in=list(include_pending_ids), status=Comment.Status.PENDING)
    replies = Comment.objects.filter(visible).select_related("user").order_by("created_at")
    top_level = (
        episode.comments.filter(visible, parent__isnull=True)
        .select_related("user")
        .prefetch_related(Prefetch("replies", queryset=replies, to_attr="visible_replies"))
        .order_by("created_at")
    )
    threads = []
    approved_count = 0
    for comment in top_level:
        threads.append(CommentThread(comment=comment, replies=comment.visible_replies))
        approved_count += comment.status == Comment.Status.APPROVED
        approved_count += sum(r.status == Comment.Status.APPROVED for r in comment.visible_replies)
    return threads, approved_count


@dataclass
class ArticleForViewer:
    """What of an article this viewer gets. Members-only HTML is absent, not hidden."""

    public_html: str
    members_only_html: str | None
    toc: list[TocEntry]
    has_members_only: bool
    locked: bool


def episode_article_for_viewer(*, episode: Episode, user) -> ArticleForViewer:
    article = render_episode_article(episode)
    premium_part: RenderedPart | None = article.members_only
    can_read = premium_part is not None and member_has_premium(user)
    toc = list(article.public.toc)
    if can_read:
        toc += premium_part.toc
    return ArticleForViewer(
        public_html=article.public.html,
        members_only_html=premium_part.html if can_read else None,
        toc=toc,
        has_members_only=premium_part is not None,
        locked=premium_part is not None and not can_read,
    )


def episode_search(*, query: str, user) -> list[Episode]:
    """Published episodes matching `query`, the best match first (see episodes/search.py).

    Matching the members-only part of an article would tell a non-member what it says,
    so for them only the title, standfirst, topics and public text are searched, and bonus
    audio for members is left out. Each result carries `search_snippet`: safe HTML whose
    only tags are <mark>, cut from text this reader may read.
    """
    from . import search

    if not search._words(query):
        return []
    premium = member_has_premium(user)
    searchable = Episode.objects.published()
    if not premium:
        searchable = searchable.public_listing()
    if search.uses_postgres():
        return search.search_postgres(searchable, query=query, premium=premium)
    return search.search_fallback(searchable, query=query, premium=premium)
