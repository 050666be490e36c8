from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import InvalidPage, Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe
from django_ratelimit.decorators import ratelimit

from common.client_ip import client_ip
from common.origin_check import csrf_token_or_same_origin
from common.page_cache import cache_get, cache_prefetch
from common.rate_limits import rate_setting
from members import services as member_services
from members.forms import SubscribeForm
from members.selectors import member_has_premium

from . import selectors, services, structured_data
from .forms import CommentForm
from .models import Episode, Topic
from .rendering import episode_article_key

EPISODES_PER_PAGE = 12
PENDING_SESSION_KEY = "pending_comment_ids"


@require_safe
def home(request):
    episodes = list(Episode.objects.published().for_cards()[:7])
    return render(
        request,
        "episodes/home.html",
        {
            "latest": episodes[0] if episodes else None,
            "recent": episodes[1:],
            "subscribe_form": SubscribeForm(),
            "structured_data": structured_data.home_graph(),
            "listen_links": selectors.listen_links(),
            "program_invite": selectors.home_program_invite(user=request.user),
        },
    )


def _listing_page(request, episodes):
    """The page of a public listing that `?page=` asks for.

    Each page number is an address of its own (the canonical link names it), so a page
    past the last one, or a `page` that is not a whole number from 1, is the 404 page:
    answering with page 1 or the last page under that address would tell search engines
    it is one more copy of it. No `page`, or an empty one, is the first page.
    """
    number = request.GET.get("page") or "1"
    if not (number.isascii() and number.isdigit()):
        raise Http404("No such page.")
    try:
        return Paginator(episodes, EPISODES_PER_PAGE).page(number)
    except InvalidPage:
        raise Http404("No such page.") from None


@require_safe
def episode_list(request):
    page = _listing_page(request, Episode.objects.published().for_cards())
    return render(
        request,
        "episodes/episode_list.html",
        {"page_obj": page, "years": selectors.episode_years()},
    )


@require_safe
def episode_year(request, year):
    if not 1 <= year <= 9999:  # beyond what a date can hold
        raise Http404("No episodes that year.")
    page = _listing_page(request, selectors.episodes_in_year(year=year))
    if not page.paginator.count:
        raise Http404("No episodes that year.")
    return render(
        request,
        "episodes/episode_year.html",
        {"year": year, "page_obj": page, "years": selectors.episode_years()},
    )


@require_safe
def topic_list(request):
    return render(
        request, "episodes/topic_list.html", {"topics": selectors.topics_with_episode_counts()}
    )


@require_safe
def topic_detail(request, slug):
    topic = get_object_or_404(Topic, slug=slug)
    page = _listing_page(request, topic.episodes.published().for_cards())
    return render(
        request,
        "episodes/topic_detail.html",
        {
            "topic": topic,
            "page_obj": page,
            "structured_data": structured_data.topic_graph(topic),
        },
    )


def _comment_list(request, episode, pending_ids) -> tuple[str, int]:
    """The rendered comment list and the approved count. Every reader without comments
    of their own awaiting moderation sees the same list, so it is kept rendered under the
    comments generation: a page then neither loads nor renders a single comment."""
    key = selectors.episode_comments_fragment_key(episode=episode, include_pending_ids=pending_ids)
    cache_key = f"comment-list-html:{key}"
    if key and (found := cache_get(cache_key)) is not None:
        return found
    threads, comment_count = selectors.episode_comment_threads(
        episode=episode, include_pending_ids=pending_ids
    )
    html = render_to_string(
        "episodes/includes/comment_list.html",
        {"threads": threads, "is_preview": not episode.is_live},
        request=request,
    )
    if key:
        cache.set(cache_key, (html, comment_count), timeout=60 * 60)
    return html, comment_count


def _episode_links_key(episode) -> str:
    return f"episode-links-html:{episode.pk}"


def _episode_links(episode) -> str:
    """Previous, next and related episodes, rendered: the same for every reader, so kept
    under the catalogue generation, which comments do not bump (a preview's are rendered
    each time)."""

    def build():
        return render_to_string(
            "episodes/includes/episode_links.html",
            {
                "neighbours": selectors.episode_neighbours(episode=episode),
                "related": selectors.episode_related(episode=episode),
            },
        )

    if not episode.is_live:
        return build()
    return selectors.cached_for_catalogue(_episode_links_key(episode), build)


