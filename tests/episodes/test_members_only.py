import importlib

import pytest
from django.apps import apps
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from episodes import services
from episodes.mailing import release_send
from episodes.models import Episode
from episodes.rendering import normalise_body, split_members_only, validate_members_only_divider
from tests.factories import EpisodeFactory, SubscriberFactory

pytestmark = pytest.mark.django_db

SECRET = "SECRET-PREMIUM-PARAGRAPH"


def test_split_members_only_cuts_at_the_divider():
    public, members_only = split_members_only("Intro\n\n<!-- members-only -->\n\nRoutine")
    assert public == "Intro"
    assert members_only == "Routine"


def test_body_without_divider_is_all_public():
    assert split_members_only("All of it") == ("All of it", None)


def test_visitor_never_receives_members_only_text(visitor, premium_episode):
    response = visitor.get(premium_episode.get_absolute_url())
    assert response.status_code == 200
    assert SECRET not in response.text
    assert "m-the-members-routine" not in response.text  # its heading stays out of the TOC
    assert "routine" not in response.text.split('class="toc"')[1].split("</nav>")[0]
    assert "The rest of this article is for premium members" in response.text


def test_free_member_gets_the_join_panel_not_the_text(client, free_member, premium_episode):
    client.force_login(free_member)
    response = client.get(premium_episode.get_absolute_url())
    assert SECRET not in response.text
    assert "Join premium" in response.text


def test_premium_member_reads_the_whole_article(client, premium_member, premium_episode):
    client.force_login(premium_member)
    response = client.get(premium_episode.get_absolute_url())
    assert SECRET in response.text
    assert "The rest of this article is for premium members" not in response.text
    assert 'href="#m-the-members-routine"' in response.text


def test_members_only_text_stays_out_of_meta_tags(client, premium_member, premium_episode):
    client.force_login(premium_member)
    head = client.get(premium_episode.get_absolute_url()).text.split("</head>")[0]
    assert SECRET not in head


def test_search_does_not_reveal_members_only_matches(
    visitor, client, premium_member, premium_episode
):
    assert premium_episode.title not in visitor.get("/search/?q=secret-premium-paragraph").text
    client.force_login(premium_member)
    assert premium_episode.title in client.get("/search/?q=secret-premium-paragraph").text


def test_search_finds_public_text(visitor, premium_episode):
    response = visitor.get("/search/?q=public+discs")
    assert premium_episode.title in response.text


# --- The divider, whatever the line endings -----------------------------------------------

LINE_ENDINGS = (
    pytest.param("\n", id="LF"),
    pytest.param("\r\n", id="CRLF"),
    pytest.param("\r", id="CR"),
)
MEMBERS_WORD = "zygapophyseal"  # a word only the members-only part uses
MEMBERS_HEADING = "Loaded carries"
DIVIDER_MESSAGE = "Write the divider on a line of its own, exactly: <!-- members-only -->"


def article_lines(divider: str = "<!-- members-only -->") -> list[str]:
    return [
        "## What everyone should know",
        "",
        "Public words about discs.",
        "",
        divider,
        "",
        f"## {MEMBERS_HEADING}",
        "",
        f"The {MEMBERS_WORD} joints like a steady load.",
    ]


def toc_of(html: str) -> str:
    return html.split('class="toc"')[1].split("</nav>")[0]


def panel_of(html: str) -> str:
    return html.split('<aside class="paywall ')[1].split("</aside>")[0]


@pytest.mark.parametrize("newline", LINE_ENDINGS)
def test_cut_works_whatever_the_line_endings(newline):
    public, members_only = split_members_only(newline.join(article_lines()))
    assert MEMBERS_WORD not in public
    assert MEMBERS_WORD in members_only
    assert "\r" not in public + members_only


@pytest.mark.parametrize("newline", LINE_ENDINGS)
def test_visitor_page_and_toc_never_show_members_only_words(visitor, newline):
    # Stored as a browser sends it, without passing through any form.
    episode = EpisodeFactory(slug="carries", body=newline.join(article_lines()))
    response = visitor.get(episode.get_absolute_url())
    assert response.status_code == 200
    assert "Public words about discs." in response.text
    assert MEMBERS_WORD not in response.text
    assert MEMBERS_HEADING not in toc_of(response.text)
    # The heading is shown once, as a title in the join panel's teaser, and nowhere else.
    assert response.text.count(MEMBERS_HEADING) == 1
    assert MEMBERS_HEADING in panel_of(response.text)


