"""The Program dashboard: the unlock rule part by part, one path of routines, and the
member's own numbers said honestly."""

import datetime as dt
import itertools
import re

import pytest
from django.utils import timezone

from programs import charts, services
from programs.models import Unlock, UnlockMethod
from programs.rules import PainChange
from programs.services import RED_FLAGS
from programs.state import JUST_UNLOCKED_DAYS, program_state
from tests.factories import StaffFactory
from tests.programs.conftest import add_session, on_day

pytestmark = pytest.mark.django_db

ALL_NO = {key: "no" for key in RED_FLAGS}


def section(page: str, marker: str, end: str = "</section>") -> str:
    start = page.index(marker)
    return page[start : page.index(end, start)]


def unlock_box(page: str) -> str:
    return section(page, 'id="unlock"', "</div>")


def words(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def dashboard(client, member, day: int) -> str:
    client.force_login(member)
    return client.get("/program/").text


# --------------------------------------------------------------- the unlock rule, part by part


def opened_by_the_rule(member, routine, *, day: int) -> Unlock:
    """The unlock rule opened `routine` for `member` at 08:00 on that program day."""
    return Unlock.objects.create(
        user=member,
        routine=routine,
        method=UnlockMethod.RULE,
        reason="Test.",
        unlocked_at=timezone.make_aware(dt.datetime.combine(on_day(day), dt.time(8))),
    )


def test_every_part_of_the_rule_has_its_own_count(client, member, routines, time_machine):
    for day in (0, 1, 2, 3):
        add_session(member, routines[0], day)
    time_machine.move_to(on_day(4))
    box = words(unlock_box(dashboard(client, member, 4)))

    assert "Sessions done as prescribed, on different days 4 of 4" in box
    assert "Days since your first session of this routine 4 of 7" in box
    assert "Last two sessions green or amber, checked in 2 of 2" in box
    assert "Still to do: 3 more days" in box
    assert "What opens “Learning the hinge”" in box


def test_four_of_four_sessions_never_stands_alone_beside_a_lock(
    client, member, routines, time_machine
):
    """The path says "Locked" and "sessions done", never a bare "4 of 4": the rule's
    parts, each with its count, are in one place."""
    for day in (0, 1, 2, 3):
        add_session(member, routines[0], day)
    time_machine.move_to(on_day(4))
    page = dashboard(client, member, 4)
    path = section(page, 'aria-labelledby="path-title"')

    counts = re.findall(r"\d+ of \d+", words(path))

    assert counts == ["1 of 8"]  # "You have opened 1 of 8 routines": no session counts
    assert "4 sessions done" in words(path)
    assert "4 of 4" in words(unlock_box(page))
    assert "4 of 7" in words(unlock_box(page))


def test_a_session_awaiting_its_check_in_is_named_under_its_part(
    client, member, routines, time_machine
):
    add_session(member, routines[0], 0)
    add_session(member, routines[0], 2, pain=None)
    time_machine.move_to(on_day(2))
    box = words(unlock_box(dashboard(client, member, 2)))

    assert "Last two sessions green or amber, checked in 1 of 2" in box
    assert "Waiting for tomorrow's check-in" in box.replace("&#x27;", "'")


def test_the_clauses_count_what_the_rule_counts(member, routines):
    add_session(member, routines[0], 0)
    add_session(member, routines[0], 1, done="partly")  # graded, but not "as prescribed"
    add_session(member, routines[0], 3, worst=8)  # red: the run of good sessions starts again
    state = program_state(user=member, today=on_day(5))

    clauses = {c.label: (c.done, c.needed, c.met) for c in state.unlock_progress.clauses}

    assert clauses == {
        "Sessions done as prescribed, on different days": (2, 4, False),
        "Days since your first session of this routine": (5, 7, False),
        "Last two sessions green or amber, checked in": (0, 2, False),
    }


def test_a_routine_with_no_days_to_wait_shows_no_days_part(member, routines):
    routines[0].days_to_unlock = 0
    routines[0].save()
    add_session(member, routines[0], 0)
    state = program_state(user=member, today=on_day(1))

    labels = [c.label for c in state.unlock_progress.clauses]

    assert labels == [
        "Sessions done as prescribed, on different days",
        "Last two sessions green or amber, checked in",
    ]


def test_the_last_routine_of_a_phase_says_it_opens_the_next_phase(
    client, member, routines, time_machine
):
    staff = StaffFactory()
    for routine in routines[1:4]:
        services.routine_unlock_by_staff(user=member, routine=routine, staff=staff, reason="Test.")
    time_machine.move_to(on_day(1))
    box = words(unlock_box(dashboard(client, member, 1)))

    assert "What opens “The loaded hinge” and Phase Two" in box


# --------------------------------------------------------------- pauses


def test_a_red_flag_pause_asks_for_no_check_in_anywhere(client, member, routines, time_machine):
    add_session(member, routines[0], 1, pain=None)
    time_machine.move_to(on_day(2))
    client.force_login(member)
    client.post("/program/flare-up/", {**ALL_NO, "bladder_bowel": "yes"})

    page = client.get("/program/").text
    routine_page = client.get(routines[0].get_absolute_url()).text

    assert 'href="tel:999"' in page
    assert "check-in" not in words(section(page, 'class="card next-routine"')).lower()
    assert 'id="unlock"' not in page
    assert "Nothing opens while your program is paused" in page
    assert "Morning check-in for" not in routine_page
    assert "/check-in/" not in routine_page


def test_a_flare_up_pause_still_asks_for_the_check_in(client, member, routines, time_machine):
    session = add_session(member, routines[0], 1, pain=None)
    time_machine.move_to(on_day(2))
    client.force_login(member)
    client.post("/program/flare-up/", ALL_NO)

    page = client.get("/program/").text

    assert f"#checkin-{session.pk}" in section(page, 'id="today"')
    assert "Nothing opens while your program is paused" in page


# --------------------------------------------------------------- the path


def test_each_routine_is_listed_once(client, member, routines, time_machine):
    for day in (0, 2):
        add_session(member, routines[0], day)
    time_machine.move_to(on_day(3))
    page = dashboard(client, member, 3)

    for routine in routines[1:]:  # every routine but the one in hand (the Up next card)
        assert page.count(f'href="{routine.get_absolute_url()}"') == 1, routine.title
    assert page.count('<li class="path-step') == len(routines)


def test_a_new_member_sees_phase_one_as_a_path_starting_at_step_one(
    client, member, routines, time_machine
):
    time_machine.move_to(on_day(0))
    page = dashboard(client, member, 0)
    path = section(page, 'aria-labelledby="path-title"')
    steps = re.findall(r'<li class="path-step path-step--(\w+)">', path)

    assert steps[0] == "current"
    assert steps[1:] == ["locked"] * (len(routines) - 1)
    assert '<span class="badge badge--current">You\'re here</span>' in path
    # Only Phase One is drawn out; the phases ahead are folded away.
    assert path.count('<details class="path-phase__fold">') == 2
    assert "chart-bar" not in page  # no row of grey bars


def test_before_starting_the_path_says_where_it_starts(client, premium_member, program):
    client.force_login(premium_member)
    path = section(client.get("/program/").text, 'aria-labelledby="path-title"')

    assert re.findall(r'<li class="path-step path-step--(\w+)">', path)[0] == "start"
    assert "Start here" in path


def test_the_dashboard_shows_the_last_three_sessions(client, member, routines, time_machine):
    for day in range(6):
        add_session(member, routines[0], day)
    time_machine.move_to(on_day(6))
    page = dashboard(client, member, 6)

    assert page.count('class="session-list__item"') == 3
    assert 'href="/program/history/"' in page


# --------------------------------------------------------------- motivation


def test_pain_coming_down_is_said_in_points(client, member, routines, time_machine):
    for day, worst in zip(range(6), (6, 6, 5, 3, 2, 2), strict=True):
        add_session(member, routines[0], day, worst=worst)
    time_machine.move_to(on_day(6))
    page = words(dashboard(client, member, 6))

    assert "3.3 points worst pain down since you started" in page
    assert "your first 3 sessions against your last 3" in page


def test_pain_going_up_is_not_dressed_up(client, member, routines, time_machine):
    for day, worst in zip(range(4), (2, 2, 5, 5), strict=True):
        add_session(member, routines[0], day, worst=worst)
    time_machine.move_to(on_day(4))
    page = words(dashboard(client, member, 4))

    assert "down since you started" not in page
    assert "About the same" not in page


def test_pain_that_has_not_moved_is_about_the_same(client, member, routines, time_machine):
    for day, worst in zip(range(4), (3, 3, 3, 2), strict=True):
        add_session(member, routines[0], day, worst=worst)
    time_machine.move_to(on_day(4))
    page = words(dashboard(client, member, 4))

    assert "About the same worst pain as when you started" in page
    assert "down since you started" not in page


def test_no_pain_line_with_too_few_sessions(client, member, routines, time_machine):
    for day in range(3):
        add_session(member, routines[0], day, worst=6 - 2 * day)
    time_machine.move_to(on_day(3))
    page = words(dashboard(client, member, 3))

    assert "since you started" not in page
    assert "as when you started" not in page


@pytest.mark.parametrize(
    ("points", "text"), [(1.0, "1 point"), (2.0, "2 points"), (1.5, "1.5 points")]
)
def test_the_pain_change_reads_naturally(points, text):
    assert PainChange(points=points, sessions_compared=3).points_text == text


def test_this_weeks_sessions_are_counted_against_the_plan(client, member, routines, time_machine):
    add_session(member, routines[0], -1)  # Sunday: last week
    add_session(member, routines[0], 0)  # Monday
    add_session(member, routines[0], 2)  # Wednesday
    time_machine.move_to(on_day(3))
    page = words(dashboard(client, member, 3))

    assert "2 of 4 sessions this week" in page


def test_more_sessions_than_the_plan_are_not_scored_as_a_fraction(
    client, member, routines, time_machine
):
    for day in range(5):
        add_session(member, routines[0], day)
    time_machine.move_to(on_day(5))
    page = words(dashboard(client, member, 5))

    assert "5 sessions this week, more than the plan's 4" in page.replace("&#x27;", "'")
    assert "5 of 4" not in page


# --------------------------------------------------------------- an unlock, celebrated


def test_a_check_in_that_opens_the_next_routine_is_celebrated(
    client, member, routines, time_machine
):
    for day in (0, 2, 4):
        add_session(member, routines[0], day)
    last = add_session(member, routines[0], 6, pain=None)
    time_machine.move_to(dt.datetime.combine(on_day(7), dt.time(8)))
    client.force_login(member)
    prefix = f"checkin-{last.pk}"
    client.post(
        f"/program/sessions/{last.pk}/check-in/",
        {f"{prefix}-pain": "same", f"{prefix}-stiffness": "same"},
    )

    page = client.get("/program/").text
    today = words(section(page, 'id="today"'))

    assert "“Learning the hinge” is open. You earned it" in today
    step = re.search(
        r'<li class="path-step[^"]*">(?:(?!</li>).)*Learning the hinge.*?</li>', page, re.S
    )
    assert "badge--new" in step.group(0)


def test_the_celebration_ends_once_the_new_routine_is_tried(client, member, routines, time_machine):
    opened_by_the_rule(member, routines[1], day=7)
    add_session(member, routines[1], 8)
    time_machine.move_to(on_day(9))
    page = dashboard(client, member, 9)

    assert "You earned it" not in page
    assert "badge--new" not in page


def test_an_old_unlock_is_not_celebrated(client, member, routines, time_machine):
    opened_by_the_rule(member, routines[1], day=7)
    time_machine.move_to(on_day(7 + JUST_UNLOCKED_DAYS))
    assert "You earned it" not in dashboard(client, member, 14)


def test_a_staff_unlock_is_not_called_earned(client, member, routines, time_machine):
    time_machine.move_to(on_day(1))
    services.routine_unlock_by_staff(
        user=member, routine=routines[1], staff=StaffFactory(), reason="Test."
    )
    assert "You earned it" not in dashboard(client, member, 1)


# --------------------------------------------------------------- the pain chart


def test_points_are_spaced_by_date_not_by_order(member, routines):
    for day in (0, 1, 10):
        add_session(member, routines[0], day)
    state = program_state(user=member, today=on_day(11))

    chart = charts.pain_chart(state=state)

    assert [p.x for p in chart.points] == [4.0, 13.2, 96.0]


def test_labels_are_drawn_in_pixels_not_scaled_with_a_viewbox(
    client, member, routines, time_machine
):
    for day in (0, 3, 8):
        add_session(member, routines[0], day)
    time_machine.move_to(on_day(9))
    page = dashboard(client, member, 9)
    svgs = re.findall(r"<svg class=\"chart__(?:svg|axis)\"[^>]*>", page)

    assert len(svgs) == 2
    assert all("viewBox" not in tag for tag in svgs)
    assert re.findall(r'<text class="chart-label" x="([\d.]+)%"', page)  # dates placed in %


def test_the_date_labels_never_crowd(member, routines):
    for day in range(0, 28, 2):
        add_session(member, routines[0], day)
    chart = charts.pain_chart(state=program_state(user=member, today=on_day(28)))

    positions = [t.pos for t in chart.x_ticks]

    assert len(positions) <= 4
    assert min(b - a for a, b in itertools.pairwise(positions)) >= 25
