from django.apps import AppConfig


class DemoStripeConfig(AppConfig):
    name = "demostripe"
    verbose_name = "Demo payments"
    default_auto_field = "django.db.models.BigAutoField"
