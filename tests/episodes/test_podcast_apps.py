"""What podcast apps read: the show's settings row, artwork rules, durations, transcripts."""

import io
import uuid
import wave
import xml.etree.ElementTree as ET

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from episodes import services
from episodes.models import Episode, PodcastShow
from episodes.podcast import validate_podcast_artwork
from tests.factories import EpisodeFactory

pytestmark = pytest.mark.django_db

PODCAST_FEED = "/feeds/podcast.xml"
SITE = "https://backinshape.example"
NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
}


@pytest.fixture(autouse=True)
def _public_site(settings, tmp_path):
    settings.SITE_URL = SITE
    settings.MEDIA_ROOT = tmp_path / "media"


def channel_of(client):
    response = client.get(PODCAST_FEED)
    assert response.status_code == 200
    return ET.fromstring(response.content).find("channel")


def image_file(width, height, fmt="PNG", name="art.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (0, 128, 128)).save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def wav_file(seconds: float, name="episode.wav") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\x00\x00" * int(8000 * seconds))
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="audio/wav")


def audio_episode(**kwargs) -> Episode:
    defaults = {"audio_url": "https://media.backinshape.example/001.mp3", "audio_size": 1000}
    return EpisodeFactory(**{**defaults, **kwargs})


def test_show_guid_stays_when_the_site_moves(visitor, settings):
    PodcastShow.objects.all().delete()
    first = channel_of(visitor).findtext("podcast:guid", namespaces=NS)

    settings.SITE_URL = "https://new-home.example"
    second = channel_of(visitor).findtext("podcast:guid", namespaces=NS)

    assert second == first
    assert PodcastShow.objects.get().podcast_guid == uuid.UUID(first)


def test_the_migration_made_one_show_row_with_todays_values():
    show = PodcastShow.objects.get()

    assert show.title == "Back In Shape"
    assert show.apple_category == "Health & Fitness"
    assert show.explicit is False


def test_channel_reads_owner_explicit_copyright_and_category_from_the_show(visitor):
    PodcastShow.objects.update(
        title="Back In Shape Radio",
        owner_name="Alex Owner",
        owner_email="owner@backinshape.example",
        explicit=True,
        copyright="© 2026 Back In Shape Ltd",
        apple_category="Health & Fitness",
        apple_subcategory="Alternative Health",
        language="en-us",
    )

    channel = channel_of(visitor)

    assert channel.findtext("title") == "Back In Shape Radio"
    assert channel.findtext("itunes:owner/itunes:name", namespaces=NS) == "Alex Owner"
    assert channel.findtext("itunes:owner/itunes:email", namespaces=NS) == (
        "owner@backinshape.example"
    )
    assert channel.findtext("itunes:explicit", namespaces=NS) == "true"
    assert channel.findtext("copyright") == "© 2026 Back In Shape Ltd"
    assert channel.findtext("language") == "en-us"
    sub = channel.find("itunes:category/itunes:category", NS)
    assert sub.get("text") == "Alternative Health"


def test_show_artwork_upload_replaces_the_shipped_artwork(visitor):
    show = PodcastShow.objects.get()
    show.artwork = image_file(1400, 1400)
    show.save()

    href = channel_of(visitor).find("itunes:image", NS).get("href")

    assert href.startswith(f"{SITE}/media/podcast-artwork/")


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (lambda: image_file(1600, 1400), "1600 × 1400 pixels, not square"),
        (lambda: image_file(1000, 1000), "1000 × 1000 pixels"),
        (lambda: image_file(3200, 3200), "3200 × 3200 pixels"),
        (lambda: image_file(1400, 1400, "GIF", "art.gif"), "GIF file, not a JPEG or PNG"),
        (lambda: SimpleUploadedFile("art.png", b"not an image"), "not an image we can read"),
    ],
)
def test_artwork_that_apple_would_refuse_is_refused_with_what_to_fix(upload, message):
    with pytest.raises(ValidationError) as error:
        validate_podcast_artwork(upload())

    assert message in error.value.messages[0]


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_square_artwork_of_an_allowed_size_is_accepted(fmt):
    validate_podcast_artwork(image_file(3000, 3000, fmt, f"art.{fmt.lower()}"))


def test_episode_podcast_artwork_is_validated_like_the_show_artwork():
    episode = EpisodeFactory.build(number=900, slug="wide", podcast_artwork=image_file(1600, 900))

    with pytest.raises(ValidationError) as error:
        services.episode_save(episode=episode)

    assert "podcast_artwork" in error.value.message_dict


