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

from programs import services as program_services
from programs.demo import program_load_demo
from programs.models import Routine
from tests.conftest import require_service
from tests.factories import (
    CommentFactory,
    EpisodeFactory,
    MembershipFactory,
    TopicFactory,
    site_page,
)
from tests.programs.conftest import add_session, on_day

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


def test_key_pages_are_valid_html(tmp_path, premium_member, staff, time_machine):
    require_service(
        shutil.which("java") is not None and VNU_JAR.exists(),
        "the Nu HTML Checker: java 17 and `npm ci --prefix .ci/tools`",
    )
    program_load_demo()
    # A premium member a week into the Program: graded sessions for the charts, and
    # yesterday's session still waiting for its check-in.
    time_machine.move_to(on_day(0))
    program_services.program_start(user=premium_member)
    first_routine = Routine.objects.select_related("phase").order_by("phase__number", "position")[0]
    for day, worst in ((0, 2), (2, 4), (4, 6)):
        add_session(premium_member, first_routine, day, worst=worst)
    add_session(premium_member, first_routine, 6, pain=None)
    time_machine.move_to(on_day(7))
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
    CommentFactory(episode=episode, status="pending", body="Waiting on the staff desk.")
    EpisodeFactory.create_batch(3)

    site_page("privacy")
    visitor = Client()
    member = Client()
    member.force_login(premium_member)
    staff_member = Client()
    staff_member.force_login(staff)
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
        "program dashboard (member)": (member, "/program/"),
        "program history (member)": (member, "/program/history/"),
        "routine (member)": (member, first_routine.get_absolute_url()),
        "routine (visitor)": (visitor, first_routine.get_absolute_url()),
        "staff desk": (staff_member, "/admin/"),
        "privacy notice": (visitor, "/privacy/"),
        "program start, asking consent": (unasked, "/program/start/"),
        "program data (member)": (member, "/account/program-data/"),
    }
    pages = {}
    for name, (client, url) in urls.items():
        response = client.get(url)
        assert response.status_code == 200, name
        pages[name] = response.text
    # The pages are the ones meant: the charts and the desk's moderation queue are on them.
    assert "Show the numbers" in pages["program history (member)"]
    assert "Waiting on the staff desk." in pages["staff desk"]
    assert vnu_errors(pages, tmp_path) == {}
