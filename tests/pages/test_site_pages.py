"""The site's own pages: at fixed addresses, linked from every page's footer, written in
Markdown by staff, rendered safely, versioned on every change, and cached for visitors."""

import datetime as dt
import io
from collections import Counter

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError
from django.test import Client
from django.utils import timezone

from pages import services
from pages.demo import demo_page_read, pages_load_demo
from pages.models import Page, PageKind, PageVersion
from programs.demo import program_load_demo
from programs.services import RED_FLAGS
from tests.factories import EpisodeFactory, TopicFactory, site_page

pytestmark = pytest.mark.django_db

ADDRESSES = {
    PageKind.PRIVACY: "/privacy/",
    PageKind.TERMS: "/terms/",
    PageKind.CANCELLATION: "/cancellation/",
    PageKind.CONTACT: "/contact/",
    PageKind.ABOUT: "/about/",
    PageKind.ACCESSIBILITY: "/accessibility/",
    PageKind.MEDICAL_DISCLAIMER: "/medical-disclaimer/",
}


@pytest.fixture
def site_pages(db):
    pages_load_demo(tally=Counter())
    return {page.kind: page for page in Page.objects.all()}


def footer_of(html: str) -> str:
    return html[html.index('<footer class="site-footer">') :]


# --- Where they are ----------------------------------------------------------------------


def test_every_page_kind_has_a_fixed_address():
    assert {kind: f"/{kind}/" for kind in PageKind.values} == ADDRESSES


@pytest.mark.parametrize("kind", PageKind.values)
def test_each_page_answers_at_its_address_with_its_words_and_date(visitor, site_pages, kind):
    page = site_pages[kind]
    response = visitor.get(ADDRESSES[kind])

    assert response.status_code == 200
    assert f"<h1>{page.title}</h1>" in response.text
    assert f'Last updated <time datetime="{timezone.localtime(page.updated_at):%Y-%m-%d}"' in (
        response.text
    )
    assert f"<title>{page.title} · Back In Shape</title>" in response.text


def test_a_page_not_written_yet_is_not_found(visitor):
    assert visitor.get("/privacy/").status_code == 404


def test_no_other_top_level_address_is_taken(visitor, site_pages):
    assert visitor.get("/privacy-policy/").status_code == 404
    assert visitor.get("/admin-notes/").status_code == 404


def test_the_footer_of_every_public_page_links_every_site_page(
    visitor, free_member, site_pages, episode
):
    topic = TopicFactory(slug="sitting")
    EpisodeFactory(slug="sit-well", topics=[topic])
    program_load_demo()
    public = [
        "/",
        "/episodes/",
        f"/episodes/{episode.slug}/",
        "/topics/",
        "/topics/sitting/",
        "/search/?q=back",
        "/program/",
        "/program/build-the-base/first-bridges/",
        "/program/get-help-now/",
        "/membership/",
        "/subscribe/",
        "/accounts/login/",
        "/accounts/signup/",
        "/no-such-page/",
        *ADDRESSES.values(),
    ]
    member = Client()
    member.force_login(free_member)
    missing = []
    for client, who in ((visitor, "visitor"), (member, "member")):
        for url in public:
            if who == "member" and url.startswith("/accounts/"):
                continue  # signed in, these send you on
            footer = footer_of(client.get(url).text)
            missing += [
                f"{who} {url}: {address}"
                for address in ADDRESSES.values()
                if f'href="{address}"' not in footer
            ]
    assert missing == []


def test_the_site_pages_are_in_the_sitemap(visitor, site_pages):
    sitemap = visitor.get("/sitemap.xml").text
    for address in ADDRESSES.values():
        assert f"<loc>http://testserver{address}</loc>" in sitemap


# --- Markdown, safely ----------------------------------------------------------------------


def test_a_page_renders_markdown_headings_lists_and_links(visitor):
    site_page(
        PageKind.CONTACT,
        body="## Email us\n\n- **Write** to [us](mailto:hello@example.com)\n- or call",
    )
    html = visitor.get("/contact/").text

    assert '<h2 id="s-email-us">Email us</h2>' in html
    assert "<li><strong>Write</strong> to" in html
    assert 'href="mailto:hello@example.com"' in html


