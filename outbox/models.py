from django.db import models


class OutboxMessage(models.Model):
    """One email the site sent in development, as it would have gone to the mail server."""

    sent_at = models.DateTimeField(auto_now_add=True, db_index=True)
    subject = models.CharField(max_length=998)  # the longest line RFC 5322 allows
    from_email = models.CharField(max_length=320)
    to = models.TextField(help_text="Every recipient (To, Cc and Bcc), comma-separated.")
    raw = models.BinaryField(help_text="The whole message, MIME as sent.")

    class Meta:
        ordering = ["-sent_at", "-pk"]

    def __str__(self):
        return f"{self.subject} → {self.to}"
