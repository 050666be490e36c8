"""The data follows the import layers (pyproject.toml, [tool.importlinter]): a model
points only at models of its own app or of the layers below, and a migration depends
only on migrations of those apps, so each app's tables can be made without the apps
above it.

The one model every layer may point at is the user model, reached as Django means it to
be, through settings.AUTH_USER_MODEL (a swappable dependency), never by importing members.
"""

import tomllib
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db.migrations.loader import MigrationLoader

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def _layer_of_app() -> dict[str, int]:
    """Each layered app's depth: 0 for the top layer, more for each layer below."""
    contracts = tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]["contracts"]
    [layers] = [contract["layers"] for contract in contracts if contract["type"] == "layers"]
    return {app.strip(): depth for depth, layer in enumerate(layers) for app in layer.split("|")}


def _points_upwards(layer: dict[str, int], from_app: str, to_app: str) -> bool:
    return from_app in layer and to_app in layer and layer[to_app] < layer[from_app]


def test_no_model_points_at_an_app_above_its_own():
    layer = _layer_of_app()
    upwards = [
        f"{model._meta.label}.{field.name} → {field.related_model._meta.label}"
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if field.concrete
        and field.is_relation
        and field.related_model._meta.label != settings.AUTH_USER_MODEL
        and _points_upwards(layer, model._meta.app_label, field.related_model._meta.app_label)
    ]
    assert upwards == []


def test_no_migration_depends_on_an_app_above_its_own():
    layer = _layer_of_app()
    loader = MigrationLoader(None, ignore_no_migrations=True)
    upwards = [
        f"{app_label}.{name} → {dependency[0]}.{dependency[1]}"
        for (app_label, name), migration in loader.disk_migrations.items()
        for dependency in migration.dependencies
        if getattr(dependency, "setting", None) != settings.AUTH_USER_MODEL
        and _points_upwards(layer, app_label, dependency[0])
    ]
    assert upwards == []