@pytest.mark.parametrize("newline", LINE_ENDINGS)
def test_free_member_page_never_shows_members_only_words(client, free_member, newline):
    episode = EpisodeFactory(slug="carries", body=newline.join(article_lines()))
    client.force_login(free_member)
    response = client.get(episode.get_absolute_url())
    assert response.status_code == 200
    assert MEMBERS_WORD not in response.text
    assert "Join premium" in response.text


@pytest.mark.parametrize("newline", LINE_ENDINGS)
def test_search_by_members_only_word_finds_nothing_for_a_visitor(
    visitor, client, premium_member, newline
):
    episode = EpisodeFactory(title="Carry it well", body=newline.join(article_lines()))
    response = visitor.get(f"/search/?q={MEMBERS_WORD}")
    assert response.status_code == 200
    assert episode.title not in response.text
    client.force_login(premium_member)
    assert episode.title in client.get(f"/search/?q={MEMBERS_WORD}").text


@pytest.mark.parametrize("newline", LINE_ENDINGS)
def test_release_email_never_carries_members_only_headings(newline):
    episode = EpisodeFactory(body=newline.join(article_lines()))
    SubscriberFactory(email="reader@example.com")
    release_send(episode=episode)
    message = mail.outbox[0]
    assert "What everyone should know" in message.body
    for text in (message.body, message.alternatives[0][0]):
        assert MEMBERS_HEADING not in text
        assert MEMBERS_WORD not in text


@pytest.mark.parametrize(
    "divider",
    [
        "<!-- members-only -->",
        "<!-- Members-Only -->",
        "<!--members only-->",
        "<!--MEMBERS-ONLY-->",
        "   <!-- members-only -->   ",
        "\t<!--  members-only  -->\t",
        "<!-- members-only -->\u00a0",
    ],
)
@pytest.mark.parametrize("newline", LINE_ENDINGS)
def test_every_accepted_spelling_of_the_divider_cuts(divider, newline):
    public, members_only = split_members_only(newline.join(article_lines(divider)))
    assert MEMBERS_WORD not in public
    assert MEMBERS_WORD in members_only


# --- What is stored -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        (
            "Intro\r\n\r\n<!-- members-only -->\r\n\r\nRoutine",
            "Intro\n\n<!-- members-only -->\n\nRoutine",
        ),
        ("Intro\r\r<!-- Members-Only -->  \rRoutine", "Intro\n\n<!-- members-only -->\nRoutine"),
        ("Intro\n  <!--members only-->\t\nRoutine", "Intro\n<!-- members-only -->\nRoutine"),
        ("Line one  \r\nline two", "Line one  \nline two"),  # a Markdown hard break stays
    ],
)
def test_normalise_body(written, stored):
    assert normalise_body(written) == stored


def test_episode_save_stores_the_normalised_body():
    episode = EpisodeFactory.build(body="\r\n".join(article_lines("<!-- Members-Only --> ")))
    services.episode_save(episode=episode)
    episode.refresh_from_db()
    assert episode.body == "\n".join(article_lines())


def test_episode_save_refuses_a_mistyped_divider():
    episode = EpisodeFactory.build(
        slug="typo", body="\n".join(article_lines("<!-- member only -->"))
    )
    with pytest.raises(ValidationError) as raised:
        services.episode_save(episode=episode)
    assert DIVIDER_MESSAGE in str(raised.value.message_dict["body"])
    assert not Episode.objects.filter(slug="typo").exists()


# --- A mistyped divider is refused --------------------------------------------------------


@pytest.mark.parametrize(
    "typo",
    [
        "<!-- member only -->",
        "<!--members-only->",
        "<!-- membersonly -->",
        "<!- members-only -->",
        "<!-- members  only -->",
        "<!-- members_only -->",
        "<!-- memebers only -->",
        "members only",
        "Members-only",
        "**Members only**",
        "Intro text <!-- members-only -->",
    ],
)
def test_mistyped_divider_is_refused_with_its_line_number(typo):
    with pytest.raises(ValidationError) as raised:
        validate_members_only_divider("\n".join(article_lines(typo)))
    message = raised.value.messages[0]
    assert message.startswith("Line 5 ")
    assert message.endswith(DIVIDER_MESSAGE)


