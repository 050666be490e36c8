"""The Sunday email itself: subject, text and HTML parts, headers, and each recipient's
merge values (the signed unsubscribe link), rendered once per chunk."""

import re
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import sanitize_address
from django.urls import reverse

from common import emails
from episodes.models import Episode
from episodes.rendering import render_episode_article
from members.services import sunday_email_unsubscribe_token

# A plain ASCII addr-spec: the addresses the pre-built fast path takes as they are. Anything
# else (IDN, quoted local parts, malformed) goes through Django's own address handling.
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")


class ReleaseEmail:
    """One episode's Sunday email, rendered once and addressed to each recipient.

    The templates are rendered once per chunk with stand-ins for what differs per person
    (the address and the signed unsubscribe link); for_recipient() fills them in. The same
    split (one body + per-recipient merge values) is what an ESP's batch send takes.

    For SMTP, raw_for_recipient() goes one step further: the MIME message is serialised
    once and each recipient's copy is that text with the stand-ins and a fresh Message-ID
    swapped in, which is most of the cost of a message saved (see make bench-email). It is
    used only when each stand-in is found intact in the serialised text.
    """

    PLACEHOLDER = "https://unsubscribe.invalid/RECIPIENT-TOKEN"
    PLACEHOLDER_ADDRESS = "recipient@unsubscribe.invalid"
    _TOKEN = "RECIPIENT-TOKEN-0"

    def __init__(self, *, template, subject_prefix: str = ""):
        self.template = template
        self.html = template.alternatives[0][0]
        self.subject = subject_prefix + template.subject
        url = settings.SITE_URL + reverse("members:unsubscribe", args=[self._TOKEN])
        self._url_prefix, self._url_suffix = url.split(self._TOKEN)
        self._raw: tuple[list[bytes], str] | bool | None = False  # False: not built yet

    def unsubscribe_url(self, email: str) -> str:
        return self._url_prefix + sunday_email_unsubscribe_token(email) + self._url_suffix

    def merge_values(self, email: str) -> dict[str, str]:
        return {"unsubscribe_url": self.unsubscribe_url(email)}

    def _message(self, *, to: str, url: str) -> EmailMultiAlternatives:
        template = self.template
        headers = {
            name: value.replace(self.PLACEHOLDER, url)
            for name, value in template.extra_headers.items()
        }
        message = EmailMultiAlternatives(
            subject=self.subject,
            body=template.body.replace(self.PLACEHOLDER, url),
            from_email=template.from_email,
            to=[to],
            headers=headers,
        )
        message.attach_alternative(self.html.replace(self.PLACEHOLDER, url), "text/html")
        # Read by django-anymail (tags and metadata come back on the tracking webhook);
        # plain SMTP ignores them.
        message.tags = ["sunday-email"]
        message.metadata = {"list": "sunday"}
        return message

    def for_recipient(self, email: str) -> EmailMultiAlternatives:
        return self._message(to=email, url=self.unsubscribe_url(email))

    def for_batch(self, addresses: list[str], *, merge_field: str) -> EmailMultiAlternatives:
        """One message for a provider's batch API: each address gets its own copy, with
        its unsubscribe link filled in by the provider from merge data and headers."""
        message = self._message(to=addresses[0], url=merge_field.format("unsubscribe_url"))
        message.to = list(addresses)
        message.merge_data = {email: self.merge_values(email) for email in addresses}
        message.merge_headers = {
            email: {"List-Unsubscribe": f"<{self.unsubscribe_url(email)}>"} for email in addresses
        }
        message.extra_headers.pop("List-Unsubscribe", None)
        return message

    def _raw_template(self):
        """The serialised message cut at each stand-in, or None if they did not survive."""
        if self._raw is False:
            self._raw = None
            message = self._message(to=self.PLACEHOLDER_ADDRESS, url=self.PLACEHOLDER)
            mime = message.message()
            message_id = mime["Message-ID"]
            # Headers are ASCII; a body with a curly quote or a dash goes out 8bit, as
            # UTF-8 (Django's own SMTP path sends the same bytes).
            raw = mime.as_bytes(linesep="\r\n").decode("utf-8", errors="strict")
            raw = raw.replace(message_id, "\0MSGID\0", 1)
            raw = raw.replace(self.PLACEHOLDER_ADDRESS, "\0TO\0")
            raw = raw.replace(self.PLACEHOLDER, "\0URL\0")
            counts = (raw.count("\0MSGID\0"), raw.count("\0TO\0"), raw.count("\0URL\0"))
            if counts == (1, 1, 3):  # the header, the text part, the HTML part
                # The bare address for MAIL FROM (RFC 5321 §4.1.2), as smtplib would send it.
                envelope_from = parseaddr(
                    sanitize_address(message.from_email, message.encoding or "utf-8")
                )[1]
                self._raw = (raw, envelope_from)
        return self._raw

    def raw_for_recipient(self, email: str) -> tuple[str, bytes] | None:
        """(envelope sender, message bytes) for SMTP, or None to build it the usual way."""
        template = self._raw_template() if _PLAIN_ADDRESS.fullmatch(email) else None
        if template is None:
            return None
        raw, envelope_from = template
        text = (
            raw.replace("\0MSGID\0", emails.site_message_id(), 1)
            .replace("\0TO\0", email, 1)
            .replace("\0URL\0", self.unsubscribe_url(email))
        )
        return envelope_from, text.encode("utf-8")


def release_email_prepare(*, episode: Episode, subject_prefix: str = "") -> ReleaseEmail:
    """The Sunday email: multipart text + HTML, with a one-click unsubscribe (RFC 8058)
    and a List-Id (RFC 2919), as Gmail and Yahoo require of bulk mail.

    It carries only the public part of the article: never anything members-only.
    """

    unsubscribe_url = ReleaseEmail.PLACEHOLDER
    template = emails.release(
        ReleaseEmail.PLACEHOLDER_ADDRESS,
        episode=episode,
        episode_url=settings.SITE_URL + episode.get_absolute_url(),
        toc=render_episode_article(episode).public.toc,
        unsubscribe_url=unsubscribe_url,
        list_id=emails.list_id(label="sunday", description="Back In Shape Sunday email"),
    )
    return ReleaseEmail(template=template, subject_prefix=subject_prefix)


def release_email_build(*, episode: Episode, email: str) -> EmailMultiAlternatives:
    """The Sunday email for one recipient."""
    return release_email_prepare(episode=episode).for_recipient(email)
