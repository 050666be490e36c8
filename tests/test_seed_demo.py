"""`manage.py seed_demo`: the demo site a newcomer sees after `make run`."""

import datetime as dt
import importlib.util
import itertools
import json
import re
import sys
import xml.etree.ElementTree as ET
from io import StringIO
from pathlib import Path

import mutagen
import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from mutagen.mp3 import MP3
from PIL import Image

import backinshape.urls
from episodes.demo import demo_article_read, demo_articles
from episodes.models import Comment, Episode, ReleaseDelivery, ReleaseMailing, Topic
from episodes.rendering import split_members_only
from episodes.schedule import next_release_at
from episodes.tasks import release_mailings_resume
from members.models import Membership, Plan, Subscriber, User
from members.selectors import member_has_premium
from programs.models import Exercise, Routine

pytestmark = pytest.mark.django_db

DEMO_EMAILS = ["staff@example.com", "member@example.com", "free@example.com"]
SITE = "https://backinshape.example"
NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
}


@pytest.fixture(scope="module")
def demo_media(tmp_path_factory) -> Path:
    """One media folder for the module: the demo's audio and drawings are named after what
    they are made from, so each test's seed finds them there rather than making them again,
    as a second `make run` on a fresh database does."""
    return tmp_path_factory.mktemp("demo-media")


@pytest.fixture(autouse=True)
def _quick_and_contained(settings, demo_media):
    settings.MEDIA_ROOT = demo_media  # files are made here, not in the project
    settings.SITE_URL = SITE
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def fresh_media(settings, tmp_path) -> Path:
    """An empty media folder, for tests about which files a seed makes."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def debug_urls(settings):
    """The site's URLs as `make run` loads them, with /media/ served (tests run with DEBUG
    off, where nginx or object storage serves media instead)."""
    settings.DEBUG = True
    spec = importlib.util.spec_from_file_location(
        "backinshape._seed_urls", backinshape.urls.__file__
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.modules["backinshape._seed_urls"] = module
    settings.ROOT_URLCONF = "backinshape._seed_urls"
    yield
    del sys.modules["backinshape._seed_urls"]


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    return {
        "topics": Topic.objects.count(),
        "episodes": list(Episode.objects.order_by("number").values_list("number", "updated_at")),
        "episode files": list(
            Episode.objects.order_by("number").values_list(
                "audio_file", "transcript_file", "chapters_file", "cover_image"
            )
        ),
        "comments": Comment.objects.count(),
        "users": User.objects.count(),
        "email addresses": EmailAddress.objects.count(),
        "memberships": Membership.objects.count(),
        "plans": Plan.objects.count(),
        "related": Episode.related.through.objects.count(),
        "episode topics": Episode.topics.through.objects.count(),
        "episode routines": sorted(
            Routine.episodes.through.objects.values_list("routine_id", "episode_id")
        ),
        "exercise drawings": list(
            Exercise.objects.order_by("slug").values_list("image", "image_alt")
        ),
        "subscribers": Subscriber.objects.count(),
        "mailings": ReleaseMailing.objects.count(),
        "deliveries": list(
            ReleaseDelivery.objects.order_by("pk").values_list("email", "status", "sent_at")
        ),
    }


def media_files(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def media_path(url: str) -> Path:
    """The file behind a media URL, absolute (as in the feed) or not (as on a page)."""
    path = url.removeprefix(SITE).removeprefix(settings.MEDIA_URL)
    return Path(settings.MEDIA_ROOT) / path


def feed_items(client) -> dict[str, ET.Element]:
    """The public podcast feed's items, by title."""
    response = client.get("/feeds/podcast.xml")
    assert response.status_code == 200
    channel = ET.fromstring(response.content).find("channel")
    return {item.findtext("title"): item for item in channel.findall("item")}


def test_seed_demo_twice_changes_nothing_the_second_time():
    seed("--demo-users")
    first = snapshot()

    output = seed("--demo-users")

    assert snapshot() == first
    assert "nothing to change" in output


def test_seed_demo_twice_makes_no_new_files_the_second_time(fresh_media):
    first_output = seed("--demo-users")
    files = media_files(fresh_media)

    seed("--demo-users")

    assert media_files(fresh_media) == files
    assert "8 demo episode audio files made" in first_output
    assert "17 exercise drawings made" in first_output


