"""Found and shared: JSON-LD, Open Graph and canonical links, neighbours, years, topics."""

import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from lxml import html as lxml_html
from PIL import Image

from episodes.models import PodcastShow
from tests.factories import EpisodeFactory, TopicFactory

pytestmark = pytest.mark.django_db

JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def json_ld(response) -> list[dict]:
    blocks = JSON_LD.findall(response.text)
    assert blocks, "no JSON-LD on the page"
    return [json.loads(block) for block in blocks]


def graph_nodes(response) -> dict[str, dict]:
    nodes = {}
    for block in json_ld(response):
        for node in block.get("@graph", [block]):
            nodes[node["@type"]] = node
    return nodes


def meta(response, prop: str) -> str:
    match = re.search(
        rf'<meta (?:property|name)="{re.escape(prop)}" content="([^"]*)"', response.text
    )
    assert match, f"no {prop} meta tag"
    return match.group(1)


def test_the_episode_page_describes_the_podcast_episode_and_its_article(visitor, settings):
    settings.SITE_URL = "https://backinshape.example"
    episode = EpisodeFactory(
        title="Hinge, don't bend", audio_url="https://cdn.example/ep.mp3", audio_duration=2530
    )
    nodes = graph_nodes(visitor.get(episode.get_absolute_url()))
    podcast = nodes["PodcastEpisode"]
    assert podcast["name"] == "Hinge, don't bend"
    assert podcast["url"] == f"https://backinshape.example{episode.get_absolute_url()}"
    assert podcast["episodeNumber"] == episode.number
    assert podcast["associatedMedia"]["contentUrl"] == "https://cdn.example/ep.mp3"
    assert podcast["associatedMedia"]["duration"] == "PT42M10S"
    assert podcast["partOfSeries"]["@type"] == "PodcastSeries"
    article = nodes["Article"]
    for required in ("headline", "datePublished", "dateModified", "author", "publisher"):
        assert article[required]
    assert article["isAccessibleForFree"] is True
    crumbs = nodes["BreadcrumbList"]["itemListElement"]
    assert [c["name"] for c in crumbs] == ["Home", "Episodes", "Hinge, don't bend"]
    assert [c["position"] for c in crumbs] == [1, 2, 3]


def test_structured_data_never_carries_the_members_only_part(visitor, premium_episode):
    response = visitor.get(premium_episode.get_absolute_url())
    text = json.dumps(json_ld(response))
    assert "SECRET-PREMIUM-PARAGRAPH" not in text
    article = graph_nodes(response)["Article"]
    assert article["isAccessibleForFree"] is False
    assert "SECRET-PREMIUM-PARAGRAPH" not in meta(response, "og:description")


def _elements_matching(page: str, selector: str) -> list:
    """The elements a class selector (".name", the only kind Google takes here) matches."""
    assert re.fullmatch(r"\.[A-Za-z][\w-]*", selector), selector
    return lxml_html.document_fromstring(page).find_class(selector[1:])


@pytest.mark.parametrize("reader", ["visitor", "free_member", "premium_member"])
def test_the_paywall_markup_points_at_an_element_in_the_page(request, client, reader):
    episode = EpisodeFactory(body="Public words.\n\n<!-- members-only -->\n\nSECRET words.")
    if reader != "visitor":
        client.force_login(request.getfixturevalue(reader))

    response = client.get(episode.get_absolute_url())

    part = graph_nodes(response)["Article"]["hasPart"]
    assert part["isAccessibleForFree"] is False
    (element,) = _elements_matching(response.text, part["cssSelector"])
    has_premium = reader == "premium_member"
    assert ("SECRET words." in element.text_content()) is has_premium
    assert ("Join premium" in element.text_content()) is not has_premium


def test_a_title_with_a_script_end_tag_cannot_break_out_of_the_json(visitor):
    episode = EpisodeFactory(title='Pain </script><script>alert("x")</script> & you')
    response = visitor.get(episode.get_absolute_url())
    assert '<script>alert("x")' not in response.text
    assert graph_nodes(response)["PodcastEpisode"]["name"] == episode.title


