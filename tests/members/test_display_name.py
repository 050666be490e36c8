"""Members choose the name beside their comments; their email address is never shown."""

import pytest

from episodes.models import Comment
from members.models import User
from tests.factories import CommentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def nameless_member(db):
    """Someone who signed up with only an email address that carries their real name."""
    return UserFactory(email="jane.realname@example.com", display_name="")


def _comment(client, episode, **data):
    return client.post(f"/episodes/{episode.slug}/comments/", {"body": "Helpful, thanks.", **data})


def test_a_first_comment_asks_for_a_display_name(client, nameless_member, episode):
    client.force_login(nameless_member)
    page = client.get(episode.get_absolute_url()).text
    assert 'name="display_name"' in page
    assert "jane.realname" not in page


def test_a_first_comment_without_a_display_name_comes_back_with_the_text(
    client, nameless_member, episode
):
    client.force_login(nameless_member)
    response = _comment(client, episode, body="My words stay here")
    assert response.status_code == 400
    assert "Please choose a display name" in response.text
    assert "My words stay here" in response.text
    assert not Comment.objects.exists()


def test_the_chosen_display_name_is_shown_and_kept(client, nameless_member, episode):
    client.force_login(nameless_member)
    assert _comment(client, episode, display_name="  Jay  ").status_code == 302
    nameless_member.refresh_from_db()
    assert nameless_member.display_name == "Jay"
    page = client.get(episode.get_absolute_url()).text
    assert "Jay" in page
    assert "jane.realname" not in page
    # Next time the form knows the name and does not ask again.
    assert 'name="display_name"' not in page


def test_an_email_address_is_refused_as_a_display_name(client, nameless_member, episode):
    client.force_login(nameless_member)
    response = _comment(client, episode, display_name="jane.realname@example.com")
    assert response.status_code == 400
    assert "rather than an email address" in response.text
    assert not Comment.objects.exists()


def test_a_guest_cannot_publish_an_email_address_as_their_name(visitor, episode):
    response = _comment(visitor, episode, name="me@example.com", email="me@example.com")
    assert response.status_code == 400
    assert "rather than an email address" in response.text


def test_an_older_comment_without_a_display_name_never_shows_the_email(client, episode):
    member = UserFactory(email="sam.fullname@example.com", display_name="")
    CommentFactory(episode=episode, user=member, name="sam.fullname", body="Older words")
    page = client.get(episode.get_absolute_url()).text
    assert "Older words" in page
    assert "sam.fullname" not in page
    assert "Back In Shape member" in page


def test_changing_the_display_name_on_the_account_page_renames_past_comments(
    client, free_member, episode
):
    CommentFactory(episode=episode, user=free_member, name=free_member.display_name)
    client.force_login(free_member)
    response = client.post("/account/", {"form": "display_name", "display_name": "Frankie"})
    assert response.status_code == 302
    assert response["Location"] == "/account/"
    free_member.refresh_from_db()
    assert free_member.display_name == "Frankie"
    assert "Frankie" in client.get(episode.get_absolute_url()).text


def test_a_blank_display_name_on_the_account_page_is_refused(client, free_member):
    client.force_login(free_member)
    response = client.post("/account/", {"form": "display_name", "display_name": "   "})
    assert response.status_code == 400
    assert "Please" in response.text
    assert "display name" in response.text
    free_member.refresh_from_db()
    assert free_member.display_name == "Fran"


def test_sign_up_offers_a_display_name(client):
    page = client.get("/accounts/signup/").text
    assert 'name="display_name"' in page
    response = client.post(
        "/accounts/signup/",
        {
            "email": "new.person@example.com",
            "display_name": "Newbie",
            "password1": "a-long-unusual-passphrase",
            "password2": "a-long-unusual-passphrase",
        },
    )
    assert response.status_code == 302

    assert User.objects.get(email="new.person@example.com").display_name == "Newbie"


def test_a_new_display_name_shows_on_a_comment_list_already_cached(client, free_member, episode):
    CommentFactory(episode=episode, user=free_member, name=free_member.display_name)
    client.force_login(free_member)
    author = '<strong class="comment__author">{}</strong>'
    assert author.format("Fran") in client.get(episode.get_absolute_url()).text  # now cached
    client.post("/account/", {"form": "display_name", "display_name": "Frankie"})
    assert author.format("Frankie") in client.get(episode.get_absolute_url()).text
