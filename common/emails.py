"""The one way the site sends email: one named function per email.

Each email is three templates under templates/emails/: NAME-subject.txt, NAME-body.txt
and NAME-body.html, sent as multipart/alternative (plain text first, HTML second). The
functions below are the only callers of those templates, so what each email needs is
written once, as its parameters, and a misspelt template name or context key cannot
reach a reader.
"""

import datetime as dt
from dataclasses import dataclass, fields
from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils.encoding import punycode


def site_mail_domain() -> str:
    """The site's host name (from SITE_URL), as an email header writes it (IDNA)."""
    return punycode(urlsplit(settings.SITE_URL).hostname or "localhost")


def site_message_id() -> str:
    """A new Message-ID in the site's own domain.

    Django writes the machine's host name there (socket.getfqdn(): "localhost" in many a
    container), which says nothing about who sent the message and is one of the things
    spam filters score. RFC 5322 §3.6.4 asks for a globally unique id; a domain the
    sender holds gives that. Every message gets one: common/email_backends.py for what
    Django sends, and the Sunday email's own SMTP path (episodes/mailing/message.py).
    """
    return make_msgid(domain=site_mail_domain())


def list_id(*, label: str, description: str) -> str:
    """An RFC 2919 List-Id in the site's domain: `description <label.domain>`."""
    return f"{description} <{label}.{site_mail_domain()}>"


def _message(
    template: str, to: str, context: dict, *, headers: dict | None = None
) -> EmailMultiAlternatives:
    context = {"SITE_URL": settings.SITE_URL, "SITE_NAME": "Back In Shape", **context}
    subject = render_to_string(f"emails/{template}-subject.txt", context)
    subject = " ".join(subject.split())  # one line, whatever the template's whitespace
    text = render_to_string(f"emails/{template}-body.txt", context)
    html = render_to_string(f"emails/{template}-body.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=headers or {},
    )
    message.attach_alternative(html, "text/html")
    return message


def _one_click_unsubscribe(url: str) -> dict[str, str]:
    # RFC 2369 List-Unsubscribe, with RFC 8058's one-click POST, as Gmail and Yahoo
    # require of bulk mail.
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def subscribe_confirm(to: str, *, confirm_path: str) -> None:
    """The double opt-in link for the Sunday email."""
    _message("subscribe-confirm", to, {"confirm_path": confirm_path}).send()


@dataclass(frozen=True)
class MembershipFacts:
    """What every membership email says about the membership."""

    name: str
    plan: object
    current_period_end: dt.datetime | None
    grace_ends: dt.datetime | None
    account_url: str
    membership_url: str
    program_url: str

    def as_context(self) -> dict:
        return {field.name: getattr(self, field.name) for field in fields(self)}


def membership_welcome(to: str, facts: MembershipFacts) -> None:
    _message("membership-welcome", to, facts.as_context()).send()


def membership_payment_failed(to: str, facts: MembershipFacts) -> None:
    _message("membership-payment-failed", to, facts.as_context()).send()


def membership_ended(to: str, facts: MembershipFacts) -> None:
    _message("membership-ended", to, facts.as_context()).send()


def checkin_reminder(to: str, *, session, checkin_url: str, stop_url: str) -> None:
    """The morning-after reminder to check in on a session; `stop_url` turns them off.

    A List-Id beside the one-click List-Unsubscribe: a short message with only part of a
    list's headers is what SpamAssassin's LIST_PARTIAL_SHORT_MSG scores."""
    _message(
        "checkin-reminder",
        to,
        {"session": session, "checkin_url": checkin_url, "stop_url": stop_url},
        headers={
            **_one_click_unsubscribe(stop_url),
            "List-Id": list_id(
                label="checkin-reminders", description="Back In Shape check-in reminders"
            ),
        },
    ).send()


def release(
    to: str, *, episode, episode_url: str, toc, unsubscribe_url: str, list_id: str
) -> EmailMultiAlternatives:
    """The Sunday email for one episode, built, not sent: the release sends it to many
    (see episodes/mailing/message.py's ReleaseEmail). `list_id` is its RFC 2919 List-Id."""
    return _message(
        "release",
        to,
        {
            "episode": episode,
            "episode_url": episode_url,
            "toc": toc,
            "unsubscribe_url": unsubscribe_url,
        },
        headers={**_one_click_unsubscribe(unsubscribe_url), "List-Id": list_id},
    )