def test_seed_demo_on_a_fresh_database_reuses_the_sound_already_made(fresh_media):
    seed("--demo-users")
    sounds = media_files(fresh_media / "audio")
    assert len(sounds) == Episode.objects.count()
    Episode.objects.all().delete()

    output = seed("--demo-users")

    assert media_files(fresh_media / "audio") == sounds
    assert "audio files made" not in output


def test_seed_demo_publishes_at_least_six_written_articles():
    seed("--demo-users")

    published = list(Episode.objects.published())
    assert len(published) >= 6
    for episode in published:
        assert len(episode.body.split()) >= 500, episode.slug
        assert episode.body.count("\n## ") >= 3, episode.slug
        assert episode.topics.exists(), episode.slug


def test_seed_demo_gives_at_least_four_published_episodes_a_members_only_part():
    seed("--demo-users")

    members_only_parts = [
        split_members_only(episode.body)[1] for episode in Episode.objects.published()
    ]
    substantial = [part for part in members_only_parts if part and len(part.split()) >= 200]
    assert len(substantial) >= 4


def test_seed_demo_members_only_parts_stay_hidden_from_visitors(client):
    seed("--demo-users")

    for episode in Episode.objects.published().with_members_only_part():
        members_only = split_members_only(episode.body)[1]
        first_words = " ".join(members_only.split("\n\n")[1].split()[:8])  # after its heading
        page = client.get(episode.get_absolute_url()).text
        assert first_words not in page, episode.slug
        assert "Join premium" in page, episode.slug


def test_seed_demo_schedules_next_sundays_episode_for_staff_to_preview():
    seed("--demo-users")

    scheduled = Episode.objects.get(status=Episode.Status.SCHEDULED)
    assert scheduled.publish_at == next_release_at()
    assert not Episode.objects.published().filter(pk=scheduled.pk).exists()


def test_seed_demo_episodes_have_a_described_cover():
    seed("--demo-users")

    for episode in Episode.objects.all():
        assert episode.cover_alt
        with Image.open(episode.cover_image.path) as cover:
            assert cover.size == (1280, 720)
    assert Episode.objects.exclude(video_url="").exists()


def test_seed_demo_audio_is_an_mp3_kept_here_and_never_a_link_elsewhere():
    seed("--demo-users")

    for episode in Episode.objects.all():
        assert episode.audio_url == "", episode.slug
        audio = MP3(episode.audio_file.path)
        assert 20 <= audio.info.length <= 60, episode.slug
        assert audio.info.sample_rate >= 16_000
        assert audio.tags["TIT2"].text == [episode.title]
        # a frame header every 144 * bitrate / sample rate bytes (MPEG-2 layer III: 72)
        assert audio.info.length == pytest.approx(
            (episode.audio_file.size - audio.tags.size) * 8 / audio.info.bitrate, rel=0.01
        )


def test_seed_demo_audio_length_and_size_are_what_the_feed_says(client):
    seed("--demo-users")
    items = feed_items(client)

    published = list(Episode.objects.published())
    assert len(items) == len(published)
    for episode in published:
        item = items[episode.title]
        enclosure = item.find("enclosure")
        path = media_path(enclosure.get("url"))
        assert int(enclosure.get("length")) == path.stat().st_size, episode.slug
        assert enclosure.get("type") == "audio/mpeg"
        length = mutagen.File(path).info.length
        assert item.findtext("itunes:duration", namespaces=NS) == str(round(length))


def test_seed_demo_audio_answers_a_byte_range_request(client, debug_urls):
    seed("--demo-users")
    episode = Episode.objects.published().first()
    page = client.get(episode.get_absolute_url()).text
    src = re.search(r'<audio controls preload="metadata" src="([^"]+)"', page)[1]

    response = client.get(src, HTTP_RANGE="bytes=0-1023")

    assert response.status_code == 206
    size = episode.audio_file.size
    assert response["Content-Range"] == f"bytes 0-1023/{size}"
    assert b"".join(response.streaming_content) == media_path(src).read_bytes()[:1024]


VTT_TIMING = re.compile(r"^(\d{2}):(\d{2}):(\d{2})\.(\d{3}) --> (\d{2}):(\d{2}):(\d{2})\.(\d{3})$")


