"""Odd values in any admin list filter or date drill-down never make a 500.

Staff follow, bookmark and hand-edit changelist links; a mistyped value should get the
admin's own "invalid lookup" answer (a redirect to ?e=1) or simply filter to nothing.
"""

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin import SimpleListFilter
from django.test import RequestFactory
from django.urls import reverse

pytestmark = pytest.mark.django_db

# Already percent-encoded: a 20-digit number, a negative, text, emoji, a lone surrogate.
ODD_VALUES = ["99999999999999999999", "-1", "abc", "%F0%9F%A6%B4", "%ED%A0%80"]
INVALID = "redirect to ?e=1"

# What Django's admin does with a value its filter cannot use, per kind of filter
# parameter. Filters that compare text (choices, all values) or ignore values they do
# not offer (our SimpleListFilters) just show an empty or unfiltered list.
ALWAYS_INVALID = {
    ("BooleanFieldListFilter", "exact"),
    ("DateFieldListFilter", "gte"),
    ("DateFieldListFilter", "lt"),
    ("EmptyFieldListFilter", "isempty"),
}
LISTS_ANYWAY = {
    "AllValuesFieldListFilter",
    "BooleanFieldListFilter",  # its __isnull parameter
    "ChoicesFieldListFilter",
    "DateFieldListFilter",  # its __isnull parameter
    "SimpleListFilter",
}


def _filtered_admins():
    for model in apps.get_models():
        if admin.site.is_registered(model):
            model_admin = admin.site.get_model_admin(model)
            if model_admin.list_filter or model_admin.date_hierarchy:
                yield model, model_admin


FILTERED_ADMINS = list(_filtered_admins())


def _expected(kind: str, suffix: str, value: str):
    if kind == "date_hierarchy":
        # A year is turned into a date range, which must be a real date; a month or day
        # on its own is a plain number lookup that matches nothing when out of range.
        if suffix == "year" or not value.lstrip("-").isdigit():
            return INVALID
        return 200
    if (kind, suffix) in ALWAYS_INVALID:
        return INVALID
    assert kind in LISTS_ANYWAY, f"No expectation yet for {kind} (__{suffix}): add one"
    return 200


def _filter_parameters(model_admin, staff):
    request = RequestFactory().get("/")
    request.user = staff
    changelist = model_admin.get_changelist_instance(request)
    for spec in changelist.filter_specs:
        kind = "SimpleListFilter" if isinstance(spec, SimpleListFilter) else type(spec).__name__
        for parameter in spec.expected_parameters():
            yield kind, parameter, parameter.rsplit("__", 1)[-1]
    if model_admin.date_hierarchy:
        for part in ("year", "month", "day"):
            yield "date_hierarchy", f"{model_admin.date_hierarchy}__{part}", part


def _answer(response):
    if response.status_code == 302 and response["Location"].endswith("?e=1"):
        return INVALID
    return response.status_code


def test_every_filtered_admin_is_checked():
    assert len(FILTERED_ADMINS) >= 10


@pytest.mark.parametrize(
    ("model", "model_admin"), FILTERED_ADMINS, ids=[m._meta.label for m, _ in FILTERED_ADMINS]
)
def test_odd_filter_values_get_the_admins_own_answer(staff_client, staff, model, model_admin):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    wrong = []
    for kind, parameter, suffix in _filter_parameters(model_admin, staff):
        cases = [(value, _expected(kind, suffix, value)) for value in ODD_VALUES]
        cases.append(("%00", 400))  # refused before the admin sees it
        for value, expected in cases:
            answer = _answer(staff_client.get(f"{url}?{parameter}={value}"))
            if answer != expected:
                wrong.append(f"{parameter}={value}: {answer}, expected {expected}")
    assert wrong == []


@pytest.mark.parametrize(
    "query",
    [
        "year=9999",  # the year after is past datetime.max
        "year=99999999999999999999",
        "year=2026&month=99999999999999999999",
        "year=2026&month=13",
        "year=9999&month=12",
        "year=2026&month=2&day=99999999999999999999",
        "year=2026&month=2&day=30",
        "year=9999&month=12&day=31",
    ],
)
def test_an_impossible_date_drill_down_is_an_invalid_lookup(staff_client, query):
    params = "&".join(f"publish_at__{part}" for part in query.split("&"))

    response = staff_client.get(f"/admin/episodes/episode/?{params}")

    assert _answer(response) == INVALID
