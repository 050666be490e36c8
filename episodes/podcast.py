"""What podcast apps need from the show and its episodes, apart from the feed itself.

The rules here come from outside: Apple's artwork and category requirements and the
Podcasting 2.0 namespace (https://podcastindex.org/namespace/1.0). Models, the save service
and the feeds share them, so an upload is checked the same way wherever it comes from.
"""

import uuid
from pathlib import PurePosixPath
from urllib.parse import urlsplit

import mutagen
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from PIL import Image, UnidentifiedImageError

# The show as it was first published: the defaults of the PodcastShow row staff edit.
SHOW_TITLE = "Back In Shape"
SHOW_AUTHOR = "Back In Shape"
SHOW_DESCRIPTION = (
    "Straight talk about back pain. Every Sunday, one episode and a deep-dive article on "
    "what is going on in your back and what you can do about it: strength, movement and "
    "a calm, gradual plan. Education, not a diagnosis: see a clinician about your own back."
)
SHOW_OWNER_EMAIL = "podcast@backinshape.example"
SHOW_LANGUAGE = "en-gb"
SHOW_COPYRIGHT = "© Back In Shape"
# Apple Podcasts categories: https://podcasters.apple.com/support/1691-apple-podcasts-categories
ITUNES_CATEGORY = "Health & Fitness"
ITUNES_SUBCATEGORY = "Fitness"
ARTWORK_STATIC_PATH = "img/podcast-artwork.png"  # 1400x1400 PNG, used until staff upload one

# Podcasting 2.0 <podcast:guid>: a UUIDv5 of the feed URL (scheme and trailing slashes
# removed) in this fixed namespace. https://podcastindex.org/namespace/1.0#guid
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")

# Apple: "artwork must be a minimum size of 1400 x 1400 pixels and a maximum size of
# 3000 x 3000 pixels, in JPEG or PNG format" (podcasters.apple.com/support/896).
ARTWORK_MIN_PX = 1400
ARTWORK_MAX_PX = 3000
ARTWORK_FORMATS = {"JPEG", "PNG"}

# podcast:transcript types the namespace lists, by the file's extension.
TRANSCRIPT_TYPES = {
    "vtt": "text/vtt",
    "srt": "application/x-subrip",
    "html": "text/html",
    "htm": "text/html",
    "json": "application/json",
}
CHAPTERS_TYPE = "application/json+chapters"  # the namespace's JSON chapters format
# Where the uploads go (the episode's FileFields): the folder tells a chapters file from a
# JSON transcript, both .json.
TRANSCRIPTS_FOLDER = "transcripts"
CHAPTERS_FOLDER = "chapters"

validate_transcript_extension = FileExtensionValidator(
    allowed_extensions=sorted(TRANSCRIPT_TYPES),
    message=(
        "A transcript must be a WebVTT (.vtt), SubRip (.srt), HTML (.html) or JSON (.json) "
        "file; “%(extension)s” is not one of those."
    ),
)
validate_chapters_extension = FileExtensionValidator(
    allowed_extensions=["json"],
    message="Chapters must be a JSON chapters file (.json); “%(extension)s” is not.",
)


def podcast_guid_for_feed_url(feed_url: str) -> str:
    """The Podcasting 2.0 GUID a show with this feed URL gets, by the namespace's rule."""
    parts = urlsplit(feed_url)
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, f"{parts.netloc}{parts.path}".rstrip("/")))


def transcript_type(name: str) -> str:
    """The MIME type a podcast app needs for a transcript file, from its extension."""
    return TRANSCRIPT_TYPES.get(PurePosixPath(name).suffix.lower().lstrip("."), "text/plain")


def upload_content_type(name: str) -> str | None:
    """The Content-Type an uploaded transcript or chapters file is served with: the type
    the feed's podcast:transcript or podcast:chapters names for it. `name` is the file's
    name in media storage (e.g. "chapters/2026/ep12.json"); None for any other upload,
    whose type is guessed from its extension as usual.

    Every place that serves or stores media uses it: the development media view, the
    object storage's Content-Type on upload; nginx's /media/ block lists the same types.
    """
    path = PurePosixPath(name)
    folder = path.parts[0] if len(path.parts) > 1 else ""
    if folder == TRANSCRIPTS_FOLDER:
        return transcript_type(name)
    if folder == CHAPTERS_FOLDER and path.suffix.lower() == ".json":
        return CHAPTERS_TYPE
    return None


def validate_podcast_artwork(file) -> None:
    """Refuse artwork Apple Podcasts would reject: not square, too small or large, not
    JPEG or PNG. Shared by the show's artwork and each episode's podcast artwork."""

    try:
        file.seek(0)
        with Image.open(file) as image:
            image_format, (width, height) = image.format, image.size
    except (UnidentifiedImageError, OSError, ValueError):
        raise ValidationError(
            "This file is not an image we can read. Upload a square JPEG or PNG, "
            "between 1400 and 3000 pixels wide.",
            code="artwork_unreadable",
        ) from None
    finally:
        file.seek(0)
    problems = []
    if image_format not in ARTWORK_FORMATS:
        problems.append(f"it is a {image_format or 'unknown'} file, not a JPEG or PNG")
    if width != height:
        problems.append(f"it is {width} × {height} pixels, not square")
    elif not ARTWORK_MIN_PX <= width <= ARTWORK_MAX_PX:
        problems.append(f"it is {width} × {height} pixels")
    if problems:
        raise ValidationError(
            "Podcast apps need square artwork, between 1400 × 1400 and 3000 × 3000 pixels, "
            "as a JPEG or PNG: " + " and ".join(problems) + ".",
            code="artwork_invalid",
        )


def audio_duration_seconds(file) -> int | None:
    """The length of an audio file in whole seconds (mutagen reads MP3, M4A, WAV, Ogg…),
    or None when the file is not audio mutagen understands."""

    try:
        file.seek(0)
        audio = mutagen.File(file)
    except (mutagen.MutagenError, OSError, ValueError):
        audio = None
    finally:
        file.seek(0)
    if audio is None or not getattr(audio.info, "length", None):
        return None
    return max(1, round(audio.info.length))