def test_the_home_page_describes_the_site_the_show_and_its_search(visitor, episode, settings):
    settings.SITE_URL = "https://backinshape.example"
    nodes = graph_nodes(visitor.get("/"))
    assert nodes["Organization"]["name"] == "Back In Shape"
    assert nodes["PodcastSeries"]["webFeed"] == "https://backinshape.example/feeds/podcast.xml"
    action = nodes["WebSite"]["potentialAction"]
    assert action["@type"] == "SearchAction"
    assert action["target"]["urlTemplate"] == "https://backinshape.example/search/?q={search_term}"
    assert action["query-input"] == "required name=search_term"


def test_topic_pages_have_breadcrumbs(visitor, episode):
    topic = TopicFactory(name="Discs")
    episode.topics.add(topic)
    crumbs = graph_nodes(visitor.get(topic.get_absolute_url()))["BreadcrumbList"]
    assert [c["name"] for c in crumbs["itemListElement"]] == ["Home", "Topics", "Discs"]


@pytest.mark.parametrize(
    "path", ["/", "/episodes/", "/topics/", "/search/?q=back", "/membership/", "/subscribe/"]
)
def test_every_public_page_has_a_canonical_link_and_sharing_tags(visitor, episode, path, settings):
    settings.SITE_URL = "https://backinshape.example"
    response = visitor.get(path)
    assert response.status_code == 200
    bare_path = path.split("?")[0]
    assert f'<link rel="canonical" href="https://backinshape.example{bare_path}">' in response.text
    assert meta(response, "og:image").startswith("https://backinshape.example/")
    assert meta(response, "og:title")
    assert meta(response, "og:image:alt")
    assert meta(response, "twitter:image:alt") == meta(response, "og:image:alt")


def test_the_canonical_link_keeps_the_page_number_only(visitor, settings):
    settings.SITE_URL = "https://backinshape.example"
    for number in range(15):
        EpisodeFactory(publish_at=timezone.now() - dt.timedelta(days=7 * (number + 1)))
    response = visitor.get("/episodes/?page=2&utm_source=mail")
    assert '<link rel="canonical" href="https://backinshape.example/episodes/?page=2">' in (
        response.text
    )


def _shared_image_size(response, settings) -> tuple[int, int]:
    """The pixel size of the image a page shares, read from the file itself."""
    path = meta(response, "og:image").removeprefix(settings.SITE_URL)
    if path.startswith(settings.STATIC_URL):
        found = finders.find(path.removeprefix(settings.STATIC_URL))
    else:
        found = Path(settings.MEDIA_ROOT) / path.removeprefix(settings.MEDIA_URL)
    with Image.open(found) as image:
        return image.size


@pytest.mark.parametrize("path", ["/", "/episodes/", "/topics/", "/topics/discs/", "/program/"])
def test_a_page_sharing_the_square_artwork_asks_for_the_square_card(visitor, settings, path):
    settings.SITE_URL = "https://backinshape.example"
    EpisodeFactory(topics=[TopicFactory(slug="discs")])

    response = visitor.get(path)

    width, height = _shared_image_size(response, settings)
    assert width == height
    # X's "summary" card shows a square image whole; "summary_large_image" crops it to 2:1.
    assert meta(response, "twitter:card") == "summary"
    assert meta(response, "twitter:image:alt") == meta(response, "og:image:alt")
    assert "Back In Shape" in meta(response, "og:image:alt")


def test_an_episode_with_a_cover_asks_for_the_large_card(visitor, settings, tmp_path):
    settings.SITE_URL = "https://backinshape.example"
    settings.MEDIA_ROOT = tmp_path
    cover = io.BytesIO()
    Image.new("RGB", (1280, 720), "teal").save(cover, "PNG")
    episode = EpisodeFactory(
        cover_image=SimpleUploadedFile("cover.png", cover.getvalue()),
        cover_alt="A woman lifting a box with a straight back",
    )

    response = visitor.get(episode.get_absolute_url())

    width, height = _shared_image_size(response, settings)
    assert width / height > 1.5
    assert meta(response, "twitter:card") == "summary_large_image"
    assert meta(response, "og:image:alt") == "A woman lifting a box with a straight back"
    assert meta(response, "twitter:image:alt") == "A woman lifting a box with a straight back"


def test_an_episode_shares_with_its_own_title_and_cover(visitor, settings):
    settings.SITE_URL = "https://backinshape.example"
    episode = EpisodeFactory(title="Sitting well", standfirst="How to sit without worry.")
    response = visitor.get(episode.get_absolute_url())
    assert meta(response, "og:type") == "article"
    assert meta(response, "og:title") == "Sitting well"
    assert meta(response, "og:description") == "How to sit without worry."


