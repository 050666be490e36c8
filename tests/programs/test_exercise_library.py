"""The exercise library: public name and purpose, premium instructions, variants and media."""

import pytest
from django.db import IntegrityError

from programs.models import Exercise, RoutineStep

pytestmark = pytest.mark.django_db

URL = "/program/exercises/marching-bridge/"
PREMIUM_TEXT = "Keeping your hips level, lift one foot"


def test_a_visitor_sees_the_name_and_purpose_only(visitor, program):
    page = visitor.get(URL)
    assert page.status_code == 200
    assert "Marching bridge" in page.text
    assert "one hamstring at a time" in page.text
    assert PREMIUM_TEXT not in page.text
    assert "Imagine a tray of drinks" not in page.text
    assert "Join premium" in page.text


def test_a_free_member_sees_no_instructions(client, free_member, program):
    client.force_login(free_member)
    assert PREMIUM_TEXT not in client.get(URL).text


def test_a_premium_member_reads_steps_cues_mistakes_and_variants(client, premium_member, program):
    client.force_login(premium_member)
    page = client.get(URL).text
    assert PREMIUM_TEXT in page
    assert "Imagine a tray of drinks on your hips." in page
    assert "Letting one hip drop as the foot lifts." in page
    assert 'Easier: <a href="/program/exercises/glute-bridge/">Glute bridge</a>' in page
    assert 'Harder: <a href="/program/exercises/single-leg-bridge/">Single-leg bridge</a>' in page


def test_an_unknown_exercise_is_404(visitor, program):
    assert visitor.get("/program/exercises/toe-touches/").status_code == 404


def test_the_video_is_a_click_to_load_poster(client, premium_member, program):
    Exercise.objects.filter(slug="marching-bridge").update(
        video_url="https://www.youtube.com/watch?v=abcdefghijk"
    )
    client.force_login(premium_member)
    page = client.get(URL).text
    assert 'data-youtube-id="abcdefghijk"' in page
    assert "<iframe" not in page
    assert "style=" not in page


def test_the_drawing_comes_first_and_no_video_leaves_no_gap(client, premium_member, program):
    Exercise.objects.filter(slug="marching-bridge").update(
        image="exercises/marching-bridge.png", image_alt="A person holding a bridge."
    )
    client.force_login(premium_member)

    page = client.get(URL).text

    media = page[page.index('<section class="exercise-media"') : page.index("</section>")]
    assert (
        '<img src="/media/exercises/marching-bridge.png" alt="A person holding a bridge.">' in media
    )
    assert "video-facade" not in page
    assert page.index("exercise-media") < page.index("Step by step")


def test_without_a_drawing_or_a_video_there_is_no_media_area(client, premium_member, program):
    client.force_login(premium_member)

    page = client.get(URL).text

    assert "exercise-media" not in page
    assert "<figure" not in page


def test_an_image_without_alt_text_is_refused_by_the_database(program):
    with pytest.raises(IntegrityError):
        Exercise.objects.filter(slug="marching-bridge").update(image="exercises/b.jpg")


def test_routine_steps_show_rest_and_side(client, premium_member, program):
    step = RoutineStep.objects.get(routine__slug="marching-bridges", position=1)
    assert (step.rest_seconds, step.side) == (45, "each")
    client.force_login(premium_member)
    page = client.get("/program/build-the-base/marching-bridges/").text
    assert "3 × 6, each side, rest 45 seconds" in page
    assert 'href="/program/exercises/marching-bridge/"' in page
