"""The demo site's topics, episodes and comments, for `seed_demo`.

The eight articles are Markdown files in `demo_articles/`, one per episode: see
`demo_articles()`. They are written for the demo and are education, not medical advice;
each says when to see a clinician, as every real one must.
"""

import datetime as dt
import io
import re
import tomllib
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from common.demo import demo_row_sync
from members.models import User

from .models import Comment, Episode, Topic
from .release import next_release_at
from .services import search_index_rebuild

# --------------------------------------------------------------------------- topics

TOPICS = [
    {
        "slug": "understanding-back-pain",
        "name": "Understanding back pain",
        "description": (
            "What is actually going on when your back hurts: pain, sensitivity, scans and "
            "why hurt does not always mean harm."
        ),
    },
    {
        "slug": "sciatica-and-nerve-pain",
        "name": "Sciatica and nerve pain",
        "description": (
            "Leg pain, pins and needles and numbness from an irritated nerve root: how it "
            "behaves, what helps it settle and when to get it checked."
        ),
    },
    {
        "slug": "discs",
        "name": "Discs",
        "description": (
            "Bulges, protrusions and herniations explained in plain English, and how to "
            "load a sore disc back to health."
        ),
    },
    {
        "slug": "strength-and-exercise",
        "name": "Strength and exercise",
        "description": (
            "Building a back that copes: strength training, dosing, progressing and the "
            "exercises that earn their place."
        ),
    },
    {
        "slug": "everyday-movement",
        "name": "Everyday movement",
        "description": (
            "Sitting, bending, lifting and walking: the ordinary things your back does all "
            "day, and how to make them easier."
        ),
    },
    {
        "slug": "hips-and-hamstrings",
        "name": "Hips and hamstrings",
        "description": (
            "The big muscles below your back: why they feel tight, how they share the load "
            "and how to train them."
        ),
    },
    {
        "slug": "flare-ups",
        "name": "Flare-ups",
        "description": (
            "Setbacks happen. How to calm a flare-up, what to do in the first few days and "
            "how to get back to your routine."
        ),
    },
]


# --------------------------------------------------------------------------- episodes

ARTICLES_DIR = Path(__file__).resolve().parent / "demo_articles"
_FRONT_MATTER = re.compile(r"\A\+\+\+\n(?P<header>.*?\n)\+\+\+\n(?P<body>.*)\Z", re.DOTALL)


def demo_article_read(path: Path) -> dict:
    """One episode from its article file: the `+++` TOML header's fields, and "body".

    The header holds everything that is not the article: number, slug, title, standfirst,
    topics (slugs), related (numbers), youtube_id (optional), audio_duration, audio_size,
    status and weeks_from_next_release. The file is named `NN-slug.md` after the header.
    """
    match = _FRONT_MATTER.match(path.read_text(encoding="utf-8"))
    if match is None:
        raise ValueError(f"{path.name}: the file must start with a +++ TOML header")
    episode = tomllib.loads(match["header"])
    expected = f"{episode['number']:02d}-{episode['slug']}.md"
    if path.name != expected:
        raise ValueError(f"{path.name}: its header says it should be named {expected}")
    return {**episode, "body": match["body"]}


def demo_articles() -> list[dict]:
    """The demo episodes from `demo_articles/*.md`, in number order."""
    return [demo_article_read(path) for path in sorted(ARTICLES_DIR.glob("*.md"))]


# --------------------------------------------------------------------------- comments
#
# "key" names a comment so a reply can point at it ("reply_to"); replies are one level
# deep. "staff": written by the staff demo login. "hours_after": after the release.

