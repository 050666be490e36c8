from importlib import import_module

from django.apps import AppConfig


class BackInShapeConfig(AppConfig):
    """The project itself, as an app only for its system checks (backinshape/checks.py)."""

    name = "backinshape"
    verbose_name = "Back In Shape"

    def ready(self):
        import_module("backinshape.checks")  # registers the checks
