"""Episodes and the Program's routines that put them into practice, as a routine's page
shows them. Registered with the Program (programs/routine_sections.py) at ready()."""

from programs.models import Routine

from .models import Episode

WHY_THIS_HELPS_TEMPLATE = "episodes/includes/why_this_helps.html"


def why_this_helps_section(routine: Routine) -> dict | None:
    """ "Why this helps" on a routine's page: the published episodes linked to it, newest
    first, in one query; None when there are none."""
    episodes = list(Episode.objects.published().filter(routines=routine).order_by("-publish_at"))
    if not episodes:
        return None
    return {"template": WHY_THIS_HELPS_TEMPLATE, "episodes": episodes}