def test_a_page_never_carries_script_handlers_or_javascript_links(visitor):
    site_page(
        PageKind.ABOUT,
        body=(
            "Hello <script>alert('x')</script>\n\n"
            '<img src="/static/img/logo.svg" onerror="alert(1)" alt="logo">\n\n'
            '[click](javascript:alert(1)) <iframe src="https://evil.example"></iframe>'
        ),
    )
    html = visitor.get("/about/").text
    main = html[html.index('<main id="main"') : html.index("</main>")]

    assert "<script" not in main
    assert "onerror" not in main
    assert "javascript:" not in main
    assert "<iframe" not in main


# --- Versions ------------------------------------------------------------------------------


def test_each_save_that_changes_the_words_keeps_the_one_before(staff):
    page = Page(kind=PageKind.TERMS)
    with time_machine.travel(dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC), tick=False):
        services.page_save(page=page, title="Terms", summary="Ours.", body="First words.", by=staff)
    with time_machine.travel(dt.datetime(2026, 2, 9, 9, tzinfo=dt.UTC), tick=False):
        services.page_save(page=page, title="Terms", summary="Ours.", body="Second words.")

    page.refresh_from_db()
    assert page.version == 2
    assert page.body == "Second words."
    assert page.updated_at == dt.datetime(2026, 2, 9, 9, tzinfo=dt.UTC)
    first, second = page.versions.order_by("number")
    assert (first.number, first.body, first.saved_by) == (1, "First words.", staff)
    assert first.saved_at == dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)
    assert (second.number, second.body) == (2, "Second words.")


def test_a_save_that_changes_nothing_keeps_no_version_and_the_same_date():
    page = site_page(PageKind.TERMS, body="Line one.\nLine two.")
    updated_at = page.updated_at

    # A browser posts a textarea's lines with CRLF.
    version = services.page_save(
        page=page, title=page.title, summary=page.summary, body="Line one.\r\nLine two.\r\n"
    )

    page.refresh_from_db()
    assert version is None
    assert (page.version, page.updated_at) == (1, updated_at)
    assert page.versions.count() == 1


def test_the_page_shows_its_new_words_to_the_next_visitor_at_once(site_pages):
    first = Client().get("/about/")
    assert Client().get("/about/")["X-Cache"] == "hit"  # kept for visitors
    page = site_pages[PageKind.ABOUT]

    services.page_save(page=page, title=page.title, summary=page.summary, body="New words here.")

    again = Client().get("/about/")
    assert again["X-Cache"] == "miss"
    assert "New words here." in again.text
    assert "New words here." not in first.text


def test_a_material_change_says_what_changed():
    page = site_page(PageKind.PRIVACY)
    with pytest.raises(ValidationError, match="Say in one line what changed"):
        services.page_save(
            page=page, title=page.title, summary=page.summary, body="More.", material=True
        )
    assert page.versions.count() == 1


def test_only_the_privacy_notice_and_terms_announce_a_change():
    page = site_page(PageKind.ABOUT)
    with pytest.raises(ValidationError, match="Only changes to the privacy notice and the terms"):
        services.page_save(
            page=page,
            title=page.title,
            summary=page.summary,
            body="Other words.",
            material=True,
            change_note="Something.",
        )


def test_the_database_refuses_a_material_version_without_what_changed():
    page = site_page(PageKind.PRIVACY)
    with pytest.raises(IntegrityError):
        PageVersion.objects.create(
            page=page, number=2, title="t", summary="s", body="b", is_material=True
        )


# --- The admin -----------------------------------------------------------------------------


def change_form(page, **changes):
    data = {
        "title": page.title,
        "summary": page.summary,
        "body": page.body,
        "versions-TOTAL_FORMS": "0",
        "versions-INITIAL_FORMS": str(page.versions.count()),
        "versions-MIN_NUM_FORMS": "0",
        "versions-MAX_NUM_FORMS": "0",
    }
    return {**data, **changes}


def test_the_admin_list_shows_each_page_its_address_version_and_date(staff_client, site_pages):
    html = staff_client.get("/admin/pages/page/").text
    for kind, page in site_pages.items():
        assert page.title in html
        assert f'href="{ADDRESSES[kind]}"' in html
    assert "None yet" in html  # no material change to the privacy notice or terms so far


