"""The member's history page and its CSV download: every session, only their own."""

import csv
import datetime as dt
import io
import re

import pytest

from programs import charts, services
from tests.factories import MembershipFactory, ProgramConsentFactory, UserFactory
from tests.programs.conftest import DAY0, add_session, on_day

pytestmark = pytest.mark.django_db

HISTORY_URL = "/program/history/"
CSV_URL = "/program/history.csv"


def test_the_history_lists_every_session_newest_first_with_grades_and_notes(
    client, member, routines, time_machine
):
    add_session(member, routines[0], 0, worst=2)
    add_session(member, routines[0], 2, worst=4)
    red = add_session(member, routines[0], 4, worst=7)
    red.note = "Sore after the third set."
    red.save()
    add_session(member, routines[0], 6, pain=None)
    time_machine.move_to(on_day(7))
    client.force_login(member)

    page = client.get(HISTORY_URL).text

    listing = page.split('id="sessions-title"')[1]
    dates = re.findall(r'<time datetime="([\d-]+)">', listing)
    assert dates == [on_day(n).isoformat() for n in (6, 4, 2, 0)]
    for word in ("grade--green", "grade--amber", "grade--red", "Awaiting check-in"):
        assert word in page
    assert "Sore after the third set." in page
    assert "next morning: pain about the same" in page
    assert "4 sessions logged." in page


def test_the_history_shows_twenty_sessions_a_page(client, member, routines, time_machine):
    for day in range(25):
        add_session(member, routines[0], day)
    time_machine.move_to(on_day(25))
    client.force_login(member)

    first = client.get(HISTORY_URL).text
    second = client.get(HISTORY_URL + "?page=2").text

    assert first.count('class="session-list__item"') == 20
    assert second.count('class="session-list__item"') == 5
    assert "Page 1 of 2" in first
    assert 'href="?page=2"' in first
    assert f'datetime="{on_day(0).isoformat()}"' in second


def test_the_weekly_chart_is_accessible_and_sits_beside_the_pain_chart(
    client, member, routines, time_machine
):
    for day in (0, 2, 4, 7, 9):
        add_session(member, routines[0], day)
    time_machine.move_to(on_day(10))
    client.force_login(member)

    page = client.get(HISTORY_URL).text

    assert '<title id="weeks-chart-title">Sessions each week, the last 12 weeks</title>' in page
    assert '<desc id="weeks-chart-desc">You logged 5 sessions in the last 12 weeks' in page
    assert '<th scope="col">Week starting</th>' in page
    assert page.count('class="chart-bar chart-bar--complete"') == 2
    assert '<title id="pain-chart-title">' in page
    assert "style=" not in page


def test_sessions_per_week_counts_each_of_the_last_twelve_weeks():
    today = DAY0  # a Monday
    dates = [today, today, today.replace(day=1), dt.date(2025, 12, 14)]

    chart = charts.sessions_per_week_chart(dates=dates, today=today)

    assert len(chart.bars) == 12
    assert chart.bars[-1].week_start == today
    assert chart.bars[-1].count == 2
    assert chart.bars[-2].count == 1  # Sunday 1 March belongs to the week before
    assert chart.bars[0].week_start == dt.date(2025, 12, 15)
    assert sum(bar.count for bar in chart.bars) == 3  # 14 December is in the 13th week back
    assert chart.bars[0].height == 0


def test_the_dashboard_links_to_the_history(client, member, routines, time_machine):
    add_session(member, routines[0], 0)
    time_machine.move_to(on_day(1))
    client.force_login(member)
    assert f'href="{HISTORY_URL}"' in client.get("/program/").text


def test_a_free_member_gets_the_premium_gate(client, free_member, program):
    client.force_login(free_member)
    for url in (HISTORY_URL, CSV_URL):
        response = client.get(url)
        assert response.status_code == 403
        assert 'href="/membership/"' in response.text


def test_a_visitor_is_sent_to_sign_in(client, program):
    for url in (HISTORY_URL, CSV_URL):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next={url}"


def test_the_history_pages_refuse_a_post(client, member):
    client.force_login(member)
    assert client.post(HISTORY_URL).status_code == 405
    assert client.post(CSV_URL).status_code == 405


def test_the_history_query_count_does_not_grow_with_sessions(
    client, member, routines, django_assert_max_num_queries, time_machine
):
    for day in range(60):
        add_session(member, routines[0], day, pain=None if day % 4 == 0 else "same")
    time_machine.move_to(on_day(60))
    client.force_login(member)
    # Session, user, membership, the program state, and the policy changes to announce
    # (read once, then kept in the cache).
    with django_assert_max_num_queries(9):
        assert client.get(HISTORY_URL + "?page=2").status_code == 200
    with django_assert_max_num_queries(5):  # session, user, membership, progress, sessions
        assert client.get(CSV_URL).status_code == 200


# --- CSV ----------------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_csv_is_a_download_of_every_session_with_its_check_in_and_grade(
    client, member, routines
):
    add_session(member, routines[0], 0, worst=4, pain="better", stiffness="same")
    add_session(member, routines[0], 2, pain=None)
    client.force_login(member)

    response = client.get(CSV_URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="back-in-shape-history.csv"'
    header, newest, oldest = read_csv(response)
    assert header == [
        "date",
        "routine",
        "phase",
        "done",
        "pain before",
        "worst pain",
        "effort",
        "note",
        "check-in pain",
        "check-in stiffness",
        "grade",
    ]
    assert newest[0] == on_day(2).isoformat()
    assert newest[-3:] == ["", "", "Awaiting check-in"]
    assert oldest == [
        on_day(0).isoformat(),
        routines[0].title,
        routines[0].phase.title,
        "Yes, as prescribed",
        "2",
        "4",
        "5",
        "",
        "Better than usual",
        "About the same",
        "Amber",
    ]


@pytest.mark.parametrize("note", ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\tx"])
def test_a_note_a_spreadsheet_would_run_as_a_formula_is_made_plain_text(
    client, member, routines, note
):
    session = add_session(member, routines[0], 0)
    session.note = note
    session.save()
    client.force_login(member)

    rows = read_csv(client.get(CSV_URL))

    assert rows[1][7] == "'" + note


def test_an_ordinary_note_is_left_alone(client, member, routines):
    session = add_session(member, routines[0], 0)
    session.note = "Felt fine; 3 sets."
    session.save()
    client.force_login(member)
    assert read_csv(client.get(CSV_URL))[1][7] == "Felt fine; 3 sets."


def test_the_csv_holds_only_the_members_own_sessions(client, member, routines):
    other = UserFactory()
    MembershipFactory(user=other)
    ProgramConsentFactory(user=other)
    services.program_start(user=other)
    mine = add_session(member, routines[0], 0)
    mine.note = "mine"
    mine.save()
    theirs = add_session(other, routines[0], 1)
    theirs.note = "someone else's"
    theirs.save()
    client.force_login(member)

    rows = read_csv(client.get(CSV_URL))

    assert [row[7] for row in rows[1:]] == ["mine"]
