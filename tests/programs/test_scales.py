"""The 0-10 scales on the session log: green, amber and red zones at the routine's own
thresholds, each zone named in words beside its colour."""

import re

import pytest
from django.template.loader import render_to_string

from programs.forms import SessionLogForm
from programs.models import Routine


def zones_of(form, name: str) -> dict[int, str]:
    html = render_to_string("programs/includes/choice_field.html", {"field": form[name]})
    found = re.findall(
        r'<label class="choice__option(?: choice__option--(\w+))?" for="[^"]+">'
        r'<input[^>]*value="(\d+)"',
        html,
    )
    return {int(value): zone for zone, value in found}


def key_of(form, name: str) -> str:
    html = render_to_string("programs/includes/choice_field.html", {"field": form[name]})
    return " ".join(re.sub(r"<[^>]+>", " ", html.split('class="scale-key"')[1]).split())


@pytest.mark.parametrize("name", ["pain_before", "worst_pain"])
def test_pain_scales_are_zoned_at_the_default_thresholds(name):
    zones = zones_of(SessionLogForm(), name)

    assert list(zones) == list(range(11))
    assert {v for v, z in zones.items() if z == "green"} == {0, 1, 2, 3}
    assert {v for v, z in zones.items() if z == "amber"} == {4, 5}
    assert {v for v, z in zones.items() if z == "red"} == {6, 7, 8, 9, 10}


def test_pain_zones_follow_the_routines_own_thresholds():
    routine = Routine(green_max_pain=2, amber_max_pain=6)
    zones = zones_of(SessionLogForm(routine=routine), "worst_pain")

    assert {v for v, z in zones.items() if z == "green"} == {0, 1, 2}
    assert {v for v, z in zones.items() if z == "amber"} == {3, 4, 5, 6}
    assert {v for v, z in zones.items() if z == "red"} == {7, 8, 9, 10}


def test_a_routine_without_an_amber_band_draws_none():
    zones = zones_of(
        SessionLogForm(routine=Routine(green_max_pain=4, amber_max_pain=4)), "worst_pain"
    )

    assert "amber" not in zones.values()
    assert zones[4] == "green"
    assert zones[5] == "red"


def test_effort_scale_is_zoned_too():
    zones = zones_of(SessionLogForm(), "effort")

    assert list(zones) == list(range(1, 11))
    assert [zones[v] for v in (1, 4, 5, 7, 8, 10)] == [
        "green",
        "green",
        "amber",
        "amber",
        "red",
        "red",
    ]


def test_each_zone_is_named_in_words():
    key = key_of(SessionLogForm(), "worst_pain")

    assert "0–3 comfortable" in key
    assert "4–5 fine if settled by morning" in key
    assert "6–10 too much for now" in key
    assert "1–4 light" in key_of(SessionLogForm(), "effort")
