"""The morning-after check-in reminder: once, at the local hour, to the right members only."""

import datetime as dt
import re
import smtplib

import pytest
from django.core import mail
from django.utils import timezone

from programs import reminders, services
from programs.models import CheckInReminder
from tests.programs.conftest import add_session, on_day

pytestmark = pytest.mark.django_db


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(on_day(day), dt.time(hour, minute)))


def test_one_reminder_the_morning_after_with_a_link_to_that_check_in(member, routines):
    session = add_session(member, routines[0], 2, pain=None)
    assert reminders.checkin_reminders_send(now=at(3, 8, 5)) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [member.email]
    assert f"{routines[0].get_absolute_url()}#checkin-{session.pk}" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_second_beat_sends_nothing_more(member, routines):
    add_session(member, routines[0], 2, pain=None)
    reminders.checkin_reminders_send(now=at(3, 8, 5))
    assert reminders.checkin_reminders_send(now=at(3, 9, 5)) == 0
    assert len(mail.outbox) == 1
    assert CheckInReminder.objects.count() == 1


def test_nothing_before_the_reminder_hour(member, routines):
    add_session(member, routines[0], 2, pain=None)
    assert reminders.checkin_reminders_send(now=at(3, 7, 30)) == 0
    assert mail.outbox == []


def test_no_reminder_when_already_checked_in(member, routines):
    add_session(member, routines[0], 2, pain="same")
    assert reminders.checkin_reminders_send(now=at(3, 8, 5)) == 0


def test_no_reminder_while_paused(member, routines):
    add_session(member, routines[0], 2, pain=None)
    services.program_pause(user=member, reason="flare_up", by=member, note="Sore.")
    assert reminders.checkin_reminders_send(now=at(3, 8, 5)) == 0


def test_no_reminder_after_opting_out(member, routines):
    add_session(member, routines[0], 2, pain=None)
    reminders.checkin_reminders_stop(user=member)
    assert reminders.checkin_reminders_send(now=at(3, 8, 5)) == 0


def test_no_reminder_once_membership_has_lapsed(member, routines):
    add_session(member, routines[0], 2, pain=None)
    member.membership.status = "canceled"
    member.membership.save()
    assert reminders.checkin_reminders_send(now=at(3, 8, 5)) == 0


def test_the_one_click_link_stops_reminders_by_post_only(client, member, routines):
    add_session(member, routines[0], 2, pain=None)
    reminders.checkin_reminders_send(now=at(3, 8, 5))
    url = re.search(r"http://[^\s]+/program/reminders/stop/[^\s]+/", mail.outbox[0].body)[0]
    path = url.split("8000", 1)[-1] if "8000" in url else url
    assert client.get(path).status_code == 200
    member.refresh_from_db()
    assert member.wants_checkin_reminders
    assert client.post(path).status_code == 200
    member.refresh_from_db()
    assert not member.wants_checkin_reminders


def test_a_forged_stop_link_is_refused(client, member):
    assert client.post("/program/reminders/stop/not-a-token/").status_code == 400
    member.refresh_from_db()
    assert member.wants_checkin_reminders


def test_beat_runs_the_reminders_hourly(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["send-checkin-reminders"]
    assert entry["task"] == "programs.tasks.send_checkin_reminders"


def test_unticking_the_box_on_the_account_page_stops_reminders(client, member, routines):
    add_session(member, routines[0], 2, pain=None)
    client.force_login(member)
    page = client.get("/account/")
    assert "Remind me to check in the morning after a session" in page.text
    assert re.search(
        r"<input type=\"checkbox\" name=\"wants_checkin_reminders\"[^>]* checked>", page.text
    )

    response = client.post("/account/", {"form": "checkin_reminders"})  # unticked: not sent

    assert response.status_code == 302
    assert response["Location"] == "/account/"
    member.refresh_from_db()
    assert member.wants_checkin_reminders is False
    assert member.wants_sunday_email is True  # the other preference is left alone
    assert reminders.checkin_reminders_send(now=at(3, 8, 5)) == 0
    assert mail.outbox == []


def test_ticking_it_again_turns_reminders_back_on(client, member, routines):
    member.wants_checkin_reminders = False
    member.save()
    add_session(member, routines[0], 2, pain=None)
    client.force_login(member)

    client.post("/account/", {"form": "checkin_reminders", "wants_checkin_reminders": "on"})

    member.refresh_from_db()
    assert member.wants_checkin_reminders is True
    assert reminders.checkin_reminders_send(now=at(3, 8, 5)) == 1


def test_a_reminder_the_mail_server_did_not_take_is_tried_again_next_hour(
    member, routines, smtp_sink, monkeypatch
):
    add_session(member, routines[0], 2, pain=None)
    calls = {"n": 0}
    real_send = reminders.emails.checkin_reminder

    def flaky_send(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return real_send(*args, **kwargs)

    monkeypatch.setattr(reminders.emails, "checkin_reminder", flaky_send)
    assert reminders.checkin_reminders_send(now=at(3, 8, 5)) == 0
    assert not CheckInReminder.objects.exists()  # the claim was given back
    assert reminders.checkin_reminders_send(now=at(3, 9, 5)) == 1
    assert len(smtp_sink.messages) == 1
    assert CheckInReminder.objects.get().sent_at is not None
