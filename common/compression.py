"""gzip for what the app serves itself: pages, feeds, the sitemap, robots.txt, and static
files in development.

Behind nginx, nginx compresses too (deploy/nginx/backinshape.conf) and leaves alone what
arrives compressed; with gunicorn alone, or `make run`, this is the only compression.
Static files in production are compressed once, at collectstatic, by WhiteNoise
(CompressedManifestStaticFilesStorage writes .gz, and .br with Brotli installed), and
WhiteNoise serves those copies with `Vary: Accept-Encoding` itself.

BREACH (https://www.breachattack.com/): compression can leak a secret in a page that
also echoes what an attacker sends, through the compressed length. Django masks its CSRF
token with fresh random bytes in every response, so the token's bytes never repeat from
one response to the next, and a private response is compressed by Django's own
GZipMiddleware, which pads it with random bytes (its `max_random_bytes`, "Heal The
BREACH") so the length varies too. A response marked `Cache-Control: public` is the same
for every visitor, so it holds no secret (a page with a CSRF token sets the token's cookie,
and PrivateCacheMiddleware marks it private): it is compressed without the padding, and
the anonymous page cache keeps that compressed copy, made once, for every later visitor.
"""

from django.middleware.gzip import GZipMiddleware, re_accepts_gzip
from django.utils.cache import patch_vary_headers
from django.utils.text import compress_string

# Text formats worth compressing that are not text/*: JSON, XML, feeds, SVG, and the
# Podcasting 2.0 transcript and chapters types (episodes/podcast.py).
COMPRESSIBLE_TYPES = frozenset(
    {
        "application/atom+xml",
        "application/javascript",
        "application/json",
        "application/json+chapters",
        "application/ld+json",
        "application/manifest+json",
        "application/rss+xml",
        "application/x-subrip",
        "application/xhtml+xml",
        "application/xml",
        "image/svg+xml",
    }
)
# Below this many bytes gzip's own 18 bytes and the work cost more than they save (nginx's
# gzip_min_length in deploy/nginx/backinshape.conf says the same).
MIN_LENGTH = 128
_COPY_ATTRIBUTE = "compressed_copy"


def compressible(response) -> bool:
    """Whether this response's body is text worth compressing, and not compressed yet.

    Never a partial response (206): its byte range is of the uncompressed file, as the
    client asked for it. Never audio, images or anything else already compressed.
    """
    if response.status_code == 206 or response.has_header("Content-Encoding"):
        return False
    media_type = response.get("Content-Type", "").split(";", 1)[0].strip().lower()
    return media_type.startswith("text/") or media_type in COMPRESSIBLE_TYPES


def _public(response) -> bool:
    control = response.get("Cache-Control", "").lower()
    return "public" in (part.strip() for part in control.split(","))


def compressed_copy(response) -> bytes | None:
    """The body gzipped, for a cache to keep beside the plain body; None when the response
    is not worth compressing. Only for a body the same for every visitor (see the module's
    note on BREACH): no random padding, so the copy can be made once and kept."""
    if response.streaming or not compressible(response) or len(response.content) < MIN_LENGTH:
        return None
    compressed = compress_string(response.content)
    return compressed if len(compressed) < len(response.content) else None


def compressed_copy_attach(response, compressed: bytes | None) -> None:
    """Hand a kept compressed copy of this body to CompressionMiddleware, which sends it
    instead of compressing the body again."""
    setattr(response, _COPY_ATTRIBUTE, compressed)


class CompressionMiddleware(GZipMiddleware):
    """gzip for text responses only, reusing a compressed copy the page cache kept.

    First in MIDDLEWARE, above the page cache: the cache stores the plain body (and, once,
    its compressed copy), never a body compressed for one client, so a visitor whose
    client does not ask for gzip always gets plain text, hit or miss. Every compressible
    response says `Vary: Accept-Encoding`, compressed or not, so no shared cache hands a
    compressed body to a client that did not ask for it.
    """

    def process_response(self, request, response):
        if response.status_code == 304:
            # A 304 carries the Vary its 200 would have (RFC 9110 §15.4.5).
            patch_vary_headers(response, ("Accept-Encoding",))
            return response
        if not compressible(response):
            return response
        if response.streaming or not _public(response):
            return super().process_response(request, response)  # padded, as above
        if len(response.content) < MIN_LENGTH:
            return response
        patch_vary_headers(response, ("Accept-Encoding",))
        if not re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
            return response
        copy = getattr(response, _COPY_ATTRIBUTE, None) or compressed_copy(response)
        if copy is None:
            return response
        response.content = copy
        response.headers["Content-Length"] = str(len(copy))
        # As GZipMiddleware does: a compressed body's ETag is weak (RFC 9110 §8.8.1).
        etag = response.get("ETag")
        if etag and etag.startswith('"'):
            response.headers["ETag"] = "W/" + etag
        response.headers["Content-Encoding"] = "gzip"
        return response
