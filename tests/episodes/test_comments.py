from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import Client

from episodes import services
from episodes.models import Comment
from episodes.rendering import COMMENT_TEMPLATE, render_comment
from tests.factories import CommentFactory, EpisodeFactory, UserFactory

pytestmark = pytest.mark.django_db


def _post(client, episode, **data):
    payload = {"name": "Alex", "email": "alex@example.com", "body": "Really useful, thanks."}
    payload.update(data)
    return client.post(f"/episodes/{episode.slug}/comments/", payload)


def test_guest_comment_is_held_for_moderation(visitor, episode):
    response = _post(visitor, episode)
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert response["Location"] == f"{episode.get_absolute_url()}#comment-{comment.pk}"
    assert comment.status == Comment.Status.PENDING
    assert comment.ip_address == "127.0.0.1"


def test_guest_sees_own_pending_comment_but_others_do_not(visitor, client, episode):
    _post(visitor, episode, body="My pending words")
    page = visitor.get(episode.get_absolute_url(), follow=True).text
    assert "My pending words" in page
    assert "awaiting moderation" in page.lower()

    assert "My pending words" not in Client().get(episode.get_absolute_url()).text


def test_verified_member_posts_at_once(client, free_member, episode):
    client.force_login(free_member)
    _post(client, episode, body="Straight in")
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.APPROVED
    assert comment.name == free_member.public_name
    assert comment.email == free_member.email


def test_unverified_member_is_held_for_moderation(client, episode):
    user = UserFactory(verified=False)
    client.force_login(user)
    _post(client, episode)
    assert Comment.objects.get().status == Comment.Status.PENDING


def test_staff_comment_carries_the_staff_badge(client, staff, episode):
    client.force_login(staff)
    _post(client, episode, body="From the team")
    comment = Comment.objects.get()
    assert comment.is_staff_reply
    assert "Back In Shape team" in client.get(episode.get_absolute_url()).text


def test_invalid_comment_comes_back_with_the_text_kept(visitor, episode):
    response = _post(visitor, episode, email="not-an-email", body="Keep these words")
    assert response.status_code == 400
    assert "Keep these words" in response.text
    assert "Enter a valid email address" in response.text
    assert not Comment.objects.exists()


def test_too_long_comment_is_refused_with_a_message(visitor, episode):
    response = _post(visitor, episode, body="x" * (settings.COMMENT_MAX_LENGTH + 1))
    assert response.status_code == 400
    assert "at most" in response.text
    assert not Comment.objects.exists()


def test_honeypot_filled_saves_nothing(visitor, episode):
    response = _post(visitor, episode, website="http://spam.example")
    assert response.status_code == 302  # as if it had worked
    assert response["Location"] == f"{episode.get_absolute_url()}#comments"
    assert not Comment.objects.exists()


def test_rate_limit_refuses_and_keeps_the_text(visitor, episode, settings):
    settings.COMMENT_RATE_LIMIT = "3/m"
    for n in range(3):
        assert _post(visitor, episode, body=f"comment {n}").status_code == 302
    response = _post(visitor, episode, body="One too many")
    assert response.status_code == 429
    assert "One too many" in response.text
    assert Comment.objects.count() == 3


def test_comments_on_unknown_episode_are_404(visitor):
    assert visitor.post("/episodes/nope/comments/", {"body": "x"}).status_code == 404


def test_comment_endpoint_refuses_get(visitor, episode):
    assert visitor.get(f"/episodes/{episode.slug}/comments/").status_code == 405


def test_replies_are_one_level_deep(visitor, episode):
    top = CommentFactory(episode=episode)
    reply = CommentFactory(episode=episode, parent=top)
    _post(visitor, episode, parent=reply.pk, body="A reply to a reply")
    nested = Comment.objects.get(body="A reply to a reply")
    assert nested.parent_id == top.pk


def test_reply_to_another_episodes_comment_is_refused(visitor, episode):
    other = CommentFactory(episode=EpisodeFactory())
    response = _post(visitor, episode, parent=other.pk, body="Sneaky")
    assert response.status_code == 400
    assert "Sneaky" in response.text
    assert not Comment.objects.filter(body="Sneaky").exists()


def test_only_approved_comments_are_shown_and_counted(visitor, episode):
    top = CommentFactory(episode=episode, body="Approved top")
    CommentFactory(episode=episode, parent=top, body="Approved reply")
    CommentFactory(episode=episode, body="Pending one", status=Comment.Status.PENDING)
    CommentFactory(episode=episode, body="Spammy", status=Comment.Status.SPAM)
    CommentFactory(episode=episode, body="Gone", status=Comment.Status.REMOVED)
    page = visitor.get(episode.get_absolute_url()).text
    assert "Approved top" in page
    assert "Approved reply" in page
    for hidden in ["Pending one", "Spammy", "Gone"]:
        assert hidden not in page
    assert "2 comments" in page