def test_staff_edit_a_page_and_its_old_words_stay_readable(staff_client, staff, site_pages):
    page = site_pages[PageKind.CANCELLATION]
    old_body = page.body
    url = f"/admin/pages/page/{page.pk}/change/"

    response = staff_client.post(url, change_form(page, body=old_body + "\n\nA new line."))

    assert response.status_code == 302
    page.refresh_from_db()
    assert page.version == 2
    latest = page.versions.get(number=2)
    assert latest.saved_by == staff
    first = page.versions.get(number=1)
    old = staff_client.get(f"/admin/pages/pageversion/{first.pk}/change/").text
    assert "The first version." in old
    assert "Keep my data" not in old  # the site's page, not the admin's
    diff = staff_client.get(f"/admin/pages/pageversion/{latest.pk}/change/").text
    assert "+A new line." in diff
    assert "Version 1" in staff_client.get(url).text  # the page lists its versions


def test_a_material_change_without_a_line_is_refused_beside_the_field(staff_client, site_pages):
    page = site_pages[PageKind.PRIVACY]
    typed = page.body + "\n\nWe now keep less."

    response = staff_client.post(
        f"/admin/pages/page/{page.pk}/change/",
        change_form(page, body=typed, material="on", change_note=""),
    )

    assert response.status_code == 200
    assert "Say in one line what changed: members read it." in response.text
    assert "We now keep less." in response.text  # what was typed is kept
    page.refresh_from_db()
    assert page.version == 1


def test_staff_cannot_delete_a_page_or_change_a_version(staff_client, site_pages):
    page = site_pages[PageKind.TERMS]
    version = page.versions.get()
    assert staff_client.get(f"/admin/pages/page/{page.pk}/delete/").status_code == 403
    response = staff_client.post(
        f"/admin/pages/pageversion/{version.pk}/change/", {"body": "Rewritten history."}
    )
    assert response.status_code == 403
    version.refresh_from_db()
    assert version.body != "Rewritten history."


# --- The first versions ----------------------------------------------------------------------


def test_the_demo_writes_each_page_once_and_then_leaves_staffs_words_alone():
    tally = Counter()
    assert pages_load_demo(tally=tally) == len(PageKind)
    page = Page.objects.get(kind=PageKind.CONTACT)
    services.page_save(page=page, title=page.title, summary=page.summary, body="Staff's words.")

    assert pages_load_demo(tally=Counter()) == 0
    page.refresh_from_db()
    assert page.body == "Staff's words."
    assert Page.objects.count() == len(PageKind)
    assert PageVersion.objects.count() == len(PageKind) + 1


# A word from each red-flag question, as the medical disclaimer must say it too.
RED_FLAG_WORDS = {
    "saddle_numbness": "saddle area",
    "bladder_bowel": "bladder or bowels",
    "leg_weakness": "weakness or numbness in one or both legs",
    "fever": "high temperature",
    "night_pain": "no better when you lie still or at night",
    "injury": "after a fall",
    "weight_cancer": "history of cancer",
}


def test_the_medical_disclaimer_names_every_sign_the_safety_check_asks_about():
    assert set(RED_FLAG_WORDS) == set(RED_FLAGS)
    text = demo_page_read(PageKind.MEDICAL_DISCLAIMER)["body"].lower().replace("\n", " ")
    missing = [key for key, words in RED_FLAG_WORDS.items() if words not in text]
    assert missing == []


def test_the_privacy_notice_states_the_retention_the_site_applies(settings):
    text = demo_page_read(PageKind.PRIVACY)["body"].replace("\n", " ")
    assert f"quiet for {settings.PROGRAM_DATA_RETENTION_DAYS} days" in text
    assert f"deleted {settings.COMMENT_IP_RETENTION_DAYS} days after the comment" in text


def test_the_cancellation_page_states_the_grace_period_the_site_applies(settings):
    text = demo_page_read(PageKind.CANCELLATION)["body"].replace("\n", " ")
    assert f"keep premium for {settings.MEMBERSHIP_GRACE_DAYS} days" in text


def test_a_new_site_loads_its_first_pages_with_one_command():
    out = io.StringIO()
    call_command("load_site_pages", stdout=out)
    assert "Site pages: 7 written." in out.getvalue()
    assert Page.objects.filter(version=1).count() == len(PageKind)

    out = io.StringIO()
    call_command("load_site_pages", stdout=out)
    assert out.getvalue().strip() == "Site pages: 0 written."
