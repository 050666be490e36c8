"""The podcast and article feeds, read the way a podcast app or feed reader reads them."""

import datetime as dt
import re
import uuid
import xml.etree.ElementTree as ET
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from episodes import services
from episodes.models import Episode, PodcastShow
from tests.factories import EpisodeFactory

pytestmark = pytest.mark.django_db

PODCAST_FEED = "/feeds/podcast.xml"
ARTICLE_FEED = "/feeds/articles.xml"
SITE = "https://backinshape.example"
NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "atom": "http://www.w3.org/2005/Atom",
}
RFC_2822 = re.compile(r"^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$")


@pytest.fixture(autouse=True)
def _public_site(settings, tmp_path):
    settings.SITE_URL = SITE
    settings.MEDIA_ROOT = tmp_path / "media"


def audio_episode(**kwargs) -> Episode:
    defaults = {
        "audio_url": "https://media.backinshape.example/episodes/001.mp3",
        "audio_size": 39_360_000,
        "audio_duration": 2460,
    }
    return EpisodeFactory(**{**defaults, **kwargs})


def fetch(client, url: str) -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    return ET.fromstring(response.content)


def items_by_title(channel: ET.Element) -> dict[str, ET.Element]:
    return {item.findtext("title"): item for item in channel.findall("item")}


def test_podcast_feed_channel_has_the_elements_apple_and_podcast_index_require(visitor):
    channel = fetch(visitor, PODCAST_FEED).find("channel")

    assert channel.findtext("title") == "Back In Shape"
    assert channel.findtext("description")
    assert channel.findtext("language") == "en-gb"
    assert channel.findtext("link") == f"{SITE}/"
    assert channel.find("atom:link", NS).get("href") == f"{SITE}/feeds/podcast.xml"
    assert channel.find("itunes:image", NS).get("href") == f"{SITE}/static/img/podcast-artwork.png"
    category = channel.find("itunes:category", NS)
    assert category.get("text") == "Health & Fitness"
    assert category.find("itunes:category", NS).get("text")
    assert channel.findtext("itunes:explicit", namespaces=NS) == "false"
    assert channel.findtext("itunes:author", namespaces=NS) == "Back In Shape"


def test_podcast_feed_guid_is_the_podcasting_2_uuid_of_the_feed_url(visitor):
    PodcastShow.objects.all().delete()  # as on the day the show's row is first made

    channel = fetch(visitor, PODCAST_FEED).find("channel")

    expected = uuid.uuid5(
        uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6"), "backinshape.example/feeds/podcast.xml"
    )
    assert channel.findtext("podcast:guid", namespaces=NS) == str(expected)


def test_podcast_feed_artwork_is_a_square_png_apple_accepts():
    path = Path(django_settings.BASE_DIR) / "static" / "img" / "podcast-artwork.png"
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.width == image.height
        assert 1400 <= image.width <= 3000
    assert path.stat().st_size < 200_000


def test_podcast_feed_lists_only_published_episodes_with_audio(visitor):
    now = timezone.now()
    audio_episode(title="Live with audio")
    EpisodeFactory(title="Live without audio", audio_url="", audio_size=None)
    audio_episode(title="A draft", status=Episode.Status.DRAFT)
    audio_episode(
        title="Scheduled for Sunday",
        status=Episode.Status.SCHEDULED,
        publish_at=now + dt.timedelta(days=3),
    )
    audio_episode(
        title="Scheduled and due, not yet released",
        status=Episode.Status.SCHEDULED,
        publish_at=now - dt.timedelta(hours=1),
    )
    audio_episode(title="Published for the future", publish_at=now + dt.timedelta(days=3))

    channel = fetch(visitor, PODCAST_FEED).find("channel")

    assert list(items_by_title(channel)) == ["Live with audio"]


def test_article_feed_never_lists_drafts_or_scheduled_episodes(visitor):
    EpisodeFactory(title="Out now")
    EpisodeFactory(title="A draft", status=Episode.Status.DRAFT)
    EpisodeFactory(
        title="Next Sunday",
        status=Episode.Status.SCHEDULED,
        publish_at=timezone.now() + dt.timedelta(days=3),
    )

    channel = fetch(visitor, ARTICLE_FEED).find("channel")

    assert list(items_by_title(channel)) == ["Out now"]


def test_podcast_feed_item_guid_stays_the_same_when_the_episode_is_renamed(visitor):
    episode = audio_episode(title="Before")
    item = fetch(visitor, PODCAST_FEED).find("channel/item")
    guid_before = item.findtext("guid")

    episode.title = "After"
    episode.slug = "a-new-slug"
    episode.save()
    item = fetch(visitor, PODCAST_FEED).find("channel/item")

    assert item.findtext("title") == "After"
    assert item.findtext("guid") == guid_before == str(episode.guid)
    assert item.find("guid").get("isPermaLink") == "false"


def test_podcast_feed_enclosure_length_equals_audio_size(visitor):
    audio_episode(audio_size=48_123_456, audio_type="audio/mpeg")

    enclosure = fetch(visitor, PODCAST_FEED).find("channel/item/enclosure")

    assert enclosure.get("length") == "48123456"
    assert enclosure.get("type") == "audio/mpeg"
    assert enclosure.get("url") == "https://media.backinshape.example/episodes/001.mp3"


