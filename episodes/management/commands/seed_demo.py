"""`python manage.py seed_demo`: the demo site, loaded the same way however often it runs.

Everything is matched on a natural key (a topic's slug, an episode's number, a user's email,
a plan's Stripe price id, a comment's episode + email + text) and written only when it is
missing or differs, so a second run creates nothing and changes nothing. Fields people
are expected to change through the site (an episode's status and date, a comment's
moderation status, a password reset in the admin) are set on creation only.

The demo logins are created only with DEBUG on (as in `make run`) or with --demo-users,
so the command can never plant a known password on a production site by accident.
"""

import datetime as dt
import io
from collections import Counter

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from episodes import demo_content
from episodes.models import Comment, Episode, Topic
from episodes.release import next_release_at
from episodes.services import search_index_rebuild
from members.models import Membership, Plan, User
from programs.demo import program_load_demo, program_load_demo_member

DEMO_PASSWORD = "backinshape"

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


# --------------------------------------------------------------------------- writing rows


def _sync(model, *, lookup: dict, values: dict, on_create: dict | None = None, tally: Counter):
    """update_or_create that writes only what differs, so a second run is a true no-op."""
    label = model._meta.verbose_name_plural
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values, **(on_create or {}))
        obj.save()
        tally[f"{label} created"] += 1
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        field_names = {f.name for f in model._meta.concrete_fields}
        extra = ["updated_at"] if "updated_at" in field_names else []
        obj.save(update_fields=[*changed, *extra])
        tally[f"{label} updated"] += 1
    return obj


def seed_plans(*, tally: Counter) -> None:
    for plan in demo_content.PLANS:
        _sync(
            Plan,
            lookup={"stripe_price_id": plan["stripe_price_id"]},
            values={k: v for k, v in plan.items() if k != "stripe_price_id"},
            tally=tally,
        )


def seed_demo_user(*, email: str, display_name: str, staff: bool = False, tally: Counter) -> User:
    """A demo login with a verified primary address, so it can sign in straight away."""
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        create = User.objects.create_superuser if staff else User.objects.create_user
        user = create(email=email, password=DEMO_PASSWORD, display_name=display_name)
        tally["users created"] += 1
    else:
        changed = []
        if staff and not (user.is_staff and user.is_superuser):
            user.is_staff = user.is_superuser = True
            changed += ["is_staff", "is_superuser"]
        if not user.is_active:
            user.is_active = True
            changed.append("is_active")
        if not user.check_password(DEMO_PASSWORD):
            # The DESIGN contract promises this password for the demo logins.
            user.set_password(DEMO_PASSWORD)
            changed.append("password")
        if changed:
            user.save(update_fields=changed)
            tally["users updated"] += 1
    _sync(
        EmailAddress,
        lookup={"user": user, "email": user.email},
        values={"verified": True, "primary": True},
        tally=tally,
    )
    return user


def seed_demo_users(*, tally: Counter) -> dict[str, User]:
    users = {
        login["email"]: seed_demo_user(
            email=login["email"],
            display_name=login["display_name"],
            staff=login["role"] == "staff",
            tally=tally,
        )
        for login in demo_content.DEMO_LOGINS
    }
    member = users["member@example.com"]
    today = timezone.localdate()
    membership = Membership.objects.filter(user=member).first()
    if membership is None:
        Membership.objects.create(
            user=member,
            status=Membership.Status.ACTIVE,
            complimentary_until=today + dt.timedelta(days=365),
        )
        tally["memberships created"] += 1
    elif membership.complimentary_until is None or membership.complimentary_until < today:
        # The complimentary year has run out: renew it, so the demo member stays premium.
        membership.complimentary_until = today + dt.timedelta(days=365)
        membership.status = Membership.Status.ACTIVE
        membership.save(update_fields=["complimentary_until", "status", "updated_at"])
        tally["memberships updated"] += 1
    return users


def seed_topics(*, tally: Counter) -> dict[str, Topic]:
    return {
        topic["slug"]: _sync(
            Topic,
            lookup={"slug": topic["slug"]},
            values={"name": topic["name"], "description": topic["description"]},
            tally=tally,
        )
        for topic in demo_content.TOPICS
    }


