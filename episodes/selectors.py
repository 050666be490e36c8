"""Reads for episodes and comments, planned so a page's query count stays fixed."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Prefetch, Q, Window
from django.db.models.functions import ExtractYear, Lag, Lead
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from common.markdown import RenderedPart, TocEntry
from common.page_cache import cache_get, catalogue_generation, comments_generation, request_memo
from members.selectors import member_has_premium, plan_prices_in_words, plans_on_offer
from programs.models import Routine
from programs.selectors import practice_routines_for_viewer, program_started

from . import search
from .models import Comment, Episode, PodcastShow, Topic
from .podcast import podcast_guid_for_feed_url
from .rendering import render_episode_article


def podcast_show_get(*, feed_url: str) -> PodcastShow:
    """The show's settings row. A data migration makes it; should it be missing (a fresh
    test database, a flushed one), it is made now, its podcast:guid derived from
    `feed_url` once and stored, never derived again."""

    show, _ = PodcastShow.objects.get_or_create(
        singleton=True, defaults={"podcast_guid": podcast_guid_for_feed_url(feed_url)}
    )
    return show


@dataclass(frozen=True)
class ListenLink:
    name: str
    url: str
    is_feed: bool = False  # the RSS feed, linked with its media type


# Under a new key when ListenLink changes shape: a cached list of the old shape would not render.
LISTEN_LINKS_KEY = "listen-links:v2"


def listen_links() -> list[ListenLink]:
    """Where to listen: the podcast apps staff set on the show, then the RSS feed."""

    def build():
        show = PodcastShow.objects.filter(singleton=True).first()
        links = []
        if show and show.apple_podcasts_url:
            links.append(ListenLink("Apple Podcasts", show.apple_podcasts_url))
        if show and show.spotify_url:
            links.append(ListenLink("Spotify", show.spotify_url))
        links.append(ListenLink("RSS feed", reverse("episodes:podcast_feed"), is_feed=True))
        return links

    return cached_for_catalogue(LISTEN_LINKS_KEY, build)


# Columns an episode page never reads: the search vectors are large, and only search uses them.
_PAGE_DEFERRED = ("search_vector", "search_vector_full")


@dataclass(frozen=True)
class ProgramInvite:
    """How the home page speaks of the Program to this reader.

    Premium members (paying or complimentary) already have it, so the page takes them
    into it rather than pitching it; everyone else keeps a way to join.
    """

    has_premium: bool
    started: bool = False


def home_program_invite(*, user) -> ProgramInvite:
    if not member_has_premium(user):
        return ProgramInvite(has_premium=False)
    return ProgramInvite(has_premium=True, started=program_started(user=user))


def episode_get_for_viewer(*, slug: str, user) -> Episode:
    """The episode at `slug` if this viewer may see it: the public sees live episodes,
    staff also see drafts and scheduled ones (as a preview). Anything else is a 404.

    A live episode, with its topics and practice routines, is the same for every reader,
    so it is kept under the catalogue generation; previews are always read afresh."""
    if user.is_authenticated and user.is_staff:
        episode = _episode_for_page(queryset=Episode.objects.all(), slug=slug)
    else:
        episode = cached_for_catalogue(
            f"episode-page:{slug}",
            lambda: _episode_for_page(queryset=Episode.objects.published(), slug=slug),
        )
    if episode is None:
        raise Http404("No episode here.")
    episode.practice_routines = practice_routines_for_viewer(
        routines=episode.page_routines, user=user
    )
    return episode


def _episode_for_page(*, queryset, slug: str) -> Episode | None:
    return (
        queryset.defer(*_PAGE_DEFERRED)
        .prefetch_related(
            Prefetch("topics", queryset=Topic.objects.order_by("name")),
            Prefetch(
                "routines",
                queryset=Routine.objects.select_related("phase").order_by(
                    "phase__number", "position"
                ),
                to_attr="page_routines",
            ),
        )
        .filter(slug=slug)
        .first()
    )


def episode_related(*, episode: Episode, limit: int = 3) -> list[Episode]:
    """Related episodes staff chose, topped up with others sharing a topic, newest first
    within each: one query for the cards (and one for their topics)."""
    chosen = Exists(
        Episode.related.through.objects.filter(
            from_episode_id=episode.pk, to_episode_id=OuterRef("pk")
        )
    )
    shares_a_topic = Exists(
        Episode.topics.through.objects.filter(
            episode_id=OuterRef("pk"), topic_id__in=[t.pk for t in episode.topics.all()]
        )
    )
    return list(
        Episode.objects.published()
        .exclude(pk=episode.pk)
        .annotate(is_chosen=chosen)
        .filter(Q(is_chosen=True) | shares_a_topic)
        .order_by("-is_chosen", *Episode._meta.ordering)
        .for_cards()[:limit]
    )


def episode_comments_fragment_key(*, episode: Episode, include_pending_ids=()) -> str:
    """The cache key of the rendered comment list, or "" when it must be rendered afresh.

    Every reader sees the same comments, except a guest whose own comments await
    moderation (their session lists them). Keyed on the comments generation, so approving,
    removing or editing a comment, or a commenter's new name, renders it again; and on
    whether the episode is live (a preview's comments have no reply links).
    """
    if include_pending_ids:
        return ""
    return f"{episode.pk}:{int(episode.is_live)}:{comments_generation()}"


@dataclass(frozen=True)
class Neighbours:
    older: Episode | None
    newer: Episode | None


def episode_neighbours(*, episode: Episode) -> Neighbours:
    """The published episodes just before and just after this one, by release date."""
    if not episode.is_live:
        return Neighbours(older=None, newer=None)
    # One query: each published episode with the slug and title of those either side of
    # it (window functions over release order), then this one picked out. The pick must
    # refer to a window value, so Django applies it after the windows are computed.
    order = [F("publish_at").asc(), F("number").asc()]
    window = {
        f"{side}_{field}": Window(function(field), order_by=order)
        for side, function in (("older", Lag), ("newer", Lead))
        for field in ("slug", "title")
    }
    row = (
        Episode.objects.published()
        .annotate(**window, this_pk=Window(Max("pk"), partition_by=[F("pk")]))
        .filter(this_pk=episode.pk)
        .values(*window)
        .first()
    )
    if row is None:
        return Neighbours(older=None, newer=None)

    def side(name: str) -> Episode | None:
        slug = row[f"{name}_slug"]
        return Episode(slug=slug, title=row[f"{name}_title"]) if slug else None

    return Neighbours(older=side("older"), newer=side("newer"))


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


def episode_years_public() -> list[dict]:
    """The years the sitemap lists, newest first, each with its latest change:
    [{"year": 2026, "lastmod": datetime}, ...]. Only episodes everyone may be shown in
    the sitemap count (no bonus audio: Episode.objects.public_listing)."""
    return list(
        Episode.objects.published()
        .public_listing()
        .annotate(year=ExtractYear("publish_at"))
        .values("year")
        .annotate(lastmod=Max("updated_at"))
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
    One query: every visible comment of the episode, oldest first, then threaded here.
    """
    visible = Q(status=Comment.Status.APPROVED)
    if include_pending_ids:
        visible |= Q(pk__in=list(include_pending_ids), status=Comment.Status.PENDING)
    comments = episode.comments.filter(visible).select_related("user").order_by("created_at")
    top_level: list[Comment] = []
    replies_to: dict[int, list[Comment]] = defaultdict(list)
    approved_count = 0
    for comment in comments:
        if comment.parent_id is None:
            top_level.append(comment)
        else:
            replies_to[comment.parent_id].append(comment)
    threads = [CommentThread(comment=c, replies=replies_to.get(c.pk, [])) for c in top_level]
    for thread in threads:
        for comment in (thread.comment, *thread.replies):
            approved_count += comment.status == Comment.Status.APPROVED
    return threads, approved_count


@dataclass
class ArticleForViewer:
    """What of an article this viewer gets. Members-only HTML is absent, not hidden.

    `locked_headings` are the members-only part's section titles, for a reader who may not
    read it: the join panel lists them as what the rest of the article covers. Titles only,
    with no anchors: nothing else of the locked part is ever sent.
    """

    public_html: str
    members_only_html: str | None
    toc: list[TocEntry]
    has_members_only: bool
    locked: bool
    locked_headings: list[TocEntry] = field(default_factory=list)


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
        locked_headings=list(premium_part.toc) if premium_part and not can_read else [],
    )


