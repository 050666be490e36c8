"""The members-only gate on an article: what a reader who may not read on is shown.

The join panel says what premium costs (the plans of the plans page) and what the locked
part covers (its section titles, from its table of contents), and nothing else of it.
"""

import pytest

from members.models import Plan
from tests.factories import EpisodeFactory, PlanFactory, monthly_and_yearly_plans

pytestmark = pytest.mark.django_db

BODY = (
    "## What everyone should know\n\nPublic words about discs.\n\n"
    "> See a GP today if your leg is getting weaker.\n\n"
    "<!-- members-only -->\n\n"
    "## Your disc routine\n\nLOCKED-PARAGRAPH-ONE about the routine.\n\n"
    "### Stage one: settle & breathe\n\nLOCKED-PARAGRAPH-TWO with the doses.\n\n"
    "- LOCKED-LIST-ITEM\n\n"
    "| Day | What |\n| --- | --- |\n| Monday | LOCKED-TABLE-CELL |\n"
)
LOCKED_TEXT = (
    "LOCKED-PARAGRAPH-ONE",
    "LOCKED-PARAGRAPH-TWO",
    "LOCKED-LIST-ITEM",
    "LOCKED-TABLE-CELL",
)


@pytest.fixture
def plans(db):
    monthly_and_yearly_plans()
    PlanFactory(name="Old", stripe_price_id="price_join_old", amount=500, active=False)


@pytest.fixture
def article(db):
    return EpisodeFactory(slug="discs-in-depth", body=BODY)


def panel_of(html: str) -> str:
    assert '<aside class="paywall ' in html, "no join panel on the page"
    return html.split('<aside class="paywall ')[1].split("</aside>")[0]


def test_visitor_sees_the_price_of_each_plan_on_offer(visitor, plans, article):
    panel = panel_of(visitor.get(article.get_absolute_url()).text)

    assert "£9 a month or £90 a year" in panel
    assert "£5" not in panel  # an inactive plan is not offered


def test_visitor_sees_the_locked_parts_headings(visitor, plans, article):
    panel = panel_of(visitor.get(article.get_absolute_url()).text)

    assert "Your disc routine" in panel
    assert "Stage one: settle &amp; breathe" in panel  # escaped once, not "&amp;amp;"


def test_visitor_never_gets_the_locked_parts_text(visitor, plans, article):
    html = visitor.get(article.get_absolute_url()).text

    for text in LOCKED_TEXT:
        assert text not in html
    # Titles only: no anchors.
    assert 'id="m-' not in html
    assert 'href="#m-' not in html


def test_free_member_sees_the_price_and_the_locked_headings(client, free_member, plans, article):
    client.force_login(free_member)
    html = client.get(article.get_absolute_url()).text
    panel = panel_of(html)

    assert "£9 a month or £90 a year" in panel
    assert "Your disc routine" in panel
    for text in LOCKED_TEXT:
        assert text not in html


def test_premium_member_reads_everything_and_gets_no_panel(client, premium_member, plans, article):
    client.force_login(premium_member)
    html = client.get(article.get_absolute_url()).text

    assert '<aside class="paywall ' not in html
    for text in LOCKED_TEXT:
        assert text in html


def test_without_plans_the_panel_names_no_price(visitor, article):
    Plan.objects.update(active=False)
    panel = panel_of(visitor.get(article.get_absolute_url()).text)

    assert "Premium is" not in panel
    assert "Join premium" in panel


def test_a_new_price_shows_on_the_cached_page_at_once(visitor, plans, article):
    """Visitors' pages are cached whole: saving a plan must forget them."""
    assert "£9 a month" in panel_of(visitor.get(article.get_absolute_url()).text)

    monthly = Plan.objects.get(stripe_price_id="price_monthly")
    monthly.amount = 1200
    monthly.save()

    assert "£12 a month or £90 a year" in panel_of(visitor.get(article.get_absolute_url()).text)


def test_an_article_without_a_locked_part_has_no_panel(visitor, plans):
    episode = EpisodeFactory(slug="all-public", body="## Open\n\nEveryone reads this.")
    assert '<aside class="paywall ' not in visitor.get(episode.get_absolute_url()).text