def test_the_episode_page_links_the_previous_and_next_episodes(visitor):
    now = timezone.now()
    older = EpisodeFactory(title="The older one", publish_at=now - dt.timedelta(days=14))
    middle = EpisodeFactory(title="The middle one", publish_at=now - dt.timedelta(days=7))
    newer = EpisodeFactory(title="The newer one", publish_at=now - dt.timedelta(days=1))
    EpisodeFactory(title="A draft", status="draft", publish_at=now - dt.timedelta(days=3))
    page = visitor.get(middle.get_absolute_url()).text
    assert f'href="{older.get_absolute_url()}" rel="prev"' in page
    assert f'href="{newer.get_absolute_url()}" rel="next"' in page
    assert "A draft" not in page
    first = visitor.get(older.get_absolute_url()).text
    assert 'rel="prev"' not in first
    assert 'rel="next"' in first


def test_the_archive_lists_a_years_episodes(visitor):
    EpisodeFactory(title="From last year", publish_at=dt.datetime(2025, 6, 1, 7, tzinfo=dt.UTC))
    EpisodeFactory(title="From this year", publish_at=dt.datetime(2026, 3, 1, 7, tzinfo=dt.UTC))
    listing = visitor.get("/episodes/").text
    assert 'href="/episodes/archive/2025/"' in listing
    assert 'href="/episodes/archive/2026/"' in listing
    page = visitor.get("/episodes/archive/2025/")
    assert page.status_code == 200
    assert "From last year" in page.text
    assert "From this year" not in page.text


@pytest.mark.parametrize("year", ["1999", "0", "99999999999999999999"])
def test_a_year_without_episodes_is_a_404(visitor, episode, year):
    assert visitor.get(f"/episodes/archive/{year}/").status_code == 404


def test_the_topics_page_lists_every_topic_with_its_count(visitor):
    discs = TopicFactory(name="Discs")
    TopicFactory(name="Sleep")
    EpisodeFactory(topics=[discs])
    EpisodeFactory(topics=[discs], status="draft")
    page = visitor.get("/topics/").text
    assert "Discs" in page
    assert "Sleep" in page
    assert '<span class="topic-list__count">1 episode</span>' in page  # the draft is not counted
    assert '<span class="topic-list__count">0 episodes</span>' in page


def test_a_search_that_finds_nothing_suggests_topics(visitor):
    discs = TopicFactory(name="Discs")
    TopicFactory(name="Empty topic")
    EpisodeFactory(topics=[discs])
    page = visitor.get("/search/?q=zzzqqq").text
    assert "Or start from a topic" in page
    assert f'href="{discs.get_absolute_url()}"' in page
    assert "Empty topic" not in page


def test_listen_links_show_the_apps_staff_set_and_the_feed(visitor, episode):
    PodcastShow.objects.update_or_create(
        singleton=True,
        defaults={"apple_podcasts_url": "https://podcasts.apple.com/show/1", "spotify_url": ""},
    )
    for url in ("/", episode.get_absolute_url()):
        page = visitor.get(url).text
        assert 'href="https://podcasts.apple.com/show/1"' in page
        assert 'href="/feeds/podcast.xml" type="application/rss+xml"' in page
        assert ">Spotify<" not in page


def test_the_latest_episode_card_without_a_cover_takes_the_full_width(visitor):
    EpisodeFactory(title="No cover here", cover_image="")
    page = visitor.get("/").text
    assert 'class="card card--feature card--feature-text"' in page


def test_a_new_podcast_app_link_shows_on_the_cached_home_page_at_once(visitor, episode):
    assert ">Spotify<" not in visitor.get("/").text  # now cached
    show, _ = PodcastShow.objects.get_or_create(singleton=True)
    show.spotify_url = "https://open.spotify.com/show/abc"
    show.save()
    assert 'href="https://open.spotify.com/show/abc"' in visitor.get("/").text


def test_episode_cards_mark_a_members_only_part(visitor, premium_episode):
    EpisodeFactory(title="All public", body="Just public words.")
    page = visitor.get("/episodes/").text
    card = page.split(premium_episode.title, 1)[1].split("</article>", 1)[0]
    assert "Members-only part" in card
    public_card = page.split("All public", 1)[1].split("</article>", 1)[0]
    assert "Members-only part" not in public_card
