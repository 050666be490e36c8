"""Django's own email backends, each giving every message a Message-ID in the site's
domain (common.emails.site_message_id) instead of the machine's host name.

settings.py picks these in place of Django's smtp, console and file backends. An email
provider's API (anymail) writes its own Message-ID, in its own domain, and needs nothing.
"""

from django.core.mail.backends import console, filebased, smtp

from .emails import site_message_id


class SiteMessageIdMixin:
    def send_messages(self, email_messages):
        for message in email_messages:
            if not any(name.lower() == "message-id" for name in message.extra_headers):
                message.extra_headers["Message-ID"] = site_message_id()
        return super().send_messages(email_messages)


class SmtpEmailBackend(SiteMessageIdMixin, smtp.EmailBackend):
    pass


class ConsoleEmailBackend(SiteMessageIdMixin, console.EmailBackend):
    pass


class FileEmailBackend(SiteMessageIdMixin, filebased.EmailBackend):
    pass
