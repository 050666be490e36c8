"""django.contrib.admin's app config, pointing at our admin site.

Apart from the rest of the admin code, because Django imports an app config while it is
still loading the apps: this module imports no model, and the site class (which needs the
apps' models and services) is looked up by name only once they are ready. Not in
staff/apps.py either: Django takes an app's config from its apps.py only when that module
holds a single one.
"""

from django.contrib.admin.apps import AdminConfig


class BackInShapeAdminConfig(AdminConfig):
    default_site = "staff.site.BackInShapeAdminSite"
