"""Reads for the Back In Shape Program."""

from django.db.models import Prefetch
from django.http import Http404

from episodes.rendering import render_markdown
from members.selectors import member_has_premium

from .models import Phase, Routine


def program_phases() -> list[Phase]:
    """Every phase with its routines, in two queries."""
    return list(
        Phase.objects.prefetch_related(
            Prefetch("routines", queryset=Routine.objects.order_by("position"))
        )
    )


def routine_get(*, phase_slug: str, routine_slug: str) -> Routine:
    try:
        return Routine.objects.select_related("phase").get(
            phase__slug=phase_slug, slug=routine_slug
        )
    except Routine.DoesNotExist:
        raise Http404("No routine here.") from None


def routine_instructions_for_viewer(*, routine: Routine, user) -> str | None:
    """The routine's instructions as HTML for premium members; None for everyone else."""
    if not member_has_premium(user):
        return None
    return render_markdown(routine.instructions, id_prefix="r-").html
