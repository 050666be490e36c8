from importlib import import_module

from django.apps import AppConfig


class BackInShapeConfig(AppConfig):
    """The project itself, as an app: its system checks (backinshape/checks.py) and the
    commands that span every app (backinshape/management/commands/, e.g. seed_demo)."""

    name = "backinshape"
    verbose_name = "Back In Shape"

    def ready(self):
        import_module("backinshape.checks")  # registers the checks