def test_episode_item_image_is_its_square_podcast_artwork(visitor):
    audio_episode(podcast_artwork=image_file(1400, 1400))

    item = channel_of(visitor).find("item")

    assert item.find("itunes:image", NS).get("href").startswith(f"{SITE}/media/podcast-artwork/")


def test_saving_an_episode_with_an_uploaded_file_fills_duration_and_size():
    upload = wav_file(3.0)
    size = upload.size
    episode = EpisodeFactory.build(number=901, slug="wav", audio_file=upload)

    services.episode_save(episode=episode)

    episode.refresh_from_db()
    assert episode.audio_duration == 3
    assert episode.audio_size == size


def test_a_duration_staff_typed_is_kept():
    episode = EpisodeFactory.build(number=902, slug="typed", audio_file=wav_file(2.0))
    episode.audio_duration = 1805

    services.episode_save(episode=episode)

    episode.refresh_from_db()
    assert episode.audio_duration == 1805


def test_feed_item_has_a_duration_for_an_uploaded_file_saved_without_one(visitor):
    episode = EpisodeFactory.build(number=903, slug="feed-wav", audio_file=wav_file(2.0))
    services.episode_save(episode=episode)

    item = channel_of(visitor).find("item")

    assert item.findtext("itunes:duration", namespaces=NS) == "2"


@pytest.mark.parametrize(
    ("name", "mime"),
    [
        ("t.vtt", "text/vtt"),
        ("t.srt", "application/x-subrip"),
        ("t.html", "text/html"),
        ("t.json", "application/json"),
    ],
)
def test_feed_item_carries_a_transcript_with_its_type(visitor, name, mime):
    audio_episode(transcript_file=SimpleUploadedFile(name, b"WEBVTT\n"))

    transcript = channel_of(visitor).find("item/podcast:transcript", NS)

    assert transcript.get("type") == mime
    assert transcript.get("url").startswith(f"{SITE}/media/transcripts/")


def test_feed_item_carries_chapters(visitor):
    audio_episode(chapters_file=SimpleUploadedFile("c.json", b'{"version": "1.2.0"}'))

    chapters = channel_of(visitor).find("item/podcast:chapters", NS)

    assert chapters.get("type") == "application/json+chapters"
    assert chapters.get("url").startswith(f"{SITE}/media/chapters/")


def test_feed_item_has_no_transcript_or_chapters_unless_uploaded(visitor):
    audio_episode()

    item = channel_of(visitor).find("item")

    assert item.find("podcast:transcript", NS) is None
    assert item.find("podcast:chapters", NS) is None


def test_a_transcript_of_another_kind_is_refused():
    episode = EpisodeFactory.build(
        number=904, slug="pdf", transcript_file=SimpleUploadedFile("t.pdf", b"%PDF")
    )

    with pytest.raises(ValidationError) as error:
        services.episode_save(episode=episode)

    assert "transcript_file" in error.value.message_dict


def test_admin_show_list_goes_straight_to_the_one_row(client, staff):
    client.force_login(staff)
    show = PodcastShow.objects.get()

    response = client.get("/admin/episodes/podcastshow/")

    assert response.status_code == 302
    assert response["Location"] == f"/admin/episodes/podcastshow/{show.pk}/change/"


def test_admin_cannot_add_a_second_show_or_delete_the_first(client, staff):
    client.force_login(staff)
    show = PodcastShow.objects.get()

    assert client.get("/admin/episodes/podcastshow/add/").status_code == 403
    assert client.get(f"/admin/episodes/podcastshow/{show.pk}/delete/").status_code == 403
    assert PodcastShow.objects.count() == 1


def test_admin_show_page_opens_and_saves(client, staff):
    client.force_login(staff)
    show = PodcastShow.objects.get()
    url = f"/admin/episodes/podcastshow/{show.pk}/change/"
    assert client.get(url).status_code == 200

    response = client.post(
        url,
        {
            "title": "Back In Shape",
            "description": "About backs.",
            "author": "Back In Shape",
            "language": "en-gb",
            "owner_name": "Alex",
            "owner_email": "alex@backinshape.example",
            "apple_category": "Health & Fitness",
            "apple_subcategory": "Fitness",
            "copyright": "© Back In Shape",
        },
    )

    assert response.status_code == 302
    show.refresh_from_db()
    assert show.owner_name == "Alex"
