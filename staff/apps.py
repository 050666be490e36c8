from django.apps import AppConfig


class StaffConfig(AppConfig):
    """The staff's side of the admin: the "This Sunday" desk, a member's page, the status
    page, the admin's sign-in and its site. django.contrib.admin itself is installed
    through staff/admin_config.py, which points it at that site."""

    name = "staff"
    verbose_name = "Staff desk"
