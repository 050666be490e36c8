from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = "Back In Shape Program"

    def ready(self):
        from . import receivers  # noqa: F401 (connects the page-cache receivers)
