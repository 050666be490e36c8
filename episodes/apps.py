from django.apps import AppConfig


class EpisodesConfig(AppConfig):
    name = "episodes"
    verbose_name = "Episodes"

    def ready(self):
        from . import receivers  # noqa: F401 (connects the page-cache receivers)
