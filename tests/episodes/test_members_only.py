import pytest

from episodes.rendering import split_members_only

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
