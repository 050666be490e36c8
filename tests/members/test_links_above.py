"""Members sits below episodes and the Program in the layers (pyproject.toml), so its code
names none of their pages: it reaches them through settings (MEMBERS_HOME_URL,
MEMBERS_PROGRAM_URL, MEMBERS_PRIVATE_FEED_URL), which the project fills in. Its
templates may link anywhere with {% url %}."""

import ast
import tomllib
from pathlib import Path

from django.urls import URLResolver, get_resolver

ROOT = Path(__file__).resolve().parent.parent.parent


def _apps_above_members() -> set[str]:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    [layers] = [
        contract["layers"]
        for contract in pyproject["tool"]["importlinter"]["contracts"]
        if contract["type"] == "layers"
    ]
    above = layers[: next(i for i, layer in enumerate(layers) if "members" in layer.split(" | "))]
    return {app.strip() for layer in above for app in layer.split("|")}


def _url_names_of(apps: set[str]) -> set[str]:
    """Every URL name (with its namespace) whose view belongs to one of these apps."""
    names = set()

    def walk(patterns, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner)
            elif pattern.name and pattern.callback.__module__.split(".")[0] in apps:
                names.add(namespace + pattern.name)

    walk(get_resolver().url_patterns, "")
    return names


def test_members_code_names_no_page_of_the_apps_above_it():
    above = _url_names_of(_apps_above_members())
    assert {"episodes:home", "programs:overview"} <= above  # the rule sees what it guards
    named = [
        f"{path.relative_to(ROOT)}:{node.lineno} {node.value!r}"
        for path in sorted((ROOT / "members").rglob("*.py"))
        if "migrations" not in path.parts
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Constant) and node.value in above
    ]
    assert named == []
