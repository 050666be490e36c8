"""Sections the apps above the Program add to a routine's page.

The Program sits below episodes in the layering, so it cannot ask which episodes explain
a routine. An app registers a section from its AppConfig.ready() instead, as it adds a
panel to the account page (members/account_panels.py): a function of the routine
returning the section's template and context, or None when it has nothing to show.
A routine page is the same for every visitor (it is cached), so a section must be too.
"""

from collections.abc import Callable

from .models import Routine

RoutineSection = Callable[[Routine], dict | None]

_sections: dict[str, RoutineSection] = {}


def register_routine_section(name: str, fn: RoutineSection) -> None:
    """Add a section to every routine's page, below its header; a name again replaces it."""
    _sections[name] = fn


def routine_sections(*, routine: Routine) -> list[dict]:
    """The registered sections with something to show for this routine, each a dict with
    at least "template"."""
    return [section for fn in _sections.values() if (section := fn(routine)) is not None]
