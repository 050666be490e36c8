"""`manage.py seed_demo`: the demo site a newcomer sees after `make run`."""

from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from PIL import Image

from episodes.demo import demo_article_read, demo_articles
from episodes.models import Comment, Episode, Topic
from episodes.release import next_release_at
from episodes.rendering import split_members_only
from members.models import Membership, Plan, User
from members.selectors import member_has_premium

pytestmark = pytest.mark.django_db

DEMO_EMAILS = ["staff@example.com", "member@example.com", "free@example.com"]


@pytest.fixture(autouse=True)
def _quick_and_contained(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # covers are drawn here, not in the project
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    return {
        "topics": Topic.objects.count(),
        "episodes": list(Episode.objects.order_by("number").values_list("number", "updated_at")),
        "comments": Comment.objects.count(),
        "users": User.objects.count(),
        "email addresses": EmailAddress.objects.count(),
        "memberships": Membership.objects.count(),
        "plans": Plan.objects.count(),
        "related": Episode.related.through.objects.count(),
        "episode topics": Episode.topics.through.objects.count(),
    }


def test_seed_demo_twice_changes_nothing_the_second_time():
    seed("--demo-users")
    first = snapshot()

    output = seed("--demo-users")

    assert snapshot() == first
    assert "nothing to change" in output


def test_seed_demo_publishes_at_least_six_written_articles():
    seed("--demo-users")

    published = list(Episode.objects.published())
    assert len(published) >= 6
    for episode in published:
        assert len(episode.body.split()) >= 500, episode.slug
        assert episode.body.count("\n## ") >= 3, episode.slug
        assert episode.topics.exists(), episode.slug


def test_seed_demo_has_an_episode_with_a_members_only_part():
    seed("--demo-users")

    members_only_parts = [
        split_members_only(episode.body)[1] for episode in Episode.objects.published()
    ]
    substantial = [part for part in members_only_parts if part and len(part.split()) >= 200]
    assert substantial


def test_seed_demo_schedules_next_sundays_episode_for_staff_to_preview():
    seed("--demo-users")

    scheduled = Episode.objects.get(status=Episode.Status.SCHEDULED)
    assert scheduled.publish_at == next_release_at()
    assert not Episode.objects.published().filter(pk=scheduled.pk).exists()


def test_seed_demo_episodes_have_audio_and_a_described_cover():
    seed("--demo-users")

    for episode in Episode.objects.all():
        assert episode.audio_url.startswith("https://")
        assert episode.audio_size
        assert episode.audio_duration
        assert episode.cover_alt
        with Image.open(episode.cover_image.path) as cover:
            assert cover.size == (1280, 720)
    assert Episode.objects.exclude(video_url="").exists()


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
    assert "Open http://127.0.0.1:8000" in output


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


def test_a_demo_article_named_unlike_its_header_is_refused(tmp_path):
    path = tmp_path / "09-old-slug.md"
    path.write_text('+++\nnumber = 9\nslug = "new-slug"\n+++\n\n## Body\n')

    with pytest.raises(ValueError, match=r"should be named 09-new-slug\.md"):
        demo_article_read(path)


def test_seed_demo_puts_the_disc_episode_into_practice_with_first_bridges():
    seed()

    discs = Episode.objects.get(slug="herniated-discs")
    assert list(discs.routines.values_list("slug", flat=True)) == ["first-bridges"]
