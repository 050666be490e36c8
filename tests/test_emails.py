"""What a mail server receives from the site: headers and the HTML layout.

Each email here goes through a real SMTP conversation (aiosmtpd, the smtp_sink fixture)
and is read back from the bytes the server got, as a receiving server or a spam filter
reads it.
"""

import datetime as dt
import email
import email.policy

import pytest
from django.test import Client
from django.utils import timezone
from lxml import html as lxml_html

from common import emails
from episodes.mailing import release_send
from programs import reminders
from programs import services as program_services
from programs.demo import program_load_demo
from programs.models import Routine
from tests.factories import EpisodeFactory, SubscriberFactory
from tests.programs.factories import SessionLogFactory

pytestmark = pytest.mark.django_db

DOMAIN = "backinshape.example"


@pytest.fixture(autouse=True)
def _public_site(settings):
    settings.SITE_URL = f"https://{DOMAIN}"


def received(sink, *, to: str | None = None) -> list[email.message.EmailMessage]:
    """What the server received (only what went to `to`, if given)."""
    messages = [email.message_from_bytes(raw, policy=email.policy.default) for raw in sink.messages]
    return [m for m in messages if to is None or to in str(m["To"])]


def html_of(message) -> lxml_html.HtmlElement:
    return lxml_html.document_fromstring(message.get_body(preferencelist=("html",)).get_content())


@pytest.fixture
def checkin_reminder(smtp_sink, premium_member):
    """The check-in reminder for yesterday's session, as the mail server received it."""
    program_load_demo()
    program_services.program_start(user=premium_member)
    routine = Routine.objects.order_by("phase__number", "position").first()
    session = SessionLogFactory(
        user=premium_member, routine=routine, date=timezone.localdate() - dt.timedelta(days=1)
    )
    assert reminders.checkin_reminder_send(session=session)
    (message,) = received(smtp_sink)
    return message


def test_the_checkin_reminder_names_its_list(checkin_reminder):
    assert checkin_reminder["List-Id"] == (
        f"Back In Shape check-in reminders <checkin-reminders.{DOMAIN}>"
    )
    assert checkin_reminder["List-Unsubscribe"].strip().startswith(f"<https://{DOMAIN}/program/")
    assert checkin_reminder["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_the_checkin_reminder_has_the_emails_layout(checkin_reminder):
    page = html_of(checkin_reminder)

    assert page.xpath("//head/meta[@charset='utf-8']")
    assert page.xpath("//head/meta[@name='viewport']")
    assert page.findtext(".//title") == "How does your back feel this morning?"
    assert "font-family" in page.body.get("style")
    assert "max-width:600px" in page.body[1].get("style")  # the column after the preview line
    (button,) = page.xpath("//a[text()='Check in now']")
    assert "#checkin-" in button.get("href")
    assert "background:#0f5e6b" in button.get("style")


@pytest.mark.parametrize("email_name", ["checkin reminder", "sunday email"])
def test_the_preview_line_is_hidden_without_the_style_block(
    smtp_sink, premium_member, premium_episode, email_name, request
):
    if email_name == "checkin reminder":
        message = request.getfixturevalue("checkin_reminder")
    else:
        SubscriberFactory(email="reader@example.com")
        release_send(episode=premium_episode)
        (message,) = received(smtp_sink, to="reader@example.com")
    page = html_of(message)
    for style in page.xpath("//style"):  # as a client that drops <style> does
        style.drop_tree()

    (preview,) = page.find_class("preheader")

    assert preview.text_content().strip()
    assert "display:none" in preview.get("style")
    assert "max-height:0" in preview.get("style")


def test_every_html_email_shares_the_layout(mailoutbox, premium_member):
    facts = emails.MembershipFacts(
        name="Priya",
        plan=None,
        current_period_end=None,
        grace_ends=None,
        account_url=f"https://{DOMAIN}/account/",
        membership_url=f"https://{DOMAIN}/membership/",
        program_url=f"https://{DOMAIN}/program/",
    )
    emails.membership_welcome("a@example.com", facts)
    emails.membership_payment_failed("a@example.com", facts)
    emails.membership_ended("a@example.com", facts)
    emails.subscribe_confirm("a@example.com", confirm_path="/subscribe/confirm/abc/")

    for message in mailoutbox:
        page = lxml_html.document_fromstring(message.alternatives[0][0])
        assert page.xpath("//head/meta[@charset='utf-8']"), message.subject
        assert page.xpath("//head/meta[@name='viewport']"), message.subject
        assert page.findtext(".//title") == message.subject
        assert page.find_class("preheader")[0].text_content().strip(), message.subject


def _release(client, episode):
    SubscriberFactory(email="reader@example.com")
    release_send(episode=episode)
    return "reader@example.com"


def _release_one_by_one(client, episode):
    SubscriberFactory(email='"odd reader"@example.com')
    release_send(episode=episode)
    return '"odd reader"@example.com'


def _subscribe(client, episode):
    client.post("/subscribe/", {"email": "reader@example.com"}, HTTP_ORIGIN=f"https://{DOMAIN}")
    return "reader@example.com"


def _password_reset(client, episode):
    client.post("/accounts/password/reset/", {"email": "premium.member@example.com"})
    return "premium.member@example.com"


@pytest.mark.parametrize(
    "send",
    [
        pytest.param(_release, id="the Sunday email, serialised once and copied per reader"),
        pytest.param(_release_one_by_one, id="the Sunday email, built for one reader"),
        pytest.param(_subscribe, id="the Sunday email's confirmation"),
        pytest.param(_password_reset, id="an account email (allauth)"),
    ],
)
def test_every_email_has_a_message_id_in_the_sites_domain(
    smtp_sink, premium_member, premium_episode, send
):
    address = send(Client(), premium_episode)

    (message,) = received(smtp_sink, to=address)
    assert message["Message-ID"].endswith(f"@{DOMAIN}>")


def test_each_copy_of_the_sunday_email_has_its_own_message_id(smtp_sink, premium_episode):
    for n in range(3):
        SubscriberFactory(email=f"reader{n}@example.com")

    release_send(episode=premium_episode)

    ids = [message["Message-ID"] for message in received(smtp_sink)]
    assert len(ids) == len(set(ids)) >= 3


def test_a_sunday_email_with_curly_quotes_reaches_every_reader(smtp_sink):
    episode = EpisodeFactory(title="Don’t panic — it’s a disc", standfirst="Why it’s “fine”.")
    for n in range(2):
        SubscriberFactory(email=f"reader{n}@example.com")

    release_send(episode=episode)

    messages = received(smtp_sink, to="@example.com")
    assert len(messages) == 2
    for message in messages:
        assert message["Subject"].strip() == "New episode: Don’t panic — it’s a disc"
        assert "Why it’s “fine”." in message.get_body(preferencelist=("plain",)).get_content()
        assert html_of(message).findtext(".//h1") == "Don’t panic — it’s a disc"
