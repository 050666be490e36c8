"""Uploaded audio and covers in S3-compatible object storage (MEDIA_STORAGE_URL).

Runs against moto in server mode: a real HTTP S3 endpoint on a free local port, so the
byte-range request goes over the wire exactly as a podcast app's would.
"""

import socket

import boto3
import pytest
import requests
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from moto.server import ThreadedMotoServer

from backinshape.media_storage import MediaS3Storage
from backinshape.settings import media_storage_from_url
from episodes.feeds import absolute_url
from tests.factories import EpisodeFactory


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def aws_credentials(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-2")


@pytest.fixture
def bucket(s3_endpoint, aws_credentials):
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="eu-west-2")
    client.create_bucket(
        Bucket="episodes-media", CreateBucketConfiguration={"LocationConstraint": "eu-west-2"}
    )
    yield "episodes-media"
    for item in client.list_objects_v2(Bucket="episodes-media").get("Contents", []):
        client.delete_object(Bucket="episodes-media", Key=item["Key"])
    client.delete_bucket(Bucket="episodes-media")


def _storage(url: str) -> MediaS3Storage:
    config = media_storage_from_url(url)
    assert config["BACKEND"] == "backinshape.media_storage.MediaS3Storage"
    return MediaS3Storage(**config["OPTIONS"])


def test_unset_media_storage_url_keeps_media_on_local_disk():
    assert media_storage_from_url("") == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_media_storage_url_reads_bucket_prefix_and_options():
    config = media_storage_from_url(
        "s3://episodes-media/site?endpoint_url=https://s3.example.org&region=eu-west-2"
        "&custom_domain=media.example.org&querystring_auth=false&querystring_expire=600"
    )
    assert config["OPTIONS"] == {
        "bucket_name": "episodes-media",
        "location": "site",
        "file_overwrite": False,
        "endpoint_url": "https://s3.example.org",
        "region_name": "eu-west-2",
        "custom_domain": "media.example.org",
        "querystring_auth": False,
        "querystring_expire": 600,
    }


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://episodes-media", "must look like s3://bucket"),
        ("s3://episodes-media?regoin=eu-west-2", "unknown option 'regoin'"),
        ("s3://episodes-media?querystring_auth=perhaps", "querystring_auth must be true or false"),
    ],
)
def test_malformed_media_storage_url_names_what_to_fix(url, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        media_storage_from_url(url)


def test_uploaded_audio_is_served_with_byte_ranges_from_a_public_url(s3_endpoint, bucket):
    storage = _storage(
        f"s3://{bucket}?endpoint_url={s3_endpoint}&region=eu-west-2&querystring_auth=false"
        "&default_acl=public-read"
    )
    name = storage.save("audio/2026/episode-one.mp3", ContentFile(b"0123456789abcdefghij"))

    url = storage.url(name)
    assert url == f"{s3_endpoint}/{bucket}/{name}"
    response = requests.get(url, headers={"Range": "bytes=0-9"}, timeout=5)
    assert response.status_code == 206
    assert response.content == b"0123456789"
    assert response.headers["Content-Range"] == "bytes 0-9/20"


def test_a_second_upload_with_the_same_name_keeps_the_first(s3_endpoint, bucket):
    storage = _storage(f"s3://{bucket}?endpoint_url={s3_endpoint}&region=eu-west-2")
    first = storage.save("covers/cover.jpg", ContentFile(b"first"))
    second = storage.save("covers/cover.jpg", ContentFile(b"second"))
    assert first != second
    assert storage.open(first).read() == b"first"


def test_signed_urls_work_for_a_private_bucket(s3_endpoint, bucket):
    storage = _storage(f"s3://{bucket}?endpoint_url={s3_endpoint}&region=eu-west-2")
    name = storage.save("audio/private.mp3", ContentFile(b"members only"))

    url = storage.url(name)
    assert "X-Amz-Signature=" in url
    assert requests.get(url, timeout=5).content == b"members only"
    unsigned = url.split("?", 1)[0]
    assert requests.get(unsigned, timeout=5).status_code == 403


def test_feed_enclosure_uses_the_storage_url_as_it_is():
    url = "https://media.example.org/audio/2026/episode-one.mp3"
    assert absolute_url(url) == url


@pytest.mark.django_db
def test_episode_page_shares_the_cover_at_its_storage_url(visitor, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": media_storage_from_url(
            "s3://episodes-media?custom_domain=media.example.org&querystring_auth=false"
        ),
    }
    episode = EpisodeFactory(cover_image="covers/2026/sitting.png", cover_alt="A chair")

    page = visitor.get(f"/episodes/{episode.slug}/").content.decode()
    assert (
        '<meta property="og:image" content="https://media.example.org/covers/2026/sitting.png">'
        in page
    )