@dataclass(frozen=True)
class JoinOffer:
    """What the join panel says premium costs, from the plans on the plans page."""

    prices: str  # "£9 a month or £90 a year"; "" when no plan is on offer


JOIN_OFFER_KEY = "join-offer"


def join_offer() -> JoinOffer:
    """The plans' prices for the join panel, kept with the cached pages (a plan saved in
    the admin forgets them: common/page_cache/invalidation.py)."""
    return cached_for_catalogue(
        JOIN_OFFER_KEY, lambda: JoinOffer(prices=plan_prices_in_words(plans_on_offer()))
    )


def episode_search(*, query: str, user) -> list[Episode]:
    """Published episodes matching `query`, the best match first (see episodes/search.py).

    Matching the members-only part of an article would tell a non-member what it says,
    so for them only the title, standfirst, topics and public text are searched, and bonus
    audio for members is left out. Each result carries `search_snippet`: safe HTML whose
    only tags are <mark>, cut from text this reader may read.
    """

    if not search.query_words(query):
        return []
    premium = member_has_premium(user)
    searchable = Episode.objects.published()
    if not premium:
        searchable = searchable.public_listing()
    if search.uses_postgres():
        return search.search_postgres(searchable, query=query, premium=premium)
    return search.search_fallback(searchable, query=query, premium=premium)


