from importlib import import_module

from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = "Members"

    def ready(self):
        # Modules that use the models are loaded here, once the apps are ready.
        import_module("members.esp_webhooks")  # connects the anymail tracking receiver
        import_module("members.receivers")  # connects the page-cache receivers
