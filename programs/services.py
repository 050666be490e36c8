"""Writes for the Back In Shape Program."""

from django.db import transaction

from .models import Phase, Routine


@transaction.atomic
def program_load_demo() -> tuple[int, int]:
    """Create or update the demo phases and routines. Safe to run again."""
    from .demo_content import PHASES

    routines = 0
    for phase_data in PHASES:
        data = dict(phase_data)
        routine_rows = data.pop("routines")
        phase, _ = Phase.objects.update_or_create(number=data["number"], defaults=data)
        for routine_data in routine_rows:
            Routine.objects.update_or_create(
                phase=phase, position=routine_data["position"], defaults=routine_data
            )
            routines += 1
    return len(PHASES), routines
