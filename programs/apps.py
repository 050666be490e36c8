from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = "Back In Shape Program"

    def ready(self):
        from members.exports import register_export_section

        from . import receivers  # noqa: F401 (connects the page-cache receivers)
        from .exports import program_export_section

        register_export_section("program", program_export_section)
