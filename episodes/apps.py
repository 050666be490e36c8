from django.apps import AppConfig


class EpisodesConfig(AppConfig):
    name = "episodes"
    verbose_name = "Episodes"

    def ready(self):
        from members.exports import register_export_section

        from . import receivers  # noqa: F401 (connects the page-cache receivers)
        from .exports import comments_export_section

        register_export_section("comments", comments_export_section)