def test_moderation_approves_in_bulk(episode):
    pending = CommentFactory.create_batch(3, episode=episode, status=Comment.Status.PENDING)
    changed = services.comments_moderate(comments=pending, status=Comment.Status.APPROVED)
    assert changed == 3
    assert Comment.objects.approved().count() == 3


@pytest.mark.parametrize(
    "evil",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        '<a href="javascript:alert(1)">click</a>',
        "javascript:alert(1)",
        '<p onclick="alert(1)">hi</p>',
    ],
)
def test_comment_html_never_keeps_scripts_or_handlers(evil):
    tags = _parse(render_comment(evil))
    assert {name for name, _ in tags} <= {"p", "br", "a"}
    for _name, attrs in tags:
        assert not [key for key in attrs if key.startswith("on")]
        assert not attrs.get("href", "").lower().startswith("javascript")


def _parse(html):
    """Every (tag, attributes) the browser would build from this HTML."""
    found = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, dict(attrs)))

    Collector().feed(html)
    return found


def test_comment_links_are_autolinked_with_nofollow():
    html = render_comment("See https://example.org/page for more")
    assert 'href="https://example.org/page"' in html
    assert "nofollow" in html
    assert "ugc" in html


def test_script_in_a_posted_comment_is_shown_as_text(visitor, episode):
    CommentFactory(episode=episode, body="<script>alert('x')</script> hello")
    page = visitor.get(episode.get_absolute_url()).text
    assert "<script>alert" not in page
    assert "&lt;script&gt;" in page


# Behind a proxy: the visitor's address, never the proxy's, and never a 500 -------------

PROXY = "10.0.0.1"


def _post_via_proxy(client, episode, xff=None, **data):
    payload = {"name": "Alex", "email": "alex@example.com", "body": "Really useful, thanks."}
    payload.update(data)
    headers = {"X-Forwarded-For": xff} if xff is not None else {}
    return client.post(
        f"/episodes/{episode.slug}/comments/", payload, headers=headers, REMOTE_ADDR=PROXY
    )


@pytest.fixture
def behind_one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1


def test_behind_a_proxy_the_comment_records_the_visitors_address(behind_one_proxy, episode):
    response = _post_via_proxy(Client(), episode, "6.6.6.6, 203.0.113.7")
    assert response.status_code == 302
    assert Comment.objects.get().ip_address == "203.0.113.7"


@pytest.mark.parametrize("xff", [None, "", "garbage", "1.2.3.4, nonsense", "1.2.3.4,,"])
def test_behind_a_proxy_an_odd_header_falls_back_to_the_connection(behind_one_proxy, episode, xff):
    response = _post_via_proxy(Client(raise_request_exception=True), episode, xff)
    assert response.status_code == 302
    assert Comment.objects.get().ip_address == PROXY


def test_a_spoofed_address_does_not_escape_the_comment_limit(behind_one_proxy, episode, settings):
    settings.COMMENT_RATE_LIMIT = "3/m"
    for n in range(3):
        response = _post_via_proxy(Client(), episode, f"6.6.6.{n}, 203.0.113.7", body=f"c{n}")
        assert response.status_code == 302
    refused = _post_via_proxy(Client(), episode, "6.6.6.99, 203.0.113.7", body="One more")
    assert refused.status_code == 429
    assert Comment.objects.count() == 3
    # Someone else behind the same proxy still gets through.
    other = _post_via_proxy(Client(), episode, "198.51.100.9", body="A different reader")
    assert other.status_code == 302
    assert Comment.objects.count() == 4


def test_without_a_trusted_proxy_the_header_is_ignored(episode, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.COMMENT_RATE_LIMIT = "3/m"
    for n in range(3):
        assert _post_via_proxy(Client(), episode, f"6.6.6.{n}", body=f"c{n}").status_code == 302
    assert _post_via_proxy(Client(), episode, "6.6.6.99", body="More").status_code == 429
    assert set(Comment.objects.values_list("ip_address", flat=True)) == {PROXY}


def test_a_pending_comment_carries_the_badge_and_no_reply_link(episode):
    def rendered(status):
        comment = CommentFactory(episode=episode, status=status)
        return render_to_string(COMMENT_TEMPLATE, {"comment": comment, "is_preview": False})

    pending, approved = rendered(Comment.Status.PENDING), rendered(Comment.Status.APPROVED)
    assert "Awaiting moderation" in pending
    assert "reply_to=" not in pending
    assert "Awaiting moderation" not in approved
    assert "reply_to=" in approved
