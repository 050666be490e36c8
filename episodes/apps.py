from importlib import import_module

from django.apps import AppConfig

from common.page_cache import register_content_clock


class EpisodesConfig(AppConfig):
    name = "episodes"
    verbose_name = "Episodes"

    def ready(self):
        # Modules that use the models are loaded here, once the apps are ready.
        # An episode goes live at its release moment with nothing saved: the page cache
        # keeps no page past it, and dates pages from it (common/page_cache/clock.py).
        selectors = import_module("episodes.selectors")
        register_content_clock(
            seconds_to_next_change=selectors.episode_seconds_to_next_release,
            changed_at=selectors.content_changed_at,
        )
        exports = import_module("episodes.exports")
        member_exports = import_module("members.exports")
        member_exports.register_export_section("comments", exports.comments_export_section)
        # A routine's page says "Why this helps" with the episodes linked to it.
        routine_sections = import_module("programs.routine_sections")
        routine_sections.register_routine_section(
            "why_this_helps", import_module("episodes.practice").why_this_helps_section
        )
