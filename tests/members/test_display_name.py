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


# --- Names that would pass for someone else, or hide what they are ----------------------------

EMAIL_LOOKALIKES = {
    "full-width at sign": "member\uff20example.com",
    "small at sign": "staff\ufe6bexample.com",
}
HIDDEN_CHARACTERS = {
    "right-to-left override": "\u202enaJ",
    "right-to-left isolate": "Ja\u2067n",
    "left-to-right mark": "Jan\u200e",
    "zero-width joiner": "J\u200dan",
    "zero-width non-joiner": "J\u200can",
    "zero-width space": "Ja\u200bn",
    "word joiner": "Jan\u2060",
    "soft hyphen": "Ja\u00adn",
    "Hangul filler": "\u3164",
    "a bell": "Jan\x07",
}
TEAM_NAMES = {
    "the team": "Back In Shape team",
    "the show": "Back In Shape",
    "no spaces, shouting": "BACKINSHAPE",
    "full-width letters": "\uff22\uff41\uff43\uff4b \uff29\uff4e \uff33\uff48\uff41\uff50\uff45",
    "Admin": "Admin",
    "administrator": "administrator",
    "Moderator, spaced": "M o d e r a t o r",
    "Staff": "Staff",
    "a role beside a name": "Jo (moderator)",
}
HIDDEN_MESSAGE = "hidden formatting characters"
TEAM_MESSAGE = "kept for the Back In Shape team"
EMAIL_MESSAGE = "rather than an email address"


def _guest_comment(client, episode, name):
    return _comment(client, episode, name=name, email="guest@example.com", body="Words-kept-9c1")


@pytest.mark.parametrize("name", EMAIL_LOOKALIKES.values(), ids=EMAIL_LOOKALIKES.keys())
def test_a_guest_cannot_publish_an_email_address_written_with_lookalike_at_signs(
    visitor, episode, name
):
    response = _guest_comment(visitor, episode, name)

    assert response.status_code == 400
    assert EMAIL_MESSAGE in response.text
    assert "Words-kept-9c1" in response.text
    assert not Comment.objects.exists()


@pytest.mark.parametrize("name", HIDDEN_CHARACTERS.values(), ids=HIDDEN_CHARACTERS.keys())
def test_a_guest_name_with_hidden_or_direction_characters_is_refused(visitor, episode, name):
    response = _guest_comment(visitor, episode, name)

    assert response.status_code == 400
    assert HIDDEN_MESSAGE in response.text
    assert "Words-kept-9c1" in response.text
    assert not Comment.objects.exists()


@pytest.mark.parametrize("name", TEAM_NAMES.values(), ids=TEAM_NAMES.keys())
def test_a_guest_cannot_comment_under_a_name_the_team_uses(visitor, episode, name):
    response = _guest_comment(visitor, episode, name)

    assert response.status_code == 400
    assert TEAM_MESSAGE in response.text
    assert not Comment.objects.exists()


@pytest.mark.parametrize("name", ["Sam", "sam", " S A M ", "\uff33\uff41\uff4d"])
def test_a_guest_cannot_comment_under_a_staff_members_own_name(visitor, staff, episode, name):
    response = _guest_comment(visitor, episode, name)

    assert response.status_code == 400
    assert TEAM_MESSAGE in response.text
    assert not Comment.objects.exists()


def test_a_guest_name_in_full_width_letters_is_kept_in_plain_letters(visitor, episode):
    response = _guest_comment(visitor, episode, "\uff2a\uff41\uff59\u3000\uff2b")

    assert response.status_code == 302
    assert Comment.objects.get().name == "Jay K"


LOOKALIKE_LETTERS = {
    "a Cyrillic A in Admin": "\u0410dmin",
    "a Greek omicron in a staff name": "S\u03bfphie",
    "a Cyrillic e in the show's name": "Back In Shap\u0435",
}


@pytest.mark.parametrize("name", LOOKALIKE_LETTERS.values(), ids=LOOKALIKE_LETTERS.keys())
def test_a_guest_name_mixing_lookalike_alphabets_in_a_word_is_refused(visitor, episode, name):
    response = _guest_comment(visitor, episode, name)

    assert response.status_code == 400
    assert "in one alphabet" in response.text
    assert "Words-kept-9c1" in response.text
    assert not Comment.objects.exists()


@pytest.mark.parametrize("name", ["Ольга", "Νίκος", "Olga Ольга", "José", "Zoë-Anne"])
def test_a_name_in_one_alphabet_a_word_is_welcome(visitor, episode, name):
    assert _guest_comment(visitor, episode, name).status_code == 302


def test_a_name_with_a_staff_name_inside_it_is_still_fine(visitor, staff, episode):
    assert _guest_comment(visitor, episode, "Samantha").status_code == 302


def test_a_member_cannot_take_a_team_name_on_the_account_page(client, free_member):
    client.force_login(free_member)

    response = client.post("/account/", {"form": "display_name", "display_name": "Moderator"})

    assert response.status_code == 400
    assert TEAM_MESSAGE in response.text
    assert 'value="Moderator"' in response.text
    free_member.refresh_from_db()
    assert free_member.display_name == "Fran"


def test_a_member_cannot_take_another_staff_members_name(client, free_member, staff):
    client.force_login(free_member)

    response = client.post("/account/", {"form": "display_name", "display_name": "SAM"})

    assert response.status_code == 400
    assert TEAM_MESSAGE in response.text
    free_member.refresh_from_db()
    assert free_member.display_name == "Fran"


def test_a_member_name_with_a_direction_override_is_refused_on_the_account_page(
    client, free_member
):
    client.force_login(free_member)

    response = client.post("/account/", {"form": "display_name", "display_name": "\u202enarF"})

    assert response.status_code == 400
    assert HIDDEN_MESSAGE in response.text
    free_member.refresh_from_db()
    assert free_member.display_name == "Fran"


def test_the_account_page_stores_the_normalised_name(client, free_member):
    client.force_login(free_member)

    response = client.post(
        "/account/", {"form": "display_name", "display_name": "\uff26\uff52\uff41\uff4e\uff4b"}
    )

    assert response.status_code == 302
    free_member.refresh_from_db()
    assert free_member.display_name == "Frank"


def test_staff_keep_their_own_name(client, staff):
    client.force_login(staff)

    response = client.post("/account/", {"form": "display_name", "display_name": "Sam"})

    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.display_name == "Sam"


def test_a_first_comment_cannot_take_a_team_name(client, nameless_member, episode):
    client.force_login(nameless_member)

    response = _comment(client, episode, display_name="Back In Shape team", body="Words-kept-9c1")

    assert response.status_code == 400
    assert TEAM_MESSAGE in response.text
    assert "Words-kept-9c1" in response.text
    nameless_member.refresh_from_db()
    assert nameless_member.display_name == ""


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("member\uff20example.com", EMAIL_MESSAGE),
        ("J\u200dan", HIDDEN_MESSAGE),
        ("Admin", TEAM_MESSAGE),
    ],
)
def test_sign_up_refuses_a_name_that_would_mislead_and_keeps_it(client, name, message):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "new.person@example.com",
            "display_name": name,
            "password1": "a-long-unusual-passphrase",
            "password2": "a-long-unusual-passphrase",
        },
    )

    assert response.status_code == 200  # allauth re-renders a failed form with 200
    assert message in response.text
    assert 'value="new.person@example.com"' in response.text
    assert not User.objects.filter(email="new.person@example.com").exists()
