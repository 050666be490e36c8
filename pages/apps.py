from importlib import import_module

from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "pages"
    verbose_name = "Site pages"

    def ready(self):
        # Modules that use the models are loaded here, once the apps are ready.
        import_module("pages.receivers")  # connects the page-cache receivers
