"""The Program pages: logging, checking in, who may do what, and what the pages cost."""

import re

import pytest

from programs import services
from programs.models import CheckIn, SessionLog
from tests.factories import MembershipFactory, StaffFactory, UserFactory
from tests.programs.conftest import add_session, on_day

pytestmark = pytest.mark.django_db

ROUTINE_URL = "/program/build-the-base/first-bridges/"
LOG_URL = ROUTINE_URL + "log/"


def log_data(**overrides):
    return {
        "date": on_day(3).isoformat(),
        "done": "yes",
        "pain_before": "2",
        "worst_pain": "3",
        "effort": "5",
        "note": "Bridges felt easy.",
        **overrides,
    }


@pytest.fixture
def day3(time_machine):
    time_machine.move_to(on_day(3))


def test_a_member_logs_a_session(client, member, day3):
    client.force_login(member)
    page = client.get(ROUTINE_URL).text
    assert 'action="/program/build-the-base/first-bridges/log/#log"' in page
    response = client.post(LOG_URL, log_data())
    assert response.status_code == 302
    assert response["Location"] == ROUTINE_URL + "#your-sessions"
    session = SessionLog.objects.get(user=member)
    assert (session.worst_pain, session.note, session.date) == (
        3,
        "Bridges felt easy.",
        on_day(3),
    )
    page = client.get(ROUTINE_URL).text
    assert "Awaiting check-in" in page


def test_anonymous_visitors_are_sent_to_sign_in(visitor, program):
    response = visitor.post(LOG_URL, log_data())
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={LOG_URL}"
    assert not SessionLog.objects.exists()


def test_a_free_member_cannot_log(client, free_member, program):
    client.force_login(free_member)
    response = client.post(LOG_URL, log_data())
    assert response.status_code == 403
    assert "Join premium" in response.text
    assert not SessionLog.objects.exists()


def test_a_premium_member_who_has_not_started_cannot_log(client, premium_member, program):
    client.force_login(premium_member)
    assert client.post(LOG_URL, log_data()).status_code == 403
    assert not SessionLog.objects.exists()


def test_a_locked_routine_cannot_be_logged(client, member, day3):
    client.force_login(member)
    response = client.post("/program/build-the-base/learning-the-hinge/log/", log_data())
    assert response.status_code == 403
    assert not SessionLog.objects.exists()


@pytest.mark.parametrize(
    "url",
    [LOG_URL, "/program/sessions/1/check-in/", "/program/resume/"],
)
def test_post_only_endpoints_refuse_get(client, member, url):
    client.force_login(member)
    assert client.get(url).status_code == 405


def test_bad_input_comes_back_with_what_was_typed(client, member, day3):
    client.force_login(member)
    response = client.post(LOG_URL, log_data(worst_pain="11", note="My own words"))
    assert response.status_code == 400
    assert "My own words" in response.text
    assert re.search(r'name="pain_before" value="2"[^>]*checked', response.text)
    assert "Worst pain is from 0 (none) to 10 (worst imaginable)." in response.text
    assert not SessionLog.objects.exists()


def test_a_date_in_the_future_is_refused_with_input_kept(client, member, day3):
    client.force_login(member)
    response = client.post(LOG_URL, log_data(date=on_day(4).isoformat()))
    assert response.status_code == 400
    assert "That date is in the future." in response.text
    assert "Bridges felt easy." in response.text


def test_a_second_log_on_the_same_day_is_refused(client, member, day3):
    client.force_login(member)
    client.post(LOG_URL, log_data())
    response = client.post(LOG_URL, log_data())
    assert response.status_code == 400
    assert "already logged this routine on that day" in response.text
    assert SessionLog.objects.count() == 1


def test_the_check_in_grades_the_session(client, member, routines, time_machine):
    session = add_session(member, routines[0], 2, worst=4, pain=None)
    time_machine.move_to(on_day(3))
    client.force_login(member)
    page = client.get(ROUTINE_URL).text
    assert f'id="checkin-{session.pk}"' in page
    response = client.post(
        f"/program/sessions/{session.pk}/check-in/",
        {f"checkin-{session.pk}-pain": "same", f"checkin-{session.pk}-stiffness": "better"},
        follow=True,
    )
    assert "That session was Amber." in response.content.decode()
    assert CheckIn.objects.get(session=session).stiffness == "better"


