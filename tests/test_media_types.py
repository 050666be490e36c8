"""Transcripts and chapters are served with the types the podcast feed names for them.

A podcast app reads `type` on podcast:transcript and podcast:chapters, then fetches the
file; a transcript served as application/octet-stream, or chapters as plain JSON, is not
shown. Checked where media is served: the development server here, object storage (moto,
a real S3 endpoint) here, nginx in tests/test_nginx.py.
"""

import xml.etree.ElementTree as ET

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from backinshape.settings import media_storage_from_url
from episodes.podcast import upload_content_type
from tests.factories import EpisodeFactory
from tests.test_media_ranges import debug_urls  # noqa: F401 (a fixture)
from tests.test_media_storage import _storage as s3_storage
from tests.test_media_storage import aws_credentials, bucket, s3_endpoint  # noqa: F401

SITE = "https://backinshape.example"
PODCAST = "{https://podcastindex.org/namespace/1.0}"
TRANSCRIPTS = ["episode.vtt", "episode.srt", "episode.json", "episode.html"]
# What a browser may send for these files: the type the storage would otherwise keep.
BROWSER_TYPE = "application/octet-stream"


def upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b'{"version": "1.2.0"}', content_type=BROWSER_TYPE)


def feed_files(client) -> dict[str, tuple[str, str]]:
    """Each podcast file in the public feed: tag -> (url, type)."""
    channel = ET.fromstring(client.get("/feeds/podcast.xml").content).find("channel")
    return {
        tag: (element.get("url"), element.get("type"))
        for tag in ("transcript", "chapters")
        if (element := channel.find(f"item/{PODCAST}{tag}")) is not None
    }


@pytest.mark.django_db
@pytest.mark.usefixtures("debug_urls")
@pytest.mark.parametrize("transcript", TRANSCRIPTS)
def test_the_development_server_serves_podcast_files_with_the_feeds_types(
    settings, tmp_path, transcript
):
    settings.SITE_URL = SITE
    settings.MEDIA_ROOT = tmp_path
    EpisodeFactory(
        audio_url="https://cdn.example/episode.mp3",
        transcript_file=upload(transcript),
        chapters_file=upload("chapters.json"),
    )
    client = Client()

    files = feed_files(client)

    assert set(files) == {"transcript", "chapters"}
    assert files["chapters"][1] == "application/json+chapters"
    for url, feed_type in files.values():
        response = client.get(url.removeprefix(SITE))
        assert response.status_code == 200
        assert response["Content-Type"] == feed_type


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("transcripts/2026/episode.vtt", "text/vtt"),
        ("transcripts/2026/episode.srt", "application/x-subrip"),
        ("transcripts/2026/episode.json", "application/json"),
        ("chapters/2026/episode.json", "application/json+chapters"),
    ],
)
def test_object_storage_keeps_the_feeds_type_whatever_the_browser_said(
    s3_endpoint,  # noqa: F811
    bucket,  # noqa: F811
    name,
    expected,
):
    storage = s3_storage(f"s3://{bucket}/site?endpoint_url={s3_endpoint}&region=eu-west-2")
    folder, _, filename = name.rpartition("/")

    saved = storage.save(f"{folder}/{filename}", upload(filename))

    s3 = boto3.client("s3", endpoint_url=s3_endpoint, region_name="eu-west-2")
    stored = s3.head_object(Bucket=bucket, Key=f"site/{saved}")
    assert stored["ContentType"] == expected == upload_content_type(saved)


def test_other_uploads_keep_their_guessed_type(s3_endpoint, bucket):  # noqa: F811
    storage = s3_storage(f"s3://{bucket}?endpoint_url={s3_endpoint}&region=eu-west-2")

    saved = storage.save("audio/2026/episode.mp3", ContentFile(b"ID3"))

    s3 = boto3.client("s3", endpoint_url=s3_endpoint, region_name="eu-west-2")
    assert s3.head_object(Bucket=bucket, Key=saved)["ContentType"] == "audio/mpeg"
    assert upload_content_type(saved) is None


def test_media_storage_url_uses_the_storage_that_sets_podcast_types():
    config = media_storage_from_url("s3://episodes-media")
    assert config["BACKEND"] == "backinshape.media_storage.MediaS3Storage"
