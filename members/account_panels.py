"""Panels the apps above members add to the member's account page (/account/).

Members sits below the Program in the layering, so it cannot ask the Program about a
member. An app registers a panel from its AppConfig.ready() instead, as it does a section
of the data download (members/exports.py): a function of the member returning the
panel's template and context, or None when it has nothing to show them.
"""

from collections.abc import Callable

from .models import User

AccountPanel = Callable[[User], dict | None]

_panels: dict[str, AccountPanel] = {}


def register_account_panel(name: str, fn: AccountPanel) -> None:
    """Add a panel to the account page's "Your data" section; a name again replaces it."""
    _panels[name] = fn


def account_panels(*, user: User) -> list[dict]:
    """The registered panels with something to show this member, each a dict with at
    least "template"."""
    return [panel for fn in _panels.values() if (panel := fn(user)) is not None]