COMMENTS = [
    {
        "key": "hamstrings-helen",
        "episode": 1,
        "name": "Helen R",
        "email": "helen.r@example.org",
        "body": (
            "I've stretched my hamstrings every morning for about two years and never once "
            "asked why they were tight. Tried the chin-to-chest test and the 'tightness' "
            "changed straight away. Food for thought."
        ),
        "hours_after": 5,
    },
    {
        "key": "hamstrings-staff",
        "episode": 1,
        "reply_to": "hamstrings-helen",
        "staff": True,
        "name": "Sam at Back In Shape",
        "email": "staff@example.com",
        "body": (
            "Thanks Helen, that is a really useful observation. If it feels nervy, swap "
            "some of the long holds for gentle sliders and the bridges from the article, "
            "and see how it responds over a couple of weeks. If anything spreads below the "
            "knee, get it checked by a physio."
        ),
        "hours_after": 9,
    },
    {
        "key": "hamstrings-tom",
        "episode": 1,
        "reply_to": "hamstrings-helen",
        "name": "Tom B",
        "email": "tom.b@example.net",
        "body": (
            "Same here. I swapped stretching for bridges and heel slides a month ago and "
            "my back is calmer than it has been in ages. Not fixed, but calmer."
        ),
        "hours_after": 30,
    },
    {
        "key": "hinge-aisha",
        "episode": 2,
        "name": "Aisha K",
        "email": "aisha.k@example.org",
        "body": (
            "The broom handle drill is brilliant. I had no idea how much I was squatting "
            "instead of hinging. Loading the dishwasher has never been so mindful."
        ),
        "hours_after": 3,
    },
    {
        "key": "hinge-gareth",
        "episode": 2,
        "reply_to": "hinge-aisha",
        "name": "Gareth",
        "email": "gareth.w@example.com",
        "body": "Ha, the dishwasher is my nemesis too. The golfer's lift has been a game changer.",
        "hours_after": 20,
    },
    {
        "key": "sciatica-priya",
        "episode": 3,
        "name": "Priya S",
        "email": "priya.s@example.net",
        "body": (
            "Three weeks into my first bout of sciatica and this was so reassuring. The "
            "pain has moved up from my calf to my thigh this week, which I'd been worrying "
            "about. Glad to read that's usually a good sign."
        ),
        "hours_after": 12,
    },
    {
        "key": "sciatica-staff",
        "episode": 3,
        "reply_to": "sciatica-priya",
        "staff": True,
        "name": "Sam at Back In Shape",
        "email": "staff@example.com",
        "body": (
            "That does sound like it is heading the right way, Priya. Keep the walks short "
            "and frequent. If your foot or leg starts to feel weaker, though, please see "
            "your GP or a physio rather than waiting."
        ),
        "hours_after": 14,
    },
    {
        "key": "sitting-dev",
        "episode": 4,
        "name": "Dev",
        "email": "dev.patel@example.org",
        "body": (
            "Bought a standing desk last year and then stood for eight hours a day. My back "
            "was not impressed. Switching every half hour has worked far better."
        ),
        "hours_after": 6,
    },
    {
        "key": "sitting-jo",
        "episode": 4,
        "reply_to": "sitting-dev",
        "name": "Jo M",
        "email": "jo.m@example.com",
        "body": "I set a timer for 25 minutes. Annoying at first, now I don't notice it.",
        "hours_after": 26,
    },
    {
        "key": "discs-mark",
        "episode": 5,
        "name": "Mark T",
        "email": "mark.t@example.net",
        "body": (
            "My MRI report said 'extrusion' and I spent a week convinced I'd never lift my "
            "kids again. Reading that the bigger ones often shrink the most really helped. "
            "Six months on I'm back at the allotment."
        ),
        "hours_after": 8,
    },
    {
        "key": "discs-helen",
        "episode": 5,
        "reply_to": "discs-mark",
        "name": "Helen R",
        "email": "helen.r@example.org",
        "body": "Love hearing this. The words on those reports are so frightening.",
        "hours_after": 15,
    },
    {
        "key": "strength-sue",
        "episode": 6,
        "name": "Sue",
        "email": "sue.h@example.com",
        "body": (
            "I'm 67 and had never lifted a weight in my life. Started with sit to stands "
            "and suitcase carries with my shopping. Eight weeks in I feel steadier on my "
            "feet as well as in my back."
        ),
        "hours_after": 4,
    },
    {
        "key": "flare-ben",
        "episode": 7,
        "name": "Ben O",
        "email": "ben.o@example.org",
        "body": (
            "Wrote my flare-up plan on a good day as suggested and stuck it on the fridge. "
            "Had a bad one last weekend and it was so much less scary having it there."
        ),
        "hours_after": 10,
    },
    {
        "key": "flare-pending-question",
        "episode": 7,
        "name": "Lucy",
        "email": "lucy.a@example.com",
        "body": (
            "Is it OK to use heat and ice on the same day? My physio said ice but this says "
            "heat, so I'm a bit confused."
        ),
        "hours_after": 30,
        "status": "pending",
    },
    {
        "key": "hinge-pending-spam",
        "episode": 2,
        "name": "Best Back Braces",
        "email": "deals@spam.example",
        "body": "Cheapest back braces online, 80% off today only! https://spam.example/braces",
        "hours_after": 40,
        "status": "pending",
    },
]