def vtt_cues(text: str) -> list[tuple[float, float, str]]:
    """(start, end, text) of each cue, by the W3C WebVTT file structure: the signature,
    then blocks apart by blank lines; a cue has an optional identifier, its timing line
    and its text; NOTE blocks are comments."""
    blocks = text.split("\n\n")
    assert blocks[0].startswith("WEBVTT")
    cues = []
    for block in blocks[1:]:
        lines = [line for line in block.split("\n") if line]
        if not lines or lines[0].startswith("NOTE"):
            continue
        timing = next(i for i, line in enumerate(lines) if "-->" in line)
        assert timing <= 1, block  # only an identifier may come before the timing
        parts = [int(n) for n in VTT_TIMING.match(lines[timing]).groups()]
        start = parts[0] * 3600 + parts[1] * 60 + parts[2] + parts[3] / 1000
        end = parts[4] * 3600 + parts[5] * 60 + parts[6] + parts[7] / 1000
        cues.append((start, end, " ".join(lines[timing + 1 :])))
    return cues


def test_seed_demo_transcripts_are_webvtt_cues_within_the_audio(client):
    seed("--demo-users")
    items = feed_items(client)

    for episode in Episode.objects.published():
        transcript = items[episode.title].find("podcast:transcript", NS)
        assert transcript.get("type") == "text/vtt"
        cues = vtt_cues(media_path(transcript.get("url")).read_text(encoding="utf-8"))
        length = mutagen.File(episode.audio_file.path).info.length
        assert cues[0][0] == 0
        assert cues[-1][1] <= length, episode.slug
        assert all(start < end for start, end, _ in cues)
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(cues))
        assert all(text for _, _, text in cues)
        assert episode.title in cues[0][2]


def test_seed_demo_chapters_start_within_the_audio_and_link_to_the_article(client):
    seed("--demo-users")
    items = feed_items(client)

    for episode in Episode.objects.published():
        element = items[episode.title].find("podcast:chapters", NS)
        assert element.get("type") == "application/json+chapters"
        chapters = json.loads(media_path(element.get("url")).read_text(encoding="utf-8"))
        length = mutagen.File(episode.audio_file.path).info.length
        starts = [chapter["startTime"] for chapter in chapters["chapters"]]
        assert chapters["version"] == "1.2.0"
        assert starts[0] == 0
        assert starts == sorted(starts)
        assert all(0 <= start < length for start in starts), episode.slug
        assert len(starts) >= 4
        page = client.get(episode.get_absolute_url()).text
        for chapter in chapters["chapters"]:
            assert chapter["title"]
            if "url" in chapter:
                url, anchor = chapter["url"].split("#")
                assert url == SITE + episode.get_absolute_url()
                assert f'id="{anchor}"' in page, chapter


def test_seed_demo_keeps_audio_staff_uploaded():
    seed("--demo-users")
    Episode.objects.filter(number=1).update(
        audio_file="audio/2026/recorded-by-staff.mp3", audio_duration=2460, audio_size=39_000_000
    )

    seed("--demo-users")

    episode = Episode.objects.get(number=1)
    assert episode.audio_file.name == "audio/2026/recorded-by-staff.mp3"
    assert (episode.audio_duration, episode.audio_size) == (2460, 39_000_000)


def test_seed_demo_keeps_a_cover_staff_already_uploaded():
    seed("--demo-users")
    episode = Episode.objects.get(number=1)
    episode.cover_image.name = "covers/chosen-by-staff.png"
    episode.save()

    seed("--demo-users")

    episode.refresh_from_db()
    assert episode.cover_image.name == "covers/chosen-by-staff.png"


def test_seed_demo_leaves_a_status_staff_changed_alone():
    seed("--demo-users")
    Episode.objects.filter(number=1).update(status=Episode.Status.DRAFT)

    seed("--demo-users")

    assert Episode.objects.get(number=1).status == Episode.Status.DRAFT


def test_seed_demo_loads_topics_with_descriptions_and_related_episodes():
    seed("--demo-users")

    assert 5 <= Topic.objects.count() <= 7
    assert not Topic.objects.filter(description="").exists()
    assert Episode.related.through.objects.exists()


def test_seed_demo_loads_approved_comments_replies_a_staff_reply_and_a_moderation_queue():
    seed("--demo-users")
    staff = User.objects.get(email="staff@example.com")

    replies = Comment.objects.filter(parent__isnull=False)
    assert replies.filter(status=Comment.Status.APPROVED).count() >= 3
    assert not replies.filter(parent__parent__isnull=False).exists()  # one level deep
    assert Comment.objects.filter(is_staff_reply=True, user=staff).exists()
    assert Comment.objects.filter(status=Comment.Status.PENDING).exists()
    assert len(set(Comment.objects.approved().values_list("email", flat=True))) >= 5


