"""Reading YouTube links: one parser for every video link on the site (episodes and
exercises alike), so the click-to-load facade is only ever given a real video id."""

import re
from urllib.parse import parse_qs, urlsplit

YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")


def youtube_id(url: str) -> str:
    """The video id of a YouTube link, or "" if the link is not a YouTube video."""
    if not url:
        return ""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    candidate = ""
    if host == "youtu.be":
        candidate = parts.path.lstrip("/").split("/")[0]
    elif host in {"youtube.com", "youtube-nocookie.com"}:
        if parts.path == "/watch":
            candidate = parse_qs(parts.query).get("v", [""])[0]
        else:
            segments = [s for s in parts.path.split("/") if s]
            if len(segments) >= 2 and segments[0] in {"embed", "shorts", "live", "v"}:
                candidate = segments[1]
    return candidate if YOUTUBE_ID.match(candidate) else ""