def _render_episode_page(request, episode, form, *, status=200):
    pending_ids = request.session.get(PENDING_SESSION_KEY, [])
    # Every fragment the page may reuse, read from the cache in one round trip.
    comments_key = selectors.episode_comments_fragment_key(
        episode=episode, include_pending_ids=pending_ids
    )
    cache_prefetch(
        [
            episode_article_key(episode),
            comments_key and f"comment-list-html:{comments_key}",
            episode.is_live and selectors.catalogue_key(_episode_links_key(episode)),
            selectors.catalogue_key(selectors.LISTEN_LINKS_KEY),
            selectors.catalogue_key(selectors.JOIN_OFFER_KEY),
        ]
    )
    comments_html, comment_count = _comment_list(request, episode, pending_ids)
    article = selectors.episode_article_for_viewer(episode=episode, user=request.user)
    context = {
        "episode": episode,
        "article": article,
        "structured_data": structured_data.episode_graph(
            episode, has_members_only=article.has_members_only
        ),
        "episode_links_html": _episode_links(episode),
        "listen_links": selectors.listen_links(),
        "comments_html": comments_html,
        "comment_count": comment_count,
        "form": form,
        "is_preview": not episode.is_live,
        # Bonus audio for members plays only for them (and in their private feed).
        "audio_locked": episode.members_only_audio and not member_has_premium(request.user),
        "join_offer": selectors.join_offer() if article.locked else None,
    }
    return render(request, "episodes/episode_detail.html", context, status=status)


@require_safe
def episode_detail(request, slug):
    episode = selectors.episode_get_for_viewer(slug=slug, user=request.user)
    reply_to = request.GET.get("reply_to", "")
    initial = {"parent": int(reply_to)} if reply_to.isdecimal() else {}
    form = CommentForm(user=request.user, episode=episode, initial=initial)
    return _render_episode_page(request, episode, form)


@csrf_token_or_same_origin
@require_POST
@ratelimit(
    group="comments",
    key="ip",  # common.client_ip, through RATELIMIT_IP_META_KEY
    rate=rate_setting("COMMENT_RATE_LIMIT"),
    method="POST",
    block=False,
)
def comment_post(request, slug):
    episode = selectors.episode_get_for_viewer(slug=slug, user=request.user)
    form = CommentForm(request.POST, user=request.user, episode=episode)
    if request.limited:
        form.is_valid()
        form.add_error(
            None,
            "You have posted several comments in a short time. Please wait a few minutes "
            "and try again; your comment is still here.",
        )
        return _render_episode_page(request, episode, form, status=429)
    if not episode.is_live:
        form.add_error(None, "Comments open when the episode is published.")
        return _render_episode_page(request, episode, form, status=400)
    if not form.is_valid():
        return _render_episode_page(request, episode, form, status=400)

    detail_url = reverse("episodes:detail", args=[episode.slug])
    if form.is_spam_trap_filled:
        messages.info(request, "Thanks! Your comment is awaiting moderation.")
        return HttpResponseRedirect(f"{detail_url}#comments")
    if form.cleaned_data.get("display_name"):
        member_services.member_display_name_set(
            user=request.user, display_name=form.cleaned_data["display_name"]
        )
    try:
        comment = services.comment_create(
            episode=episode,
            body=form.cleaned_data["body"],
            user=request.user,
            name=form.cleaned_data.get("name", ""),
            email=form.cleaned_data.get("email", ""),
            parent=form.cleaned_data.get("parent"),
            ip_address=client_ip(request),
        )
    except ValidationError as error:
        for message in error.messages:
            form.add_error(None, message)
        return _render_episode_page(request, episode, form, status=400)

    if comment.status == comment.Status.APPROVED:
        messages.success(request, "Thanks! Your comment is live.")
    else:
        pending = request.session.get(PENDING_SESSION_KEY, [])
        request.session[PENDING_SESSION_KEY] = [*pending[-19:], comment.pk]
        messages.info(
            request,
            "Thanks! Your comment is awaiting moderation and will appear once it is approved.",
        )
    return HttpResponseRedirect(f"{detail_url}#comment-{comment.pk}")


@require_safe
def search(request):
    query = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    results = selectors.episode_search(query=query, user=request.user) if query else []
    page = Paginator(results, EPISODES_PER_PAGE).get_page(request.GET.get("page"))
    suggested = (
        [t for t in selectors.topics_with_episode_counts() if t.episode_count]
        if query and not results
        else []
    )
    return render(
        request,
        "episodes/search.html",
        {"query": query, "page_obj": page, "suggested_topics": suggested},
    )
