from importlib import import_module

from django.apps import AppConfig


class EpisodesConfig(AppConfig):
    name = "episodes"
    verbose_name = "Episodes"

    def ready(self):
        # Modules that use the models are loaded here, once the apps are ready.
        import_module("episodes.receivers")  # connects the page-cache receivers
        exports = import_module("episodes.exports")
        member_exports = import_module("members.exports")
        member_exports.register_export_section("comments", exports.comments_export_section)
        # A routine's page says "Why this helps" with the episodes linked to it.
        routine_sections = import_module("programs.routine_sections")
        routine_sections.register_routine_section(
            "why_this_helps", import_module("episodes.practice").why_this_helps_section
        )