def test_two_dividers_are_refused():
    body = "\n".join([*article_lines(), "", "<!-- Members-Only -->", "", "More."])
    with pytest.raises(ValidationError) as raised:
        validate_members_only_divider(body)
    message = raised.value.messages[0]
    assert "two members-only dividers" in message
    assert "lines 5 and 11" in message


@pytest.mark.parametrize(
    "prose",
    [
        "Members only need ten minutes a day for this routine.",
        "Our members tell us this helped, and only a few found it hard.",
        "Only members of the program get the weekly check-in.",
        "## For members",
        "<!-- a note for staff: check the references -->",
    ],
)
def test_prose_that_mentions_members_saves_fine(prose):
    body = "\n".join([prose, "", *article_lines()])
    validate_members_only_divider(body)
    episode = EpisodeFactory.build(slug="prose", body=body)
    services.episode_save(episode=episode)
    assert Episode.objects.filter(slug="prose").exists()


# --- The admin ----------------------------------------------------------------------------


def admin_post_data(episode: Episode, **changes) -> dict:
    """What the admin's change form posts for this episode, as a browser sends it."""
    local = timezone.localtime(episode.publish_at)
    data = {
        "number": episode.number,
        "title": episode.title,
        "slug": episode.slug,
        "standfirst": episode.standfirst,
        "body": episode.body.replace("\n", "\r\n"),  # a browser's textarea sends CRLF
        "status": episode.status,
        "publish_at_0": local.strftime("%Y-%m-%d"),
        "publish_at_1": local.strftime("%H:%M:%S"),
        "video_url": "",
        "audio_url": "",
        "audio_duration": "",
        "audio_size": "",
        "audio_type": episode.audio_type,
        "cover_alt": "",
        "_save": "Save",
        # The "Put it into practice" inline (routines linked to the episode): none.
        "Episode_routines-TOTAL_FORMS": "0",
        "Episode_routines-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return data


@pytest.fixture
def admin_client(client, staff):
    client.force_login(staff)
    return client


def test_saving_unchanged_in_the_admin_keeps_the_members_only_part_private(
    admin_client, premium_episode
):
    url = f"/admin/episodes/episode/{premium_episode.pk}/change/"
    response = admin_client.post(url, admin_post_data(premium_episode))
    assert response.status_code == 302
    premium_episode.refresh_from_db()
    assert "\r" not in premium_episode.body
    admin_client.logout()
    page = admin_client.get(premium_episode.get_absolute_url()).text
    assert SECRET not in page
    assert "Public words about discs." in page


def test_admin_refuses_a_mistyped_divider_and_keeps_the_text(admin_client, premium_episode):
    body = premium_episode.body.replace("<!-- members-only -->", "<!-- member only -->")
    url = f"/admin/episodes/episode/{premium_episode.pk}/change/"
    response = admin_client.post(url, admin_post_data(premium_episode, body=body))
    assert response.status_code == 200
    assert "Line 5 looks like a members-only divider" in response.text
    assert "exactly: &lt;!-- members-only --&gt;" in response.text
    assert "&lt;!-- member only --&gt;" in response.text  # what staff wrote is kept
    premium_episode.refresh_from_db()
    assert "<!-- members-only -->" in premium_episode.body


def test_changelist_shows_and_filters_the_members_only_part(admin_client, premium_episode):
    EpisodeFactory(title="All public")
    page = admin_client.get("/admin/episodes/episode/").text
    assert "Members-only part" in page
    assert page.count('alt="True"') == 1
    only_premium = admin_client.get("/admin/episodes/episode/?members_only=yes").text
    assert premium_episode.title in only_premium
    assert "All public" not in only_premium
    only_public = admin_client.get("/admin/episodes/episode/?members_only=no").text
    assert premium_episode.title not in only_public
    assert "All public" in only_public


# --- Bodies stored before this rule -------------------------------------------------------


def test_migration_normalises_bodies_stored_with_crlf():
    migration = importlib.import_module("episodes.migrations.0004_normalise_episode_bodies")
    crlf = EpisodeFactory(body="\r\n".join(article_lines("<!-- Members-Only --> ")))
    clean = EpisodeFactory(body="\n".join(article_lines()))
    updated_at = clean.updated_at
    migration.normalise_stored_bodies(apps, None)
    crlf.refresh_from_db()
    clean.refresh_from_db()
    assert crlf.body == "\n".join(article_lines())
    assert clean.body == "\n".join(article_lines())
    assert clean.updated_at == updated_at