def test_the_check_in_waits_for_the_next_morning(client, member, routines, time_machine):
    session = add_session(member, routines[0], 3, pain=None)
    time_machine.move_to(on_day(3))
    client.force_login(member)
    response = client.post(
        f"/program/sessions/{session.pk}/check-in/",
        {f"checkin-{session.pk}-pain": "same", f"checkin-{session.pk}-stiffness": "same"},
    )
    assert response.status_code == 400
    assert not CheckIn.objects.exists()


def test_a_bad_check_in_comes_back_with_an_error(client, member, routines, time_machine):
    session = add_session(member, routines[0], 2, pain=None)
    time_machine.move_to(on_day(3))
    client.force_login(member)
    response = client.post(
        f"/program/sessions/{session.pk}/check-in/",
        {f"checkin-{session.pk}-pain": "same", f"checkin-{session.pk}-stiffness": "agony"},
    )
    assert response.status_code == 400
    assert re.search(rf'name="checkin-{session.pk}-pain" value="same"[^>]*checked', response.text)
    assert not CheckIn.objects.exists()


def test_someone_elses_session_cannot_be_checked_in(client, member, routines, time_machine):
    session = add_session(member, routines[0], 2, pain=None)
    other = MembershipFactory(user=UserFactory()).user
    time_machine.move_to(on_day(3))
    client.force_login(other)
    response = client.post(
        f"/program/sessions/{session.pk}/check-in/",
        {f"checkin-{session.pk}-pain": "same", f"checkin-{session.pk}-stiffness": "same"},
    )
    assert response.status_code == 404
    assert not CheckIn.objects.exists()


def test_anonymous_check_in_is_sent_to_sign_in(visitor, member, routines):
    session = add_session(member, routines[0], 2, pain=None)
    url = f"/program/sessions/{session.pk}/check-in/"
    response = visitor.post(url, {})
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"
    assert not CheckIn.objects.exists()


def test_a_visitor_still_sees_the_public_overview(visitor, program):
    page = visitor.get("/program/").text
    assert "Join premium to start Phase One" in page
    assert "Your Back In Shape Program" not in page


def test_a_free_member_sees_the_public_overview(client, free_member, program):
    client.force_login(free_member)
    assert "Join premium to start Phase One" in client.get("/program/").text


def test_the_start_and_flare_up_pages_are_for_premium_members(client, free_member, program):
    client.force_login(free_member)
    assert client.get("/program/start/").status_code == 403
    assert client.get("/program/flare-up/").status_code == 403


def test_the_dashboard_query_count_does_not_grow_with_history(
    client, member, routines, django_assert_max_num_queries, time_machine
):
    staff = StaffFactory()
    for routine in routines[1:4]:
        services.routine_unlock_by_staff(user=member, routine=routine, staff=staff, reason="Test.")
    for i in range(40):
        add_session(member, routines[i % 4], i, worst=i % 8, pain=None if i % 5 == 0 else "same")
    time_machine.move_to(on_day(41))
    client.force_login(member)
    with django_assert_max_num_queries(10):
        response = client.get("/program/")
    assert response.status_code == 200
    assert "Pain trend" in response.text


def test_the_routine_page_query_count_is_pinned(
    client, member, routines, django_assert_max_num_queries, time_machine
):
    for day in range(0, 20, 2):
        add_session(member, routines[0], day, pain=None if day == 18 else "same")
    time_machine.move_to(on_day(20))
    client.force_login(member)
    with django_assert_max_num_queries(11):  # 10, plus one for "Why this helps"
        assert client.get(ROUTINE_URL).status_code == 200


def test_pages_have_no_inline_styles_or_scripts(client, member, routines, time_machine):
    for day in (0, 2, 4):
        add_session(member, routines[0], day, worst=day + 2)
    time_machine.move_to(on_day(5))
    client.force_login(member)
    for url in ["/program/", ROUTINE_URL, "/program/flare-up/", "/program/get-help-now/"]:
        page = client.get(url).text
        assert "style=" not in page, url
        assert not re.search(r"<script(?![^>]*\bsrc=)", page), url


