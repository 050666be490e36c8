from importlib import import_module

from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = "Members"

    def ready(self):
        # Modules that use the models are loaded here, once the apps are ready.
        import_module("members.esp_webhooks")  # connects the anymail tracking receiver
        # Tells the demo Stripe our prices and webhook; it is used only in demo mode.
        import_module("members.demo_payments").demo_payments_connect()
        # A material change to the privacy notice or terms flags who should be told.
        services = import_module("members.services")
        import_module("pages.services").register_material_change_listener(
            services.policy_notice_flag
        )
