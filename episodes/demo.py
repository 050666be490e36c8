"""The demo site's topics, episodes and comments, for `seed_demo`, and its Sunday emails.

The eight articles are Markdown files in `demo_articles/`, one per episode: see
`demo_articles()`. They are written for the demo and are education, not medical advice;
each says when to see a clinician, as every real one must. Each episode's audio,
transcript and chapters are made from its article (`demo_sound.py`).
"""

import datetime as dt
import io
import re
import tomllib
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from common.demo import demo_row_sync
from members.demo import SUNDAY_EMAIL_SUBSCRIBERS
from members.models import User
from programs.models import Routine

from .demo_sound import (
    SoundSketch,
    sound_sketch_chapters,
    sound_sketch_mp3,
    sound_sketch_plan,
    sound_sketch_vtt,
)
from .models import Comment, Episode, ReleaseDelivery, ReleaseMailing, Topic
from .podcast import audio_duration_seconds
from .rendering import render_article, validate_members_only_divider
from .schedule import next_release_at
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
    topics (slugs), related (numbers), routines ("phase-slug/routine-slug", the Program's
    routines that put it into practice), youtube_id (optional), status and
    weeks_from_next_release. The file is named `NN-slug.md` after the header. The audio,
    transcript and chapters are made from the article (see `demo_sound.py`).
    """
    match = _FRONT_MATTER.match(path.read_text(encoding="utf-8"))
    if match is None:
        raise ValueError(f"{path.name}: the file must start with a +++ TOML header")
    episode = tomllib.loads(match["header"])
    expected = f"{episode['number']:02d}-{episode['slug']}.md"
    if path.name != expected:
        raise ValueError(f"{path.name}: its header says it should be named {expected}")
    try:  # the check staff's edits get: a mistyped divider would publish what follows it
        validate_members_only_divider(match["body"])
    except ValidationError as error:
        raise ValueError(f"{path.name}, below the header: {error.messages[0]}") from None
    return {**episode, "body": match["body"]}


def demo_articles() -> list[dict]:
    """The demo episodes from `demo_articles/*.md`, in number order."""
    return [demo_article_read(path) for path in sorted(ARTICLES_DIR.glob("*.md"))]


# --------------------------------------------------------------------------- comments
#
# "key" names a comment so a reply can point at it ("reply_to"); replies are one level
# deep. "staff": written by the staff demo login; "login": by that demo login, if it
# exists. "hours_after": after the release, or a few minutes ago if that is still to come.

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
    {
        "key": "discs-pending-nadia",
        "episode": 5,
        "name": "Nadia F",
        "email": "nadia.f@example.org",
        "body": (
            "My scan report says 'broad-based disc protrusion at L4/5'. Is a protrusion the "
            "same sort of thing as the herniations you describe? My GP appointment is not "
            "for another fortnight and I keep rereading the letter."
        ),
        "hours_after": 60,
        "status": "pending",
    },
    {
        "key": "sciatica-pending-colin",
        "episode": 3,
        "name": "Colin D",
        "email": "colin.d@example.net",
        "body": (
            "Short walks really do help my leg, but more than twenty minutes in the car "
            "sets it off again. Any tips for a three-hour drive to see my daughter?"
        ),
        "hours_after": 75,
        "status": "pending",
    },
    {
        "key": "strength-pending-fred",
        "episode": 6,
        "login": "free@example.com",
        "name": "Fred",
        "email": "free@example.com",
        "body": (
            "Would resistance bands do instead of weights for the starter menu? There is no "
            "room for dumbbells in my flat, but a band fits in a drawer."
        ),
        "hours_after": 50,
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


def episodes_load_demo(
    *, staff: User | None, with_mailings: bool = False, tally: Counter
) -> dict[int, Episode]:
    """Load the topics, the episodes with their covers and sound, and the comments.

    Rows are matched on a natural key (a topic's slug, an episode's number, a comment's
    episode + email + text) and written only when missing or different. An episode's
    status and date and a comment's moderation are set on creation only, as staff change
    them. `staff` is who wrote the staff answers. Each episode is linked to the Program's
    routines its article names, so the Program must be loaded first.

    `with_mailings` adds the Sunday emails of the last two releases, one of them half sent
    (see `_mailings_load`): only with the demo logins, since a worker would send the rest.
    Returns the episodes by number.
    """
    topics = _topics_load(tally=tally)
    episodes = _episodes_load(topics=topics, tally=tally)
    _comments_load(episodes=episodes, staff=staff, tally=tally)
    if with_mailings:
        _mailings_load(episodes=episodes, tally=tally)
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
        current = Episode.objects.filter(number=number).first()
        episode = demo_row_sync(
            Episode,
            lookup={"number": number},
            values={
                "slug": data["slug"],
                "title": data["title"],
                "standfirst": data["standfirst"],
                "body": data["body"].strip() + "\n",
                "video_url": f"https://www.youtube.com/watch?v={video_id}" if video_id else "",
                "cover_alt": (
                    f"Cover art for episode {number}, \u201c{data['title']}\u201d, in white "
                    "lettering on a deep teal background with a soft amber circle."
                )[:200],
                **_episode_sound(data=data, current=current, tally=tally),
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

    routines = {
        f"{routine.phase.slug}/{routine.slug}": routine.pk
        for routine in Routine.objects.select_related("phase")
    }
    for data in articles:
        episode = episodes[data["number"]]
        wanted = {episodes[n].pk for n in data.get("related", [])}
        if set(episode.related.values_list("pk", flat=True)) != wanted:
            episode.related.set(wanted)
            tally["episode related lists set"] += 1
        missing = [path for path in data.get("routines", []) if path not in routines]
        if missing:
            raise ValueError(f"Episode {data['number']}: no routine {', '.join(missing)}")
        wanted = {routines[path] for path in data.get("routines", [])}
        if set(episode.routines.values_list("pk", flat=True)) != wanted:
            episode.routines.set(wanted)
            tally["episode routine lists set"] += 1
    return episodes


# --------------------------------------------------------------------------- sound
#
# Each demo episode's audio, transcript and chapters are files named after what they
# were made from (SoundSketch.fingerprint): a file already in storage under its name is
# the same file, so a second run makes nothing, and a changed article makes new ones.

DEMO_AUDIO_DIR = "audio/demo"
DEMO_TRANSCRIPTS_DIR = "transcripts/demo"
DEMO_CHAPTERS_DIR = "chapters/demo"


def _episode_sound(*, data: dict, current: Episode | None, tally: Counter) -> dict:
    """The episode's audio, transcript and chapters as field values, made if missing.

    Only a field that is empty or holds an earlier demo file is filled: a file staff
    uploaded to a demo episode stays, and then so do the transcript and chapters (they
    would not match staff's audio)."""
    if current and current.audio_file and not _is_demo_file(current.audio_file, DEMO_AUDIO_DIR):
        return {}
    number = data["number"]
    sections = [
        (entry.id, entry.title)
        for entry in render_article(data["body"]).public.toc
        if entry.level == 2
    ]
    sketch = sound_sketch_plan(number=number, title=data["title"], sections=sections)
    storage = Episode._meta.get_field("audio_file").storage
    stem = f"episode-{number:03d}-{sketch.fingerprint()}"

    audio = _demo_file_store(
        storage,
        f"{DEMO_AUDIO_DIR}/{stem}.mp3",
        make=lambda: sound_sketch_mp3(sketch),
        what="episode audio files",
        tally=tally,
    )
    with storage.open(audio, "rb") as file:
        duration = audio_duration_seconds(file)
    values = {
        "audio_file": audio,
        "audio_url": "",
        "audio_size": storage.size(audio),
        "audio_duration": duration,
        "audio_type": "audio/mpeg",
    }
    if not (current and current.transcript_file) or _is_demo_file(
        current.transcript_file, DEMO_TRANSCRIPTS_DIR
    ):
        values["transcript_file"] = _demo_file_store(
            storage,
            f"{DEMO_TRANSCRIPTS_DIR}/{stem}.vtt",
            make=lambda: sound_sketch_vtt(sketch).encode(),
            what="transcripts",
            tally=tally,
        )
    if not (current and current.chapters_file) or _is_demo_file(
        current.chapters_file, DEMO_CHAPTERS_DIR
    ):
        values["chapters_file"] = _demo_chapters_store(
            storage, sketch=sketch, slug=data["slug"], tally=tally
        )
    return values


def _demo_chapters_store(
    storage: Storage, *, sketch: SoundSketch, slug: str, tally: Counter
) -> str:
    """The chapters link to the article's sections, so their name follows the site's URL."""
    article_url = settings.SITE_URL + reverse("episodes:detail", args=[slug])
    stem = f"episode-{sketch.number:03d}-{sketch.fingerprint(article_url)}"
    return _demo_file_store(
        storage,
        f"{DEMO_CHAPTERS_DIR}/{stem}.json",
        make=lambda: sound_sketch_chapters(sketch, article_url=article_url).encode(),
        what="chapter files",
        tally=tally,
    )


def _is_demo_file(file, directory: str) -> bool:
    return file.name.startswith(f"{directory}/")


def _demo_file_store(
    storage: Storage, name: str, *, make: Callable[[], bytes], what: str, tally: Counter
) -> str:
    """The stored file's name: `name`, made and saved only if storage lacks it."""
    if storage.exists(name):
        return name
    tally[f"demo {what} made"] += 1
    return storage.save(name, ContentFile(make()))


def _comments_load(*, episodes: dict[int, Episode], staff: User | None, tally: Counter) -> None:
    """Reader comments, one level of replies, a staff answer and a small moderation queue."""
    by_key: dict[str, Comment] = {}
    now = timezone.now()
    logins = {
        user.email.lower(): user
        for user in User.objects.filter(
            email__in=[data["login"] for data in COMMENTS if data.get("login")]
        )
    }
    for index, data in enumerate(COMMENTS):
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
        elif (login := logins.get(data.get("login", ""))) is not None:
            values["user_id"] = login.pk
        # Seeded just after a release, the later comments' moments are still to come: they
        # are put a few minutes back instead, in the list's order, which is never the future.
        written = min(
            episode.publish_at + dt.timedelta(hours=data["hours_after"]),
            now - dt.timedelta(minutes=3 * (len(COMMENTS) - index)),
        )
        comment = demo_row_sync(
            Comment,
            lookup={"episode": episode, "email": data["email"], "body": data["body"]},
            values=values,
            on_create={
                "status": data.get("status", Comment.Status.APPROVED),
                "created_at": written,
                "moderated_at": (
                    None
                    if data.get("status") == Comment.Status.PENDING
                    else min(written + dt.timedelta(hours=1), now)
                ),
            },
            tally=tally,
        )
        by_key[data["key"]] = comment


# --------------------------------------------------------------------------- Sunday emails
#
# The Sunday emails of the last two releases, by episode number. The earlier one went to
# every subscriber; last Sunday's stopped part of the way, as when a worker dies, with one
# address refused by the mail server. The desk and the mailing admin show its progress,
# and a worker's resume sweep (or staff's Resume) sends the rest: to demo addresses only.

DEMO_MAILINGS = {6: "sent", 7: "half sent"}
DEMO_MAILING_SENT_BEFORE_STOPPING = 8
DEMO_MAILING_REFUSED = {"moira.t@example.com": (550, "5.1.1 No such mailbox")}


def _mailings_load(*, episodes: dict[int, Episode], tally: Counter) -> None:
    """Each demo mailing, made once: it is never reset, as that would send it again."""
    for number, progress in DEMO_MAILINGS.items():
        episode = episodes[number]
        if not episode.is_live or ReleaseMailing.objects.filter(episode=episode).exists():
            continue
        released = episode.publish_at
        mailing = ReleaseMailing.objects.create(episode=episode)
        deliveries = []
        for index, email in enumerate(SUNDAY_EMAIL_SUBSCRIBERS):
            delivery = ReleaseDelivery(mailing=mailing, email=email)
            if email in DEMO_MAILING_REFUSED:
                code, text = DEMO_MAILING_REFUSED[email]
                delivery.status = ReleaseDelivery.Status.FAILED
                delivery.smtp_code, delivery.error, delivery.attempts = code, f"{code} {text}", 1
            elif progress == "sent" or index < DEMO_MAILING_SENT_BEFORE_STOPPING:
                delivery.status = ReleaseDelivery.Status.SENT
                delivery.sent_at = released + dt.timedelta(seconds=5 * (index + 1))
                delivery.attempts = 1
            deliveries.append(delivery)
        ReleaseDelivery.objects.bulk_create(deliveries)
        last_sent = released + dt.timedelta(seconds=5 * len(deliveries))
        # created_at is stamped "now" on creation (auto_now_add); it began at the release.
        ReleaseMailing.objects.filter(pk=mailing.pk).update(
            created_at=released,
            active_at=last_sent,
            completed_at=last_sent if progress == "sent" else None,
        )
        tally["Sunday emails created"] += 1
