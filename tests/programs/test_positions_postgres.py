"""On PostgreSQL the step-position constraint waits for the commit, so a swap is one save."""

import pytest
from django.db import IntegrityError, connection, transaction

from programs.models import RoutineStep
from tests.conftest import require_service

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def postgresql():
    require_service(
        connection.vendor == "postgresql",
        "PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/backinshape",
    )


def _two_steps(program):
    routine_id = RoutineStep.objects.values_list("routine", flat=True).first()
    return list(RoutineStep.objects.filter(routine_id=routine_id).order_by("position")[:2])


def test_two_step_positions_swap_in_one_transaction(postgresql, program):
    first, second = _two_steps(program)
    with transaction.atomic():
        RoutineStep.objects.filter(pk=first.pk).update(position=second.position)
        RoutineStep.objects.filter(pk=second.pk).update(position=first.position)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.position, second.position) == (2, 1)


def test_a_duplicate_position_still_fails_at_the_commit(postgresql, program):
    first, second = _two_steps(program)
    with pytest.raises(IntegrityError), transaction.atomic():
        RoutineStep.objects.filter(pk=first.pk).update(position=second.position)
    assert RoutineStep.objects.get(pk=first.pk).position == 1