def test_seed_demo_just_after_a_release_dates_no_comment_in_the_future():
    sunday_morning = dt.datetime.combine(
        timezone.localtime(next_release_at()).date(),
        settings.RELEASE_TIME,
        tzinfo=timezone.get_default_timezone(),
    ) + dt.timedelta(minutes=30)

    with time_machine.travel(sunday_morning, tick=False):
        seed("--demo-users")

    last_release = Episode.objects.published(now=sunday_morning).order_by("-publish_at").first()
    assert last_release.publish_at == sunday_morning - dt.timedelta(minutes=30)
    assert Comment.objects.filter(episode=last_release).exists()
    assert not Comment.objects.filter(created_at__gt=sunday_morning).exists()
    assert not Comment.objects.filter(moderated_at__gt=sunday_morning).exists()


def test_seed_demo_leaves_comments_from_guests_and_a_member_waiting_on_the_desk(client):
    seed("--demo-users")
    pending = Comment.objects.filter(status=Comment.Status.PENDING)

    assert pending.count() >= 4
    assert pending.filter(user__isnull=True).count() >= 3  # guests
    assert pending.filter(user__email="free@example.com").exists()
    assert not pending.filter(created_at__gt=timezone.now()).exists()
    client.force_login(User.objects.get(email="staff@example.com"))
    desk = client.get("/admin/").text
    assert f'data-desk="pending-count">{pending.count()}<' in desk


def test_seed_demo_creates_the_demo_logins_with_verified_emails():
    output = seed("--demo-users")

    for email in DEMO_EMAILS:
        user = User.objects.get(email=email)
        assert user.check_password("backinshape")
        assert EmailAddress.objects.filter(
            user=user, email=email, verified=True, primary=True
        ).exists()
        assert email in output
    staff = User.objects.get(email="staff@example.com")
    assert staff.is_staff
    assert staff.is_superuser
    assert f"Open {SITE}/" in output  # the site address, as SITE_URL gives it


def test_seed_demo_member_is_premium_and_free_is_not():
    seed("--demo-users")

    member = User.objects.get(email="member@example.com")
    free = User.objects.get(email="free@example.com")
    assert member_has_premium(member)
    assert member.membership.status == Membership.Status.ACTIVE
    assert member.membership.stripe_customer_id is None
    assert not member_has_premium(free)
    assert not free.is_staff


def test_seed_demo_creates_the_two_plans():
    seed()

    monthly = Plan.objects.get(stripe_price_id="price_demo_monthly")
    yearly = Plan.objects.get(stripe_price_id="price_demo_yearly")
    assert (monthly.amount, monthly.currency, monthly.interval, monthly.position) == (
        900,
        "gbp",
        "month",
        0,
    )
    assert (yearly.amount, yearly.currency, yearly.interval, yearly.position) == (
        9000,
        "gbp",
        "year",
        1,
    )


def test_seed_demo_without_debug_or_flag_creates_no_demo_logins(settings):
    settings.DEBUG = False

    output = seed()

    assert not User.objects.filter(email__in=DEMO_EMAILS).exists()
    assert "--demo-users" in output
    assert Episode.objects.published().count() >= 6  # the content still loads


def test_seed_demo_with_debug_on_creates_the_demo_logins(settings):
    settings.DEBUG = True

    seed()

    assert User.objects.filter(email__in=DEMO_EMAILS).count() == 3


def test_the_demo_articles_are_read_from_their_files_in_number_order():
    articles = demo_articles()

    assert [article["number"] for article in articles] == list(range(1, 9))
    for article in articles:
        assert article["title"], article["slug"]
        assert article["standfirst"], article["slug"]
        assert article["topics"], article["slug"]
        assert article["body"].lstrip().startswith("## "), article["slug"]
        assert "+++" not in article["body"], article["slug"]


def test_a_demo_article_without_its_header_is_refused(tmp_path):
    path = tmp_path / "09-no-header.md"
    path.write_text("## Just an article\n\nNo header above it.\n")

    with pytest.raises(ValueError, match=r"must start with a \+\+\+ TOML header"):
        demo_article_read(path)


