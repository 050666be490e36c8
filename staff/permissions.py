"""The admin's rule for opening a model's pages, as the desk and a member's page ask it."""


def can_view_model(user, app_model: str) -> bool:
    """Whether `user` may open the admin pages of "app_label.model": with its view
    permission, or with its change permission, which the admin takes to include viewing
    (Django's ModelAdmin.has_view_permission)."""
    app, model = app_model.split(".")
    return user.has_perm(f"{app}.view_{model}") or user.has_perm(f"{app}.change_{model}")
