"""One vocabulary across the site's words: templates, demo content, emails and the README.

Each check names a slip that has happened before, so it cannot come back unnoticed.
"""

import re
from pathlib import Path

import pytest

from members import demo as members_demo
from programs import demo as program_demo

ROOT = Path(__file__).resolve().parent.parent
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}


def copy_files() -> list[Path]:
    files = [
        *sorted((ROOT / "templates").rglob("*.html")),
        *sorted((ROOT / "templates").rglob("*.txt")),
        *sorted((ROOT / "episodes" / "demo_articles").glob("*.md")),
        *sorted((ROOT / "pages" / "demo_pages").glob("*.md")),
        ROOT / "episodes" / "demo.py",
        ROOT / "members" / "demo.py",
        ROOT / "programs" / "demo.py",
        ROOT / "README.md",
        ROOT / "locale" / "en_GB" / "LC_MESSAGES" / "django.po",
    ]
    return [path for path in files if path.exists()]


def occurrences(pattern: str) -> list[tuple[str, re.Match]]:
    """Every match of `pattern` in the copy, with where it is ("README.md:12")."""
    found = []
    for path in copy_files():
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            for match in re.finditer(pattern, line, re.IGNORECASE):
                found.append((f"{path.relative_to(ROOT)}:{number}", match))
    return found


def listed(hits) -> str:
    return "\n".join(f"{where}: {match.group(0)!r}" for where, match in hits)


def test_the_copy_is_read_from_the_real_files():
    assert len(copy_files()) > 20
    assert occurrences(r"Back In Shape Program")


def test_the_number_of_phases_matches_the_program():
    phases = len(program_demo.PHASES)
    counted = occurrences(r"\b(one|two|three|four|five|six|seven|\d+) phases\b")
    wrong = [
        (where, match)
        for where, match in counted
        if NUMBER_WORDS.get(match.group(1).lower(), match.group(1)) not in (phases, str(phases))
    ]
    assert counted, "no copy says how many phases there are"
    assert not wrong, f"The Program has {phases} phases:\n{listed(wrong)}"


@pytest.mark.parametrize(
    ("slip", "say"),
    [
        (r"\bas written\b", "as prescribed"),
        (r"\bmembers' routines?\b", "premium routines, or the Program"),
        (r"\bmembers-only routines?\b", "the Program's routines"),
    ],
)
def test_no_slips_in_the_vocabulary(slip, say):
    hits = occurrences(slip)
    assert not hits, f"Say {say!r}:\n{listed(hits)}"


def test_the_demo_plans_describe_what_premium_includes():
    for plan in members_demo.PLANS:
        assert "members-only routine" not in plan["description"]
