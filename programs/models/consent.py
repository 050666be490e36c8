"""A member's explicit consent to the Program keeping their health data."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ProgramConsent(models.Model):
    """A member's explicit consent to the Program keeping their health data.

    Pain scores, safety answers, flare-ups and notes are data concerning health, which
    UK GDPR art. 9(1) lets us keep only with one of the art. 9(2) conditions: here (a),
    explicit consent, asked for with an unticked box before anything is stored. What was
    agreed to is the privacy notice's version at the time (art. 7(1): we must be able to
    show the consent). A member has at most one live consent (the partial unique
    constraint); withdrawing it, or the retention rule deleting the data, ends it, and the
    ended row is kept as the record of when consent was given and ended.
    """

    class EndReason(models.TextChoices):
        WITHDRAWN = "withdrawn", "Withdrawn by the member"
        RETENTION = "retention", "Program data deleted after the account went quiet"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="program_consents"
    )
    # A string reference: the pages app sits below programs.
    privacy_version = models.ForeignKey(
        "pages.PageVersion",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="privacy notice version",
        help_text="The privacy notice as it read when the member agreed.",
    )
    given_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=10, choices=EndReason.choices, blank=True)

    class Meta:
        verbose_name = "health data consent"
        ordering = ["-given_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(ended_at__isnull=True),
                name="programs_consent_one_live_per_member",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True, end_reason="")
                | (Q(ended_at__isnull=False) & ~Q(end_reason="")),
                name="programs_consent_end_has_reason",
            ),
        ]

    def __str__(self):
        state = "live" if self.ended_at is None else "ended"
        return f"Health data consent of {self.user} ({state})"

    @property
    def is_live(self) -> bool:
        return self.ended_at is None