def test_a_demo_article_with_a_mistyped_members_only_divider_is_refused(tmp_path):
    path = tmp_path / "09-typo.md"
    path.write_text('+++\nnumber = 9\nslug = "typo"\n+++\n\n## Public\n\n<!-- member-only -->\n')

    with pytest.raises(
        ValueError, match=r"09-typo\.md, below the header: Line 4 looks like a members-only"
    ):
        demo_article_read(path)


def test_a_demo_article_named_unlike_its_header_is_refused(tmp_path):
    path = tmp_path / "09-old-slug.md"
    path.write_text('+++\nnumber = 9\nslug = "new-slug"\n+++\n\n## Body\n')

    with pytest.raises(ValueError, match=r"should be named 09-new-slug\.md"):
        demo_article_read(path)


# --------------------------------------------------------------------------- the Program


def test_seed_demo_links_every_phase_one_routine_to_a_published_episode():
    seed("--demo-users")

    for routine in Routine.objects.filter(phase__number=1):
        assert routine.episodes.published().exists(), routine.slug


def test_seed_demo_routine_pages_say_why_and_episode_pages_put_it_into_practice(client):
    seed("--demo-users")

    for routine in Routine.objects.filter(phase__number=1).select_related("phase"):
        routine_page = client.get(routine.get_absolute_url()).text
        assert "Why this helps" in routine_page, routine.slug
        for episode in routine.episodes.published():
            assert f'href="{episode.get_absolute_url()}"' in routine_page, routine.slug
            episode_page = client.get(episode.get_absolute_url()).text
            assert "Put it into practice" in episode_page, episode.slug
            assert f'href="{routine.get_absolute_url()}"' in episode_page, episode.slug


def test_seed_demo_exercise_pages_show_each_exercise_drawing_described(client):
    seed("--demo-users")
    client.force_login(User.objects.get(email="member@example.com"))

    for exercise in Exercise.objects.all():
        page = client.get(exercise.get_absolute_url()).text
        img = re.search(r'<figure class="exercise-image"><img src="([^"]+)" alt="([^"]+)">', page)
        assert img, exercise.slug
        assert img[1] == exercise.image.url
        assert len(img[2]) >= 60, exercise.slug  # a description, not a label
        with Image.open(media_path(img[1])) as drawing:
            assert (drawing.format, drawing.size) == ("PNG", (1200, 800))


# --------------------------------------------------------------------------- the Sunday email


def test_seed_demo_leaves_last_sundays_email_half_sent_to_demo_addresses():
    seed("--demo-users")

    mailing = ReleaseMailing.objects.with_progress().get(completed_at__isnull=True)
    assert mailing.episode == Episode.objects.published().order_by("-publish_at").first()
    assert mailing.sent_count >= 1
    assert mailing.pending_count >= 1
    assert mailing.failed_count >= 1
    addresses = ReleaseDelivery.objects.values_list("email", flat=True)
    assert all(address.endswith("@example.com") for address in addresses)


def test_seed_demo_desk_shows_the_sunday_emails_progress(client):
    seed("--demo-users")
    mailing = ReleaseMailing.objects.with_progress().get(completed_at__isnull=True)
    client.force_login(User.objects.get(email="staff@example.com"))

    desk = client.get("/admin/").text

    assert "Last Sunday email" in desk
    assert mailing.episode.title in desk
    listing = client.get("/admin/episodes/releasemailing/").text
    assert f"{mailing.sent_count} of {mailing.total_count} sent" in listing


def test_the_resume_sweep_finishes_the_half_sent_email_with_the_waiting_addresses_only(
    smtp_sink, django_capture_on_commit_callbacks
):
    seed("--demo-users")
    mailing = ReleaseMailing.objects.get(completed_at__isnull=True)
    waiting = set(mailing.deliveries.filter(status="pending").values_list("email", flat=True))

    with django_capture_on_commit_callbacks(execute=True):
        release_mailings_resume.delay().get()

    assert set(smtp_sink.recipients) == waiting
    mailing.refresh_from_db()
    assert mailing.completed_at is not None


def test_seed_demo_without_demo_logins_sends_nobody_anything(settings):
    settings.DEBUG = False

    seed()

    assert not ReleaseMailing.objects.exists()
    assert not Subscriber.objects.exists()
