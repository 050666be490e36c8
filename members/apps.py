from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = "Members"

    def ready(self):
        from . import (
            esp_webhooks,  # noqa: F401  (connects the anymail tracking receiver)
            receivers,  # noqa: F401 (connects the page-cache receivers)
        )
