"""The dashboard's Today card asks for one thing: a check-in, today's session, or nothing more."""

import pytest

from programs.services import RED_FLAGS
from tests.programs.conftest import add_session, on_day

pytestmark = pytest.mark.django_db

ALL_NO = {key: "no" for key in RED_FLAGS}


def today_card(page: str) -> str:
    start = page.index('id="today"')
    return page[start : page.index("</section>", start)]


def test_today_asks_for_todays_session_first(client, member, routines, time_machine):
    time_machine.move_to(on_day(1))
    client.force_login(member)
    card = today_card(client.get("/program/").text)
    assert "Log today's session" in card
    assert f'href="{routines[0].get_absolute_url()}#log"' in card


def test_after_logging_today_the_dashboard_says_done_not_log_again(
    client, member, routines, time_machine
):
    add_session(member, routines[0], 1, pain=None)
    time_machine.move_to(on_day(1))
    client.force_login(member)
    page = client.get("/program/").text
    assert "Done for today." in today_card(page)
    assert "Log this session" not in page
    assert "Log today" not in page


def test_a_check_in_due_comes_before_logging(client, member, routines, time_machine):
    session = add_session(member, routines[0], 1, pain=None)
    time_machine.move_to(on_day(2))
    client.force_login(member)
    card = today_card(client.get("/program/").text)
    assert f"#checkin-{session.pk}" in card
    assert "Log today" not in card


def test_a_red_flag_pause_does_not_ask_for_a_check_in(client, member, routines, time_machine):
    add_session(member, routines[0], 1, pain=None)
    time_machine.move_to(on_day(2))
    client.force_login(member)
    client.post("/program/flare-up/", {**ALL_NO, "bladder_bowel": "yes"})
    page = client.get("/program/").text
    assert 'href="tel:999"' in page
    assert "#checkin-" not in page
    assert "Check in for" not in page


def test_report_a_flare_up_is_a_button_on_the_today_card(client, member, routines, time_machine):
    time_machine.move_to(on_day(1))
    client.force_login(member)
    card = today_card(client.get("/program/").text)
    assert 'class="button button--ghost button--small" href="/program/flare-up/"' in card


def test_a_check_in_lands_on_the_today_card_with_its_grade(client, member, routines, time_machine):
    session = add_session(member, routines[0], 1, pain=None)
    time_machine.move_to(on_day(2))
    client.force_login(member)
    prefix = f"checkin-{session.pk}"
    response = client.post(
        f"/program/sessions/{session.pk}/check-in/",
        {f"{prefix}-pain": "same", f"{prefix}-stiffness": "same"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/program/#today"
    card = today_card(client.get("/program/").text)
    assert "Thanks for checking in. That session was" in card


def test_session_logged_message_sits_with_the_routines_sessions(
    client, member, routines, time_machine
):
    time_machine.move_to(on_day(3))
    client.force_login(member)
    url = routines[0].get_absolute_url()
    response = client.post(
        f"{url}log/",
        {"date": "2026-03-05", "done": "yes", "pain_before": "2", "worst_pain": "3", "effort": "5"},
    )
    assert response["Location"] == f"{url}#your-sessions"
    page = client.get(url).text
    sessions = page[page.index('id="your-sessions"') :]
    assert "Session logged." in sessions
    assert page.count("Session logged.") == 1
