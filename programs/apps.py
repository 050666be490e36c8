from importlib import import_module

from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = "Back In Shape Program"

    def ready(self):
        # Modules that use the models are loaded here, once the apps are ready.
        exports = import_module("programs.exports")
        member_exports = import_module("members.exports")
        member_exports.register_export_section("program", exports.program_export_section)
        account_panels = import_module("members.account_panels")
        account_panels.register_account_panel("program_data", exports.program_account_panel)
