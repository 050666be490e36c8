"""Staff look after members' progress in the admin; every change asks why and is recorded."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

from programs.models import MemberProgress, ProgressEvent, Unlock
from tests.programs.conftest import add_session

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/programs/memberprogress/"


def run_action(client, action, progress, **form):
    data = {"action": action, ACTION_CHECKBOX_NAME: [progress.pk]}
    return client.post(CHANGELIST, {**data, **form})


def test_staff_pause_asks_why_then_records_who_and_why(client, staff, member):
    client.force_login(staff)
    progress = MemberProgress.objects.get(user=member)
    page = run_action(client, "pause_program", progress)
    assert page.status_code == 200
    assert "Why?" in page.text
    assert not MemberProgress.objects.get(pk=progress.pk).is_paused  # nothing yet
    response = run_action(client, "pause_program", progress, apply="1", reason="Awaiting a scan.")
    assert response.status_code == 302
    progress.refresh_from_db()
    assert progress.is_staff_paused
    assert progress.staff_paused_by == staff
    event = ProgressEvent.objects.get(user=member, kind="paused")
    assert event.by == staff
    assert event.by_staff
    assert "Awaiting a scan." in event.reason


def test_staff_action_without_a_reason_is_refused(client, staff, member):
    client.force_login(staff)
    progress = MemberProgress.objects.get(user=member)
    page = run_action(client, "pause_program", progress, apply="1", reason="")
    assert page.status_code == 200
    assert "This field is required." in page.text
    assert not MemberProgress.objects.get(pk=progress.pk).is_paused


def test_staff_resume_is_recorded(client, staff, member):
    client.force_login(staff)
    progress = MemberProgress.objects.get(user=member)
    run_action(client, "pause_program", progress, apply="1", reason="Check-up.")
    run_action(client, "resume_program", progress, apply="1", reason="All clear from GP.")
    assert not MemberProgress.objects.get(pk=progress.pk).is_paused
    event = ProgressEvent.objects.get(user=member, kind="resumed")
    assert (event.by, event.reason) == (staff, "All clear from GP.")


def test_staff_unlock_opens_the_next_routine_with_who_and_why(client, staff, member, routines):
    client.force_login(staff)
    progress = MemberProgress.objects.get(user=member)
    run_action(client, "unlock_routine", progress, apply="1", reason="Seen in clinic.")
    unlock = Unlock.objects.get(user=member, routine=routines[1])
    assert (unlock.by, unlock.method, unlock.reason) == (staff, "staff", "Seen in clinic.")


def test_staff_unlock_a_chosen_routine(client, staff, member, routines):
    client.force_login(staff)
    progress = MemberProgress.objects.get(user=member)
    run_action(
        client, "unlock_routine", progress, apply="1", reason="Experienced.", routine=routines[3].pk
    )
    assert Unlock.objects.filter(user=member, routine=routines[3], by=staff).exists()
    page = client.get(f"{CHANGELIST}{progress.pk}/change/").text
    assert "Experienced." in page  # the audit log on the member's page


def test_session_logs_filter_by_grade(client, staff, member, routines):
    add_session(member, routines[0], 0, worst=2)
    add_session(member, routines[0], 1, worst=7)
    add_session(member, routines[0], 2, worst=4, pain=None)
    client.force_login(staff)
    red = client.get("/admin/programs/sessionlog/?grade=red").text
    assert "1 session log" in red
    pending = client.get("/admin/programs/sessionlog/?grade=pending").text
    assert "Awaiting check-in" in pending
    assert "1 session log" in pending


def test_routine_admin_shows_thresholds_and_steps(client, staff, routines):
    client.force_login(staff)
    page = client.get(f"/admin/programs/routine/{routines[2].pk}/change/").text
    assert "Progression thresholds" in page
    assert 'name="green_max_pain"' in page
    assert "Marching bridge" in page  # a step of the demo routine


def test_admin_lists_load(client, staff, member, routines):
    add_session(member, routines[0], 0)
    client.force_login(staff)
    for url in [
        CHANGELIST,
        "/admin/programs/sessionlog/",
        "/admin/programs/progressevent/",
        "/admin/programs/unlock/",
        "/admin/programs/exercise/",
    ]:
        assert client.get(url).status_code == 200, url


def _routine_change_data(routine, *, positions: dict[int, int]):
    """The routine's admin form as posted, with each step's position mapped through `positions`."""
    data = {
        field: getattr(routine, field)
        for field in [
            "position",
            "title",
            "slug",
            "summary",
            "duration_minutes",
            "instructions",
            "green_max_pain",
            "amber_max_pain",
            "sessions_to_unlock",
            "days_to_unlock",
        ]
    }
    data["phase"] = routine.phase_id
    steps = list(routine.steps.order_by("position"))
    data.update(
        {
            "steps-TOTAL_FORMS": len(steps),
            "steps-INITIAL_FORMS": len(steps),
            "steps-MIN_NUM_FORMS": 0,
            "steps-MAX_NUM_FORMS": 1000,
            # The "Why this helps" episodes inline, with no episodes linked.
            "Episode_routines-TOTAL_FORMS": 0,
            "Episode_routines-INITIAL_FORMS": 0,
        }
    )
    for i, step in enumerate(steps):
        prefix = f"steps-{i}-"
        data.update(
            {
                prefix + "id": step.pk,
                prefix + "routine": routine.pk,
                prefix + "position": positions.get(step.position, step.position),
                prefix + "exercise": step.exercise_id,
                prefix + "sets": step.sets,
                prefix + "reps": step.reps or "",
                prefix + "seconds": step.seconds or "",
                prefix + "rest_seconds": step.rest_seconds,
                prefix + "side": step.side,
                prefix + "notes": step.notes,
            }
        )
    return data


def _routine_with_steps(routines):
    return next(r for r in routines if r.steps.count() >= 2)


def test_staff_swap_two_steps_in_one_save(client, staff, routines):
    routine = _routine_with_steps(routines)
    first, second = routine.steps.order_by("position")[:2]
    client.force_login(staff)
    response = client.post(
        f"/admin/programs/routine/{routine.pk}/change/",
        _routine_change_data(routine, positions={1: 2, 2: 1}),
    )
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.position, second.position) == (2, 1)


def test_two_steps_at_one_position_are_refused_with_a_clear_error(client, staff, routines):
    routine = _routine_with_steps(routines)
    client.force_login(staff)
    response = client.post(
        f"/admin/programs/routine/{routine.pk}/change/",
        _routine_change_data(routine, positions={2: 1}),
    )
    assert response.status_code == 200
    assert "Two routine steps share position 1" in response.text
    assert list(routine.steps.order_by("position").values_list("position", flat=True))[:2] == [1, 2]


def test_staff_link_an_episode_from_the_routine_admin(client, staff, routines, episode):
    routine = _routine_with_steps(routines)
    client.force_login(staff)
    data = _routine_change_data(routine, positions={})
    data.update(
        {
            "Episode_routines-TOTAL_FORMS": 1,
            "Episode_routines-0-routine": routine.pk,
            "Episode_routines-0-episode": episode.pk,
        }
    )

    response = client.post(f"/admin/programs/routine/{routine.pk}/change/", data)

    assert response.status_code == 302
    assert list(routine.episodes.all()) == [episode]
    assert episode.title in client.get(routine.get_absolute_url()).text  # "Why this helps"
