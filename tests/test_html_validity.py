"""Key pages are valid HTML, as the Nu HTML Checker (vnu, the W3C validator) reads them.

vnu is installed from npm by `.ci/run` (`npm ci --prefix .ci/tools`); it needs Java.
Locally without either, this skips; under CI=true it fails.
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from django.utils.text import slugify

from programs.demo import program_load_demo
from tests.conftest import require_service
from tests.factories import (
    CommentFactory,
    EpisodeFactory,
    MembershipFactory,
    TopicFactory,
    site_page,
)

pytestmark = pytest.mark.django_db

VNU_JAR = (
    Path(__file__).resolve().parent.parent / ".ci/tools/node_modules/vnu-jar/build/dist/vnu.jar"
)


def vnu_errors(pages: dict[str, str], tmp_path: Path) -> dict[str, list[str]]:
    """Every error vnu reports, by page name. One Java start for all the pages."""
    files = {}
    for name, html in pages.items():
        path = tmp_path / f"{slugify(name)}.html"
        path.write_text(html)
        files[str(path.resolve())] = name
    result = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--format", "json", "--exit-zero-always", *files],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    errors: dict[str, list[str]] = {}
    for message in json.loads(result.stderr)["messages"]:
        if message["type"] in ("error", "non-document-error"):
            url = message.get("url", "?")
            page = files.get(url.removeprefix("file:").removeprefix("//"), url)
            line, extract = message.get("lastLine"), message.get("extract", "")
            errors.setdefault(page, []).append(f"line {line}: {message['message']} {extract!r}")
    return errors


def test_key_pages_are_valid_html(tmp_path, premium_member):
    require_service(
        shutil.which("java") is not None and VNU_JAR.exists(),
        "the Nu HTML Checker: java 17 and `npm ci --prefix .ci/tools`",
    )
    program_load_demo()
    topic = TopicFactory(slug="sitting", name="Sitting")
    episode = EpisodeFactory(
        slug="sit-better",
        body=(
            "## Why\n\nA table:\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
            "<!-- members-only -->\n\n## More\n\nText."
        ),
    )
    episode.topics.add(topic)
    parent = CommentFactory(episode=episode, body="A question, with a link https://example.com")
    CommentFactory(episode=episode, parent=parent, body="An answer.")
    EpisodeFactory.create_batch(3)

    site_page("privacy")
    visitor = Client()
    member = Client()
    member.force_login(premium_member)
    unasked = Client()  # a premium member the start page asks for consent
    unasked.force_login(MembershipFactory().user)
    urls = {
        "home": (visitor, "/"),
        "episode list": (visitor, "/episodes/"),
        "episode page": (visitor, "/episodes/sit-better/"),
        "episode page (premium)": (member, "/episodes/sit-better/"),
        "topic": (visitor, "/topics/sitting/"),
        "search": (visitor, "/search/?q=sit"),
        "membership": (visitor, "/membership/"),
        "program overview": (visitor, "/program/"),
        "account (member)": (member, "/account/"),
        "privacy notice": (visitor, "/privacy/"),
        "program start, asking consent": (unasked, "/program/start/"),
        "program data (member)": (member, "/account/program-data/"),
    }
    pages = {}
    for name, (client, url) in urls.items():
        response = client.get(url)
        assert response.status_code == 200, name
        pages[name] = response.text
    assert vnu_errors(pages, tmp_path) == {}
