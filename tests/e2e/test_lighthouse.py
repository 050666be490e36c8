"""Lighthouse's best-practices audit scores the main pages 100.

Lighthouse is installed from npm by `.ci/run` (`npm ci --prefix .ci/tools`) and drives
Debian's Chromium. Locally without it this skips; under CI=true it fails.
"""

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import require_service
from tests.e2e.site_content import build_site_content
from tests.factories import EpisodeFactory

pytestmark = pytest.mark.e2e

LIGHTHOUSE = Path(__file__).resolve().parents[2] / ".ci/tools/node_modules/.bin/lighthouse"
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-background-networking"


def best_practices(url: str, tmp_path: Path) -> tuple[float, list[str]]:
    """The best-practices score of `url`, and what each failing audit found."""
    report = tmp_path / "report.json"
    subprocess.run(
        [
            str(LIGHTHOUSE),
            url,
            "--only-categories=best-practices",
            "--output=json",
            f"--output-path={report}",
            f"--chrome-flags={CHROME_FLAGS}",
            "--quiet",
        ],
        env={**os.environ, "CHROME_PATH": "/usr/bin/chromium"},
        check=True,
        timeout=180,
    )
    result = json.loads(report.read_text())
    category = result["categories"]["best-practices"]
    failures = []
    for ref in category["auditRefs"]:
        audit = result["audits"][ref["id"]]
        if ref["weight"] and audit.get("score") is not None and audit["score"] < 1:
            items = audit.get("details", {}).get("items", [])
            failures.append(f"{audit['title']}: {json.dumps(items)[:500]}")
    return category["score"], failures


@pytest.mark.parametrize("path", ["/", "/episodes/hinge-from-the-hips/"])
def test_lighthouse_best_practices_scores_100(live_server, tmp_path, path):
    require_service(LIGHTHOUSE.exists(), "Lighthouse: `npm ci --prefix .ci/tools`")
    build_site_content()

    score, failures = best_practices(live_server.url + path, tmp_path)

    assert failures == []
    assert score == 1


def test_lighthouse_reports_a_real_problem(live_server, tmp_path):
    """The check can fail: a cover whose file is missing is a failed load, which Lighthouse
    counts as a browser error."""
    require_service(LIGHTHOUSE.exists(), "Lighthouse: `npm ci --prefix .ci/tools`")
    EpisodeFactory(cover_image="covers/gone-missing.png", cover_alt="A cover")

    score, failures = best_practices(live_server.url + "/", tmp_path)

    assert score < 1
    assert any("Browser errors were logged to the console" in f for f in failures)
