from django.shortcuts import render
from django.views.decorators.http import require_GET

from members.selectors import member_has_premium

from . import selectors


@require_GET
def overview(request):
    return render(
        request,
        "programs/overview.html",
        {"phases": selectors.program_phases(), "has_premium": member_has_premium(request.user)},
    )


@require_GET
def routine_detail(request, phase_slug, routine_slug):
    routine = selectors.routine_get(phase_slug=phase_slug, routine_slug=routine_slug)
    instructions = selectors.routine_instructions_for_viewer(routine=routine, user=request.user)
    return render(
        request,
        "programs/routine_detail.html",
        {"routine": routine, "instructions_html": instructions, "locked": instructions is None},
    )
