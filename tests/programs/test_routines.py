import pytest

from programs.demo import program_load_demo
from programs.models import Phase, Routine

pytestmark = pytest.mark.django_db

ROUTINE_URL = "/program/build-the-base/first-bridges/"
INSTRUCTION_TEXT = "Nothing here should push your pain above 3 out of 10"


@pytest.fixture
def program():
    return program_load_demo()


def test_overview_lists_phases_and_routines(visitor, program):
    page = visitor.get("/program/").text
    assert "Build the base" in page
    assert "First bridges" in page
    assert INSTRUCTION_TEXT not in page


def test_visitor_sees_the_routine_locked(visitor, program):
    response = visitor.get(ROUTINE_URL)
    assert response.status_code == 200
    assert INSTRUCTION_TEXT not in response.text
    assert "This routine is for premium members" in response.text


def test_free_member_sees_the_routine_locked(client, free_member, program):
    client.force_login(free_member)
    assert INSTRUCTION_TEXT not in client.get(ROUTINE_URL).text


def test_premium_member_reads_the_routine(client, premium_member, program):
    client.force_login(premium_member)
    response = client.get(ROUTINE_URL)
    assert INSTRUCTION_TEXT in response.text
    assert "This routine is for premium members" not in response.text


def test_unknown_routine_is_404(visitor, program):
    assert visitor.get("/program/build-the-base/nope/").status_code == 404


def test_loading_the_demo_program_twice_changes_nothing(program):
    before = (Phase.objects.count(), Routine.objects.count())
    program_load_demo()
    assert (Phase.objects.count(), Routine.objects.count()) == before


def test_routine_pages_are_in_the_sitemap(visitor, program):
    assert ROUTINE_URL in visitor.get("/sitemap.xml").text
