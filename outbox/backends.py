"""An email backend that keeps every message in the database instead of sending it."""

import logging

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse

from .models import OutboxMessage

logger = logging.getLogger(__name__)


class OutboxEmailBackend(BaseEmailBackend):
    """Stores each message whole (its MIME bytes, as SMTP would carry them), so every
    process writes to one outbox, and says where to read it in the log."""

    def send_messages(self, email_messages) -> int:
        stored = 0
        for message in email_messages:
            recipients = message.recipients()
            if not recipients:
                continue
            try:
                raw = message.message().as_bytes(linesep="\r\n")
            except Exception:
                if not self.fail_silently:
                    raise
                continue
            row = OutboxMessage.objects.create(
                subject=str(message.subject)[:998],
                from_email=str(message.from_email)[:320],
                to=", ".join(recipients),
                raw=raw,
            )
            path = reverse("outbox:message", args=[row.pk])
            logger.info("Email to %s kept in the outbox: %s%s", row.to, settings.SITE_URL, path)
            stored += 1
        return stored
