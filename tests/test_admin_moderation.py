"""Moderating in the admin list: the whole comment, one click per row, and a staff reply."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from episodes import services
from episodes.models import Comment
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db

LONG_BODY = "I have had a sore back since March. " * 8 + "THE-LAST-WORDS"


@pytest.mark.parametrize("model", ["comment", "pendingcomment"])
def test_the_list_shows_the_whole_comment(staff_client, model):
    CommentFactory(status=Comment.Status.PENDING, body=LONG_BODY)

    response = staff_client.get(reverse(f"admin:episodes_{model}_changelist"))

    assert "THE-LAST-WORDS" in response.content.decode()


@pytest.mark.parametrize("model", ["comment", "pendingcomment"])
def test_each_row_has_one_click_buttons_posting_to_the_staff_view(staff_client, model):
    comment = CommentFactory(status=Comment.Status.PENDING)

    content = staff_client.get(reverse(f"admin:episodes_{model}_changelist")).content.decode()

    url = reverse("admin_desk_comment_moderate", args=[comment.pk])
    for status in ["approved", "spam", "removed"]:
        assert f'formaction="{url}" name="status" value="{status}"' in content
    # The buttons submit a form of their own outside the list's, carrying the CSRF token.
    assert 'id="moderate-form"' in content
    form = content[content.index('id="moderate-form"') :]
    assert "csrfmiddlewaretoken" in form.split("</form>")[0]


def test_a_row_button_approves_and_returns_to_the_queue(staff_client):
    comment = CommentFactory(status=Comment.Status.PENDING, name="Ada")
    queue = reverse("admin:episodes_pendingcomment_changelist")

    response = staff_client.post(
        reverse("admin_desk_comment_moderate", args=[comment.pk]),
        {"status": "approved", "next": queue},
        follow=True,
    )

    assert response.redirect_chain == [(queue, 302)]
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert "Approved the comment by Ada" in response.content.decode()


def test_the_queue_shows_status_and_date_columns(staff_client):
    CommentFactory(status=Comment.Status.PENDING)

    content = staff_client.get(reverse("admin:episodes_pendingcomment_changelist")).content
    content = content.decode()

    assert "column-status" in content
    assert "column-created_at" in content


def test_staff_reply_from_the_moderation_screen_carries_the_staff_badge(staff_client, staff):
    comment = CommentFactory(status=Comment.Status.PENDING, name="Ada")
    change_url = reverse("admin:episodes_comment_change", args=[comment.pk])
    reply_url = reverse("admin_desk_comment_reply", args=[comment.pk])
    assert f'action="{reply_url}"' in staff_client.get(change_url).content.decode()

    response = staff_client.post(
        reverse("admin_desk_comment_reply", args=[comment.pk]),
        {"body": "Thanks, Ada. Heat first, then gentle movement.", "next": change_url},
        follow=True,
    )

    assert response.redirect_chain == [(change_url, 302)]
    reply = Comment.objects.get(parent=comment)
    assert reply.user == staff
    assert reply.is_staff_reply is True
    assert reply.status == Comment.Status.APPROVED
    assert reply.body == "Thanks, Ada. Heat first, then gentle movement."
    assert "Your reply to Ada is live" in response.content.decode()


def test_an_empty_staff_reply_posts_nothing(staff_client):
    comment = CommentFactory(status=Comment.Status.PENDING)

    response = staff_client.post(
        reverse("admin_desk_comment_reply", args=[comment.pk]), {"body": "   "}, follow=True
    )

    assert response.status_code == 200
    assert not Comment.objects.filter(parent=comment).exists()
    assert "Write your reply first" in response.content.decode()


def test_a_staff_reply_that_is_too_long_is_refused_with_a_message(staff_client, settings):
    comment = CommentFactory(status=Comment.Status.PENDING)

    response = staff_client.post(
        reverse("admin_desk_comment_reply", args=[comment.pk]),
        {"body": "x" * (settings.COMMENT_MAX_LENGTH + 1)},
        follow=True,
    )

    assert response.status_code == 200
    assert not Comment.objects.filter(parent=comment).exists()
    assert "Your reply was not posted" in response.content.decode()


def test_staff_reply_is_for_staff_only(client, free_member):
    comment = CommentFactory(status=Comment.Status.PENDING)
    client.force_login(free_member)

    response = client.post(reverse("admin_desk_comment_reply", args=[comment.pk]), {"body": "Hi"})

    assert response.status_code == 302
    assert not Comment.objects.filter(parent=comment).exists()


def test_staff_reply_refuses_get(staff_client):
    comment = CommentFactory(status=Comment.Status.PENDING)

    response = staff_client.get(reverse("admin_desk_comment_reply", args=[comment.pk]))

    assert response.status_code == 405


# A NUL character (U+0000) cannot be stored in PostgreSQL text: run these there too.


def test_a_nul_in_a_staff_reply_is_refused_with_a_message_and_the_text_kept(staff_client):
    comment = CommentFactory(status=Comment.Status.PENDING, name="Ada")
    change_url = reverse("admin:episodes_comment_change", args=[comment.pk])

    response = staff_client.post(
        reverse("admin_desk_comment_reply", args=[comment.pk]),
        {"body": "Thanks, Ada.\x00 Heat first.", "next": change_url},
        follow=True,
    )

    assert response.redirect_chain == [(change_url, 302)]
    assert not Comment.objects.filter(parent=comment).exists()
    content = response.content.decode()
    assert "Your reply was not posted. It has an invisible null character" in content
    assert ">Thanks, Ada. Heat first.</textarea>" in content


def test_a_reply_that_was_not_posted_fills_the_form_once(staff_client):
    comment = CommentFactory(status=Comment.Status.PENDING)
    change_url = reverse("admin:episodes_comment_change", args=[comment.pk])
    staff_client.post(
        reverse("admin_desk_comment_reply", args=[comment.pk]), {"body": "Half a thought\x00"}
    )

    first = staff_client.get(change_url).content.decode()
    again = staff_client.get(change_url).content.decode()

    assert ">Half a thought</textarea>" in first
    assert "></textarea>" in again


def test_a_nul_in_the_moderation_buttons_changes_nothing(staff_client):
    comment = CommentFactory(status=Comment.Status.PENDING)

    response = staff_client.post(
        reverse("admin_desk_comment_moderate", args=[comment.pk]),
        {"status": "approved\x00", "next": "/admin/\x00"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


@pytest.mark.parametrize("field", ["name", "email", "body"])
def test_comment_create_refuses_a_nul_in_any_text(episode, field):
    texts = {"name": "Ada", "email": "ada@example.com", "body": "Thanks."}
    texts[field] = texts[field][:2] + "\x00" + texts[field][2:]

    with pytest.raises(ValidationError) as refused:
        services.comment_create(episode=episode, **texts)

    assert refused.value.message_dict == {field: ["Null characters are not allowed."]}
    assert not Comment.objects.exists()