def test_podcast_feed_enclosure_for_an_uploaded_file_is_absolute_with_its_size(visitor):
    data = b"ID3" + b"\x00" * 2045
    audio_episode(
        audio_url="",
        audio_size=None,
        audio_file=SimpleUploadedFile("episode.mp3", data, content_type="audio/mpeg"),
    )

    enclosure = fetch(visitor, PODCAST_FEED).find("channel/item/enclosure")

    assert enclosure.get("url").startswith(f"{SITE}/media/audio/")
    assert enclosure.get("length") == str(len(data))


def test_podcast_feed_item_has_duration_number_link_and_never_the_wide_cover(visitor):
    episode = audio_episode(
        number=42,
        audio_duration=1805,
        cover_image=SimpleUploadedFile("cover.png", b"\x89PNG fake", content_type="image/png"),
        cover_alt="A teal cover with the episode title",
    )

    item = fetch(visitor, PODCAST_FEED).find("channel/item")

    assert item.findtext("itunes:duration", namespaces=NS) == "1805"
    assert item.findtext("itunes:episode", namespaces=NS) == "42"
    assert item.findtext("link") == f"{SITE}{episode.get_absolute_url()}"
    assert item.find("itunes:image", NS) is None  # Apple wants square art, not the cover
    assert item.findtext("description") == episode.standfirst


def test_podcast_feed_item_without_cover_has_no_episode_image(visitor):
    audio_episode()

    item = fetch(visitor, PODCAST_FEED).find("channel/item")

    assert item.find("itunes:image", NS) is None


def test_podcast_feed_pub_date_is_rfc_2822(visitor):
    published = dt.datetime(2026, 3, 29, 6, 0, tzinfo=dt.UTC)  # 07:00 in London, BST
    audio_episode(publish_at=published)

    pub_date = fetch(visitor, PODCAST_FEED).findtext("channel/item/pubDate")

    assert RFC_2822.match(pub_date), pub_date
    assert parsedate_to_datetime(pub_date) == published


@pytest.mark.parametrize("url", [PODCAST_FEED, ARTICLE_FEED])
def test_feeds_never_contain_members_only_text(visitor, premium_episode, url):
    premium_episode.audio_url = "https://media.backinshape.example/episodes/007.mp3"
    premium_episode.audio_size = 1000
    premium_episode.save()

    response = visitor.get(url)

    assert response.status_code == 200
    assert premium_episode.title in response.text
    assert "SECRET-PREMIUM-PARAGRAPH" not in response.text
    assert "members' routine" not in response.text


@pytest.mark.parametrize("url", [PODCAST_FEED, ARTICLE_FEED])
def test_feeds_build_urls_from_site_url_not_the_request_host(visitor, settings, url):
    settings.ALLOWED_HOSTS = ["*"]
    audio_episode()

    response = visitor.get(url, HTTP_HOST="proxy.internal")

    assert response.status_code == 200
    assert "proxy.internal" not in response.text
    assert f"{SITE}/episodes/" in response.text


def test_article_feed_item_is_standfirst_and_a_link_to_the_article(visitor):
    episode = EpisodeFactory(standfirst="Why your back aches after a long drive.")

    item = fetch(visitor, ARTICLE_FEED).find("channel/item")

    assert item.findtext("description").startswith("Why your back aches after a long drive.")
    assert "Read the article" in item.findtext("description")
    assert item.findtext("link") == f"{SITE}{episode.get_absolute_url()}"
    assert item.findtext("guid") == str(episode.guid)
    assert "Start here" not in item.findtext("description")  # the body is in content:encoded


def test_article_feed_carries_the_public_part_of_the_article_in_full(visitor, premium_episode):
    item = fetch(visitor, ARTICLE_FEED).find("channel/item")

    content = item.findtext("content:encoded", namespaces=NS)
    assert "Public words about discs." in content
    assert "<h2" in content
    assert "for premium members" in content
    assert "SECRET-PREMIUM-PARAGRAPH" not in content


def test_article_feed_never_carries_the_members_only_part_anywhere(visitor, premium_episode):
    response = visitor.get(ARTICLE_FEED)

    assert "SECRET-PREMIUM-PARAGRAPH" not in response.text
    assert "members' routine" not in response.text


def test_article_feed_shows_a_body_with_no_members_part_whole(visitor):
    EpisodeFactory(body="## Start here\n\nA paragraph everyone can read.")

    content = fetch(visitor, ARTICLE_FEED).findtext("channel/item/content:encoded", namespaces=NS)

    assert "A paragraph everyone can read." in content
    assert "premium" not in content


def test_linked_audio_without_a_length_is_refused_so_the_feed_always_has_a_duration():
    episode = EpisodeFactory.build(audio_url="https://cdn.example/ep.mp3", audio_duration=None)
    with pytest.raises(ValidationError) as refused:
        services.episode_save(episode=episode)
    assert "podcast apps need it" in str(refused.value.message_dict["audio_duration"])