def _release_moment(weeks_from_next: int) -> dt.datetime:
    """A Sunday release moment, counted in weeks from the next one, on the local calendar."""
    tz = timezone.get_default_timezone()
    next_day = timezone.localtime(next_release_at(), tz).date()
    day = next_day + dt.timedelta(weeks=weeks_from_next)
    return dt.datetime.combine(day, settings.RELEASE_TIME, tzinfo=tz)


def seed_episodes(*, topics: dict[str, Topic], tally: Counter) -> dict[int, Episode]:
    episodes: dict[int, Episode] = {}
    for data in demo_content.EPISODES:
        number = data["number"]
        video_id = data.get("youtube_id")
        episode = _sync(
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

    for data in demo_content.EPISODES:
        episode = episodes[data["number"]]
        wanted = {episodes[n].pk for n in data.get("related", [])}
        if set(episode.related.values_list("pk", flat=True)) != wanted:
            episode.related.set(wanted)
            tally["episode related lists set"] += 1
    return episodes


def seed_comments(*, episodes: dict[int, Episode], staff_user: User | None, tally: Counter) -> None:
    """Reader comments, one level of replies, a staff answer and a small moderation queue."""
    by_key: dict[str, Comment] = {}
    for data in demo_content.COMMENTS:
        episode = episodes[data["episode"]]
        parent = by_key.get(data["reply_to"]) if data.get("reply_to") else None
        is_staff = data.get("staff", False)
        values = {
            "name": data["name"],
            "parent_id": parent.pk if parent else None,
            "is_staff_reply": is_staff,
        }
        if is_staff and staff_user is not None:
            values["user_id"] = staff_user.pk
        comment = _sync(
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


# --------------------------------------------------------------------------- the command


class Command(BaseCommand):
    help = (
        "Load the demo content: topics, episodes with articles and covers, comments, plans "
        "and (with DEBUG on or --demo-users) the demo logins. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--demo-users",
            action="store_true",
            help="Create the demo logins even with DEBUG off (never do this in production).",
        )

    def handle(self, *args, demo_users: bool = False, **options):
        tally: Counter = Counter()
        with_users = demo_users or settings.DEBUG
        with transaction.atomic():
            seed_plans(tally=tally)
            users = seed_demo_users(tally=tally) if with_users else {}
            staff_user = users.get("staff@example.com") or (
                User.objects.filter(email__iexact="staff@example.com", is_staff=True).first()
            )
            topics = seed_topics(tally=tally)
            episodes = seed_episodes(topics=topics, tally=tally)
            seed_comments(episodes=episodes, staff_user=staff_user, tally=tally)
            search_index_rebuild()  # titles, topics and text, searchable at once
            phases, routines = program_load_demo()
            if "member@example.com" in users and (
                logged := program_load_demo_member(user=users["member@example.com"])
            ):
                tally["demo program sessions logged"] += logged
        self._summary(tally=tally, episodes=episodes)
        self.stdout.write(f"Back In Shape Program: {phases} phases, {routines} routines.")
        if with_users:
            self.stdout.write("Demo logins (password: backinshape):")
            for login in demo_content.DEMO_LOGINS:
                self.stdout.write(f"  {login['email']:<22} {login['role_text']}")
        else:
            self.stdout.write(
                "Demo logins not created (DEBUG is off). Add --demo-users to create them."
            )
        self.stdout.write("Open http://127.0.0.1:8000")

    def _summary(self, *, tally: Counter, episodes: dict[int, Episode]):
        write = self.stdout.write
        published = sum(e.status == Episode.Status.PUBLISHED for e in episodes.values())
        write(
            self.style.SUCCESS(
                f"Demo content ready: {len(episodes)} episodes ({published} published), "
                f"{Topic.objects.count()} topics, "
                f"{Comment.objects.filter(episode__in=episodes.values()).count()} comments, "
                f"{Plan.objects.count()} plans."
            )
        )
        changes = ", ".join(f"{count} {what}" for what, count in sorted(tally.items()))
        write(f"This run: {changes or 'nothing to change'}.")