# --------------------------------------------------------------------------- artwork

TEAL = (15, 94, 107)  # #0f5e6b, the brand's primary
DEEP_TEAL = (6, 44, 52)
AMBER = (246, 185, 76)  # #f6b94c, the warm accent
WHITE = (255, 255, 255)
MIST = (214, 234, 236)


# --------------------------------------------------------------------------- artwork


def _brand_background(size: tuple[int, int]) -> Image.Image:
    """Calm teal fading to a deeper teal from the top-left corner, with a soft amber sun."""
    width, height = size
    ramp = Image.linear_gradient("L").rotate(45, expand=True)
    ramp = ramp.crop((ramp.width // 4, ramp.height // 4, ramp.width * 3 // 4, ramp.height * 3 // 4))
    mask = ramp.resize(size)
    image = Image.composite(Image.new("RGB", size, DEEP_TEAL), Image.new("RGB", size, TEAL), mask)

    overlay = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    radius = int(min(width, height) * 0.36)
    cx, cy = int(width * 0.92), height
    draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=(*AMBER, 255))
    ring = int(radius * 1.3)
    draw.ellipse(
        (cx - ring, cy - ring, cx + ring, cy + ring),
        outline=(*MIST, 70),
        width=max(3, width // 400),
    )
    image.paste(overlay, (0, 0), overlay)
    return image


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, max_width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and draw.textlength(candidate, font=font) <= max_width:
            lines[-1] = candidate
        else:
            lines.append(word)
    return lines


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def episode_cover_png(*, number: int, title: str) -> bytes:
    """A 1280x720 branded cover: episode number and title in white on the teal gradient."""
    size = (1280, 720)
    image = _brand_background(size)
    draw = ImageDraw.Draw(image)
    margin = 88
    draw.text((margin, 70), "BACK IN SHAPE", font=ImageFont.load_default(size=30), fill=MIST)
    draw.rectangle((margin, 170, margin + 72, 178), fill=AMBER)
    draw.text((margin, 200), f"Episode {number}", font=ImageFont.load_default(size=44), fill=WHITE)
    title_size = 76
    font = ImageFont.load_default(size=title_size)
    max_width = 880  # clear of the amber circle in the corner
    lines = _wrap(draw, title, font, max_width)
    while len(lines) > 3 and title_size > 44:
        title_size -= 6
        font = ImageFont.load_default(size=title_size)
        lines = _wrap(draw, title, font, max_width)
    y = 290
    for line in lines:
        draw.text((margin, y), line, font=font, fill=WHITE)
        y += int(title_size * 1.22)
    return _png(image)


# --------------------------------------------------------------------------- loaders


def episodes_load_demo(*, staff: User | None, tally: Counter) -> dict[int, Episode]:
    """Load the topics, the episodes with their covers and the comments, then index them.

    Rows are matched on a natural key (a topic's slug, an episode's number, a comment's
    episode + email + text) and written only when missing or different. An episode's
    status and date and a comment's moderation are set on creation only, as staff change
    them. `staff` is who wrote the staff answers. Returns the episodes by number.
    """
    topics = _topics_load(tally=tally)
    episodes = _episodes_load(topics=topics, tally=tally)
    _comments_load(episodes=episodes, staff=staff, tally=tally)
    search_index_rebuild()  # titles, topics and text, searchable at once
    return episodes


def _topics_load(*, tally: Counter) -> dict[str, Topic]:
    return {
        topic["slug"]: demo_row_sync(
            Topic,
            lookup={"slug": topic["slug"]},
            values={"name": topic["name"], "description": topic["description"]},
            tally=tally,
        )
        for topic in TOPICS
    }


def _release_moment(weeks_from_next: int) -> dt.datetime:
    """A Sunday release moment, counted in weeks from the next one, on the local calendar."""
    tz = timezone.get_default_timezone()
    next_day = timezone.localtime(next_release_at(), tz).date()
    day = next_day + dt.timedelta(weeks=weeks_from_next)
    return dt.datetime.combine(day, settings.RELEASE_TIME, tzinfo=tz)


def _episodes_load(*, topics: dict[str, Topic], tally: Counter) -> dict[int, Episode]:
    articles = demo_articles()
    episodes: dict[int, Episode] = {}
    for data in articles:
        number = data["number"]
        video_id = data.get("youtube_id")
        episode = demo_row_sync(
            Episode,
            lookup={"number": number},
            values={
                "slug": data["slug"],
                "title": data["title"],
                "standfirst": data["standfirst"],
                "body": data["body"].strip() + "\n",
                "video_url": f"https://www.youtube.com/watch?v={video_id}" if video_id else "",
                "audio_url": f"https://media.backinshape.example/episodes/{number:03d}.mp3",
                "audio_duration": data["audio_duration"],
                "audio_size": data["audio_size"],
                "audio_type": "audio/mpeg",
                "cover_alt": (
                    f"Cover art for episode {number}, \u201c{data['title']}\u201d, in white "
                    "lettering on a deep teal background with a soft amber circle."
                )[:200],
            },
            # Staff may reschedule or unpublish a demo episode; a re-run leaves that alone.
            on_create={
                "status": data["status"],
                "publish_at": _release_moment(data["weeks_from_next_release"]),
            },
            tally=tally,
        )
        wanted_topics = {topics[slug].pk for slug in data["topics"]}
        if set(episode.topics.values_list("pk", flat=True)) != wanted_topics:
            episode.topics.set(wanted_topics)
            tally["episode topic lists set"] += 1
        if not episode.cover_image:
            png = episode_cover_png(number=number, title=data["title"])
            episode.cover_image.save(f"episode-{number:03d}.png", ContentFile(png), save=True)
            tally["covers drawn"] += 1
        episodes[number] = episode

    for data in articles:
        episode = episodes[data["number"]]
        wanted = {episodes[n].pk for n in data.get("related", [])}
        if set(episode.related.values_list("pk", flat=True)) != wanted:
            episode.related.set(wanted)
            tally["episode related lists set"] += 1
    return episodes


def _comments_load(*, episodes: dict[int, Episode], staff: User | None, tally: Counter) -> None:
    """Reader comments, one level of replies, a staff answer and a small moderation queue."""
    by_key: dict[str, Comment] = {}
    for data in COMMENTS:
        episode = episodes[data["episode"]]
        parent = by_key.get(data["reply_to"]) if data.get("reply_to") else None
        is_staff = data.get("staff", False)
        values = {
            "name": data["name"],
            "parent_id": parent.pk if parent else None,
            "is_staff_reply": is_staff,
        }
        if is_staff and staff is not None:
            values["user_id"] = staff.pk
        comment = demo_row_sync(
            Comment,
            lookup={"episode": episode, "email": data["email"], "body": data["body"]},
            values=values,
            on_create={
                "status": data.get("status", Comment.Status.APPROVED),
                "created_at": episode.publish_at + dt.timedelta(hours=data["hours_after"]),
                "moderated_at": (
                    None
                    if data.get("status") == Comment.Status.PENDING
                    else episode.publish_at + dt.timedelta(hours=data["hours_after"] + 1)
                ),
            },
            tally=tally,
        )
        by_key[data["key"]] = comment
