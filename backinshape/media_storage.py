"""Uploaded media in S3-compatible object storage (MEDIA_STORAGE_URL, backinshape/settings.py)."""

from storages.backends.s3 import S3Storage

from episodes.podcast import upload_content_type


class MediaS3Storage(S3Storage):
    """django-storages' S3Storage, with the Content-Type podcast apps need on transcripts
    and chapters.

    S3 serves an object with the Content-Type it was stored with. django-storages takes
    it from the upload (what the browser said, often application/octet-stream for .vtt)
    or else guesses from the extension (application/json for chapters), so the podcast
    files get the types the feed names (episodes/podcast.py) here instead.
    """

    def get_object_parameters(self, name):
        params = super().get_object_parameters(name)
        # `name` here includes the storage's location (the bucket prefix).
        relative = name.removeprefix(f"{self.location}/") if self.location else name
        if content_type := upload_content_type(relative):
            params["ContentType"] = content_type
        return params