def test_the_charts_are_accessible(client, member, routines, time_machine):
    for day in (0, 2, 4):
        add_session(member, routines[0], day, worst=day + 2)
    time_machine.move_to(on_day(5))
    client.force_login(member)
    page = client.get("/program/").text
    assert page.count('role="img"') == 1  # the pain trend; progress is the path, in words
    assert '<title id="pain-chart-title">' in page
    assert '<desc id="pain-chart-desc">' in page
    assert "Worst pain during your last 3 sessions ranged from 2 to 6 out of 10" in page
    assert '<th scope="col">Worst during</th>' in page
    assert "You have opened 1 of 8 routines." in page


def test_grades_carry_a_word_and_an_icon(client, member, routines, time_machine):
    add_session(member, routines[0], 0, worst=2)
    add_session(member, routines[0], 1, worst=5)
    add_session(member, routines[0], 2, worst=8)
    time_machine.move_to(on_day(3))
    client.force_login(member)
    page = client.get(ROUTINE_URL).text
    for word in ("Green", "Amber", "Red"):
        assert re.search(
            rf'class="badge grade grade--{word.lower()}">'
            rf'<svg class="grade__icon" aria-hidden="true"[^>]*>.*?</svg> {word}</span>',
            page,
        ), word


def _ready_to_open_routine_two(member, routines):
    """Four green sessions of routine 1 with check-ins; the seventh day opens routine 2."""
    for day in (0, 2, 4, 6):
        add_session(member, routines[0], day)


ROUTINE_TWO_URL = "/program/build-the-base/learning-the-hinge/"


def test_the_next_routine_opens_on_its_own_page_without_visiting_the_dashboard(
    client, member, routines, time_machine
):
    _ready_to_open_routine_two(member, routines)
    time_machine.move_to(on_day(7))
    client.force_login(member)
    page = client.get(ROUTINE_TWO_URL).text
    assert "Open for you" in page
    assert "Not open yet" not in page


def test_the_next_routine_can_be_logged_straight_away_when_time_has_opened_it(
    client, member, routines, time_machine
):
    _ready_to_open_routine_two(member, routines)
    time_machine.move_to(on_day(7))
    client.force_login(member)
    response = client.post(ROUTINE_TWO_URL + "log/", log_data(date=on_day(7).isoformat()))
    assert response.status_code == 302
    assert response["Location"] == ROUTINE_TWO_URL + "#your-sessions"
    assert SessionLog.objects.filter(routine=routines[1]).count() == 1


def test_a_same_day_check_in_says_why_next_to_the_form(client, member, routines, time_machine):
    session = add_session(member, routines[0], 3, pain=None)
    time_machine.move_to(on_day(3))
    client.force_login(member)
    response = client.post(
        f"/program/sessions/{session.pk}/check-in/",
        {f"checkin-{session.pk}-pain": "same", f"checkin-{session.pk}-stiffness": "same"},
    )
    assert response.status_code == 400
    assert f'id="checkin-{session.pk}"' in response.text
    assert "The check-in opens the morning after your session." in response.text
    assert re.search(rf'name="checkin-{session.pk}-pain" value="same"[^>]*checked', response.text)
    assert not CheckIn.objects.exists()


def test_a_second_check_in_says_it_is_already_done(client, member, routines, time_machine):
    session = add_session(member, routines[0], 2, pain="better")
    time_machine.move_to(on_day(3))
    client.force_login(member)
    response = client.post(
        f"/program/sessions/{session.pk}/check-in/",
        {f"checkin-{session.pk}-pain": "worse", f"checkin-{session.pk}-stiffness": "same"},
    )
    assert response.status_code == 400
    assert "You&#x27;ve already checked in for this session." in response.text
    assert CheckIn.objects.get(session=session).pain == "better"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("pain_before", "11", "Pain is from 0 (none) to 10 (worst imaginable)."),
        ("worst_pain", "-1", "Worst pain is from 0 (none) to 10 (worst imaginable)."),
        ("effort", "0", "Effort is from 1 (hardly any) to 10 (as hard as you possibly could)."),
    ],
)
def test_an_out_of_range_scale_says_what_the_range_is(client, member, day3, field, value, message):
    client.force_login(member)
    response = client.post(LOG_URL, log_data(**{field: value}))
    assert response.status_code == 400
    assert message in response.text.replace("&#x27;", "'")
    assert "Select a valid choice" not in response.text
    assert not SessionLog.objects.exists()
