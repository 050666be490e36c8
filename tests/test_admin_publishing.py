"""Writing and publishing in the admin: the live preview of the members-only cut, one
episode per Sunday unless staff say so, Publish now that asks about the email, and covers
that social cards can show."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from episodes.models import Episode, ReleaseMailing
from episodes.schedule import next_release_at
from episodes.tasks import release_mailings_resume, send_release
from tests.factories import EpisodeFactory, SubscriberFactory

pytestmark = pytest.mark.django_db

BODY_WITH_CUT = (
    "## For everyone\n\nPUBLIC-WORDS here.\n\n"
    "<!-- members-only -->\n\n"
    "## For members\n\nSECRET-WORDS."
)


def test_preview_cuts_the_body_as_readers_get_it(staff_client):
    response = staff_client.post(reverse("admin_desk_episode_preview"), {"body": BODY_WITH_CUT})

    assert response.status_code == 200
    data = response.json()
    assert "PUBLIC-WORDS" in data["public"]
    assert "SECRET-WORDS" not in data["public"]
    assert "SECRET-WORDS" in data["members_only"]


def test_preview_without_a_divider_has_no_members_only_part(staff_client):
    response = staff_client.post(reverse("admin_desk_episode_preview"), {"body": "## Hi\n\nAll."})

    assert response.json()["members_only"] is None


def test_preview_follows_crlf_bodies_from_the_browser(staff_client):
    body = BODY_WITH_CUT.replace("\n", "\r\n")

    data = staff_client.post(reverse("admin_desk_episode_preview"), {"body": body}).json()

    assert "SECRET-WORDS" not in data["public"]


def test_preview_sanitises_what_it_renders(staff_client):
    data = staff_client.post(
        reverse("admin_desk_episode_preview"), {"body": "Hi <script>alert(1)</script>"}
    ).json()

    assert "<script" not in data["public"]


def test_preview_is_for_staff_only(client, free_member):
    client.force_login(free_member)

    response = client.post(reverse("admin_desk_episode_preview"), {"body": BODY_WITH_CUT})

    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/desk/episode-preview/"


def test_preview_refuses_get(staff_client):
    assert staff_client.get(reverse("admin_desk_episode_preview")).status_code == 405


def test_the_body_editor_has_the_preview_and_the_divider_button(staff_client):
    content = staff_client.get(reverse("admin:episodes_episode_add")).content.decode()

    assert "data-episode-editor" in content
    assert f'data-preview-url="{reverse("admin_desk_episode_preview")}"' in content
    assert "Insert the members-only divider here" in content
    assert "Members-only part starts here" in content
    assert "/static/js/admin.js" in content


def _episode_post(**overrides):
    publish_at = timezone.localtime(next_release_at())
    data = {
        "number": 50,
        "title": "Lifting without fear",
        "slug": "lifting-without-fear",
        "standfirst": "How to pick things up again.",
        "body": BODY_WITH_CUT,
        "status": "scheduled",
        "publish_at_0": publish_at.strftime("%Y-%m-%d"),
        "publish_at_1": publish_at.strftime("%H:%M:%S"),
        "audio_type": "audio/mpeg",
        "cover_alt": "",
        "Episode_routines-TOTAL_FORMS": 0,
        "Episode_routines-INITIAL_FORMS": 0,
    }
    data.update(overrides)
    return data


def test_a_second_episode_on_the_same_sunday_needs_a_tick(staff_client):
    EpisodeFactory(
        title="Already this Sunday", status=Episode.Status.SCHEDULED, publish_at=next_release_at()
    )

    response = staff_client.post(reverse("admin:episodes_episode_add"), _episode_post())

    assert response.status_code == 200
    assert not Episode.objects.filter(slug="lifting-without-fear").exists()
    content = response.content.decode()
    assert "“Already this Sunday” already comes out on" in content
    assert "Lifting without fear" in content  # the input is kept


def test_ticking_yes_schedule_both_saves_the_second_episode(staff_client):
    EpisodeFactory(status=Episode.Status.SCHEDULED, publish_at=next_release_at())

    response = staff_client.post(
        reverse("admin:episodes_episode_add"), _episode_post(schedule_both="on")
    )

    assert response.status_code == 302
    assert Episode.objects.get(slug="lifting-without-fear").status == "scheduled"


def test_an_episode_on_another_sunday_needs_no_tick(staff_client):
    EpisodeFactory(
        status=Episode.Status.SCHEDULED, publish_at=next_release_at() + dt.timedelta(days=7)
    )

    response = staff_client.post(reverse("admin:episodes_episode_add"), _episode_post())

    assert response.status_code == 302


def test_saving_the_scheduled_episode_itself_again_needs_no_tick(staff_client):
    episode = EpisodeFactory(status=Episode.Status.SCHEDULED, publish_at=next_release_at())
    data = _episode_post(number=episode.number, slug=episode.slug, title=episode.title)

    response = staff_client.post(reverse("admin:episodes_episode_change", args=[episode.pk]), data)

    assert response.status_code == 302


def _image(width, height):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "teal").save(buffer, format="PNG")
    return SimpleUploadedFile("cover.png", buffer.getvalue(), content_type="image/png")


@pytest.mark.parametrize(
    ("size", "message"),
    [
        ((800, 420), "This cover is 800×420 pixels. Please upload one at least 1200×630"),
        ((1200, 1200), "a ratio of 1.00:1"),
        ((2600, 1000), "a ratio of 2.60:1"),
    ],
)
def test_a_cover_of_the_wrong_size_or_shape_is_refused(
    staff_client, size, message, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path

    response = staff_client.post(
        reverse("admin:episodes_episode_add"),
        _episode_post(cover_image=_image(*size), cover_alt="A person lifting a box"),
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Episode.objects.filter(slug="lifting-without-fear").exists()


def test_a_1200_by_630_cover_is_accepted(staff_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    response = staff_client.post(
        reverse("admin:episodes_episode_add"),
        _episode_post(cover_image=_image(1200, 630), cover_alt="A person lifting a box"),
    )

    assert response.status_code == 302
    assert Episode.objects.get(slug="lifting-without-fear").cover_image


def test_publish_now_asks_about_the_email_first(staff_client):
    episode = EpisodeFactory(status=Episode.Status.DRAFT)

    response = staff_client.get(reverse("admin:episodes_episode_publish", args=[episode.pk]))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Send the Sunday email now" in content
    assert "Send it at the usual time" in content
    assert "Do not send it" in content
    episode.refresh_from_db()
    assert episode.status == Episode.Status.DRAFT


def test_publish_now_and_send_the_email_now(
    staff_client, mailoutbox, django_capture_on_commit_callbacks
):
    SubscriberFactory(email="reader@example.com")
    episode = EpisodeFactory(status=Episode.Status.DRAFT)

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("admin:episodes_episode_publish", args=[episode.pk]),
            {"email": "now"},
            follow=True,
        )

    episode.refresh_from_db()
    assert episode.status == Episode.Status.PUBLISHED
    # Every recipient once: the subscriber, and the staff member (a member who wants it).
    assert sorted(m.to[0] for m in mailoutbox) == ["reader@example.com", "staff.member@example.com"]
    assert "The Sunday email is on its way now" in response.content.decode()


def test_publish_now_without_the_email(
    staff_client, mailoutbox, django_capture_on_commit_callbacks
):
    SubscriberFactory(email="reader@example.com")
    episode = EpisodeFactory(status=Episode.Status.DRAFT)

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("admin:episodes_episode_publish", args=[episode.pk]),
            {"email": "none"},
            follow=True,
        )

    episode.refresh_from_db()
    assert episode.status == Episode.Status.PUBLISHED
    assert mailoutbox == []
    assert not ReleaseMailing.objects.exists()
    assert "No email was sent" in response.content.decode()


def test_publish_now_and_email_at_the_usual_time(
    staff_client, mailoutbox, time_machine, django_capture_on_commit_callbacks
):
    reader = SubscriberFactory()
    episode = EpisodeFactory(status=Episode.Status.DRAFT)
    send_release.app.conf.task_always_eager = False  # a worker and beat are running
    try:
        response = staff_client.post(
            reverse("admin:episodes_episode_publish", args=[episode.pk]),
            {"email": "later"},
            follow=True,
        )
    finally:
        send_release.app.conf.task_always_eager = True

    episode.refresh_from_db()
    at = next_release_at()
    assert episode.status == Episode.Status.PUBLISHED
    assert episode.release_email_at == at
    assert "will go at the usual time" in response.content.decode()
    # Beat's minutely sweep sends nothing before the moment, then sends it once.
    release_mailings_resume()
    assert mailoutbox == []
    time_machine.move_to(at + dt.timedelta(seconds=30))
    with django_capture_on_commit_callbacks(execute=True):
        release_mailings_resume()
    with django_capture_on_commit_callbacks(execute=True):
        release_mailings_resume()
    sent_to = sorted(message.to[0] for message in mailoutbox)
    assert sent_to == sorted([reader.email, "staff.member@example.com"])  # each once
    episode.refresh_from_db()
    assert episode.release_email_at is None


def test_later_is_refused_where_tasks_run_at_once(staff_client):
    episode = EpisodeFactory(status=Episode.Status.DRAFT)

    response = staff_client.post(
        reverse("admin:episodes_episode_publish", args=[episode.pk]), {"email": "later"}
    )

    assert response.status_code == 200
    assert "nothing can wait until Sunday" in response.content.decode()
    episode.refresh_from_db()
    assert episode.status == Episode.Status.DRAFT


def test_publish_now_action_asks_then_publishes(staff_client, mailoutbox):
    episode = EpisodeFactory(status=Episode.Status.SCHEDULED, publish_at=next_release_at())
    changelist = reverse("admin:episodes_episode_changelist")

    asked = staff_client.post(
        changelist, {"action": "publish_selected", "_selected_action": [episode.pk]}
    )
    assert asked.status_code == 200
    assert "And the Sunday email?" in asked.content.decode()
    episode.refresh_from_db()
    assert episode.status == Episode.Status.SCHEDULED

    done = staff_client.post(
        changelist,
        {
            "action": "publish_selected",
            "_selected_action": [episode.pk],
            "apply": "1",
            "email": "none",
        },
        follow=True,
    )

    episode.refresh_from_db()
    assert episode.status == Episode.Status.PUBLISHED
    assert "No email was sent" in done.content.decode()
