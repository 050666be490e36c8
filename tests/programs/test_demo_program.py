"""The demo Program: phases, routines and steps, the exercises' drawings, and the demo
member's started program."""

from collections import Counter

import pytest
from PIL import Image

from programs import demo
from programs.demo_drawings import DRAWINGS, FIGURE, GHOST
from programs.models import (
    CheckIn,
    Exercise,
    Phase,
    Routine,
    RoutineStep,
    SessionLog,
    Unlock,
)

pytestmark = pytest.mark.django_db


def test_the_demo_has_three_phases_with_routines_and_steps(program):
    assert program == (3, 8)
    assert list(Phase.objects.values_list("number", flat=True)) == [1, 2, 3]
    assert all(phase.routines.exists() for phase in Phase.objects.all())
    assert RoutineStep.objects.filter(routine__slug="marching-bridges").count() == 3
    assert not Routine.objects.filter(steps__isnull=True).exists()  # every routine has steps


def test_loading_the_demo_twice_changes_nothing(program):
    before = (Routine.objects.count(), RoutineStep.objects.count())
    demo.program_load_demo()
    assert (Routine.objects.count(), RoutineStep.objects.count()) == before


def test_the_demo_member_has_a_started_program(premium_member, program, client):
    created = demo.program_load_demo_member(user=premium_member)
    assert created == len(demo.DEMO_SESSIONS)
    assert Unlock.objects.filter(user=premium_member).count() == 2
    assert CheckIn.objects.filter(session__user=premium_member).count() == created - 1
    client.force_login(premium_member)
    page = client.get("/program/").text
    assert "1 more session, 3 more days, tomorrow&#x27;s check-in" in page


def test_the_demo_member_is_loaded_once(premium_member, program):
    demo.program_load_demo_member(user=premium_member)
    assert demo.program_load_demo_member(user=premium_member) == 0
    assert SessionLog.objects.filter(user=premium_member).count() == len(demo.DEMO_SESSIONS)


def test_members_see_the_steps_and_visitors_do_not(client, visitor, premium_member, program):
    url = "/program/build-the-base/first-bridges/"
    assert "Glute bridge" not in visitor.get(url).text
    client.force_login(premium_member)
    page = client.get(url).text
    assert "Glute bridge" in page
    assert "3 × 8" in page
    assert "10 minutes, on the flat" in page


BACK_ROUNDING = ["child's pose", "child’s pose", "toe touch", "touch your toes", "cat and camel"]


def _all_demo_text() -> str:
    texts = [
        str(v)
        for v in Exercise.objects.values_list("name", "purpose", "instructions", "cues", "mistakes")
    ]
    texts += [str(v) for v in Routine.objects.values_list("title", "summary", "instructions")]
    return " ".join(texts).lower()


def test_the_demo_has_no_stretch_that_rounds_the_lower_back(program):
    text = _all_demo_text()
    for words in BACK_ROUNDING:
        assert words not in text, words


def test_phase_one_builds_strength_with_the_hinge_at_its_core(program):
    phase_one = Phase.objects.get(number=1)
    routines = list(phase_one.routines.order_by("position"))
    assert len(routines) >= 4
    exercises = set(
        RoutineStep.objects.filter(routine__phase=phase_one).values_list(
            "exercise__name", flat=True
        )
    )
    assert {"Dowel hip hinge", "Glute bridge", "Marching bridge"} <= exercises
    assert "Hinge hamstring stretch" in exercises  # hamstrings stretched only via the hinge
    stretches = Exercise.objects.filter(name__icontains="stretch").values_list("name", flat=True)
    assert list(stretches) == ["Hinge hamstring stretch"]


def test_every_routine_after_phase_one_has_load_or_range_to_progress(program):
    """Phases Two and Three carry the movements on with more load or range."""
    later = RoutineStep.objects.filter(routine__phase__number__gt=1)
    names = set(later.values_list("exercise__name", flat=True))
    assert {"Bag deadlift", "Single-leg hinge", "Single-leg bridge", "Goblet squat"} <= names


@pytest.fixture
def drawn(program, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    tally = Counter()
    demo.exercise_drawings_load_demo(tally=tally)
    return tally


def test_every_demo_exercise_has_a_drawing(program):
    assert set(DRAWINGS) == {exercise["slug"] for exercise in demo.EXERCISES}


def test_each_demo_exercise_gets_its_drawing_described(drawn):
    for exercise in Exercise.objects.all():
        assert exercise.image.name.startswith("exercises/demo/"), exercise.slug
        assert exercise.image_alt == DRAWINGS[exercise.slug].alt
        assert len(exercise.image_alt) >= 60, exercise.slug


def test_a_demo_drawing_shows_the_figure_and_where_it_started(drawn):
    for exercise in Exercise.objects.all():
        with Image.open(exercise.image.path) as image:
            assert (image.format, image.size) == ("PNG", (1200, 800))
            colours = {colour for _, colour in image.getcolors(maxcolors=1_000_000)}
        assert FIGURE in colours, exercise.slug  # the finishing position, in the brand's teal
        assert GHOST in colours, exercise.slug  # the paler start


def test_drawing_the_demo_again_draws_nothing(drawn):
    images = list(Exercise.objects.order_by("slug").values_list("image", "image_alt"))
    again = Counter()

    demo.exercise_drawings_load_demo(tally=again)

    assert drawn["exercise drawings made"] == len(DRAWINGS)
    assert again == Counter()
    assert list(Exercise.objects.order_by("slug").values_list("image", "image_alt")) == images


def test_a_picture_staff_chose_for_a_demo_exercise_stays(drawn):
    Exercise.objects.filter(slug="bird-dog").update(
        image="exercises/bird-dog-photo.jpg", image_alt="Sam doing a bird dog in the studio."
    )

    demo.exercise_drawings_load_demo(tally=Counter())

    bird_dog = Exercise.objects.get(slug="bird-dog")
    assert bird_dog.image.name == "exercises/bird-dog-photo.jpg"
    assert bird_dog.image_alt == "Sam doing a bird dog in the studio."