def episode_release_moments(*, generation: int) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The latest release moment already passed and the next one still to come (either
    None when there is none).

    An episode whose publish_at passes appears on the site without any save: nothing
    cached may outlive the next moment, and a page's Last-Modified is never before the
    last one. Remembered per generation: they only change when episodes do (or when the
    next moment passes, which is checked here).
    """
    key = f"page-cache:releases:{generation}"
    memo = request_memo()  # a page asks once per fragment it stores
    moments = memo.get(key) if memo is not None else None
    if moments is None:
        moments = cache.get(key)
    now = timezone.now()
    if moments is None or (moments[1] is not None and moments[1] <= now):
        moments = episode_release_moments_at(now)
        cache.set(key, moments, timeout=None if moments[1] is None else 60 * 60 * 24)
    if memo is not None:
        memo[key] = moments
    return moments


def episode_seconds_to_next_release(*, generation: int) -> int | None:
    """Seconds until the next episode's release moment, if one is waiting (see
    episode_release_moments)."""
    next_release = episode_release_moments(generation=generation)[1]
    if next_release is None:
        return None
    return max(0, int((next_release - timezone.now()).total_seconds()))


def content_changed_at(*, generation: int) -> dt.datetime:
    """When what is kept under `generation` last changed: the generation is the moment of
    the last change (common/page_cache/generations.py), unless an episode has gone live by the clock
    since."""
    changed = dt.datetime.fromtimestamp(generation / 1e9, tz=dt.UTC)
    last_release = episode_release_moments(generation=generation)[0]
    return max(changed, last_release) if last_release is not None else changed


def catalogue_key(key: str, *, generation: int | None = None) -> str:
    """The cache key cached_for_catalogue() keeps `key` under, in this catalogue generation."""
    return f"{key}:{catalogue_generation() if generation is None else generation}"


def cached_for_catalogue(key: str, build):
    """`build()`, kept in the cache until public content other than comments next changes
    (or the next release moment passes, which can change what is published without a
    save). For what shows no comment: see common/page_cache/generations.py."""
    generation = catalogue_generation()
    full_key = catalogue_key(key, generation=generation)
    found = cache_get(full_key)
    if found is None:
        found = build()
        if found is None:
            return None  # nothing found is not kept: a stream of unknown keys fills nothing
        seconds = episode_seconds_to_next_release(generation=generation)
        cache.set(full_key, found, timeout=min(seconds, 3600) if seconds is not None else 3600)
    return found


def episode_release_moments_at(now: dt.datetime) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The latest publish_at already passed and the earliest still to come, among
    published and scheduled episodes, in one query.

    A published (or scheduled) episode with a publish_at still to come appears on the
    site at that moment, with no save to announce it: the page cache keeps no page past it.
    """
    moments = Episode.objects.filter(
        status__in=[Episode.Status.PUBLISHED, Episode.Status.SCHEDULED]
    ).aggregate(
        last=Max("publish_at", filter=Q(publish_at__lte=now)),
        next=Min("publish_at", filter=Q(publish_at__gt=now)),
    )
    return moments["last"], moments["next"]


def episodes_in_release_slot(*, publish_at, exclude_pk=None) -> list[Episode]:
    """Other episodes scheduled or published for the same release day as `publish_at`
    (the same date in the site's time zone): one Sunday, one episode, unless staff say so."""

    tz = timezone.get_default_timezone()
    day = timezone.localtime(publish_at, tz).date()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return list(
        Episode.objects.filter(
            status__in=[Episode.Status.SCHEDULED, Episode.Status.PUBLISHED],
            publish_at__gte=start,
            publish_at__lt=end,
        )
        .exclude(pk=exclude_pk)
        .order_by("publish_at")
    )
