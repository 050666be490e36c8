"""Each member's place in the Program and what they reported: progress and pauses,
unlocks, sessions with their check-ins, the audit trail, and check-in reminders.

The progression rules (grades, unlocks, advice) live in `rules.py`, applied by the
selectors and services; the database keeps the invariants that must never be broken
whoever writes the rows: pain and effort in range, one log per routine a day, one
check-in per log, one unlock per routine per member.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

# The answers a session and its check-in record are defined with the rules that read them.
from programs.rules import Compared, Done, session_grade_sql

from .catalogue import PAIN_VALIDATORS, Routine

EFFORT_VALIDATORS = [MinValueValidator(1), MaxValueValidator(10)]


class PauseReason(models.TextChoices):
    RED_FLAG = "red_flag", "Red-flag answer"
    FLARE_UP = "flare_up", "Flare-up"
    STAFF = "staff", "Paused by staff"


class MemberProgress(models.Model):
    """A member's place in the Program: when they started, and whether it is paused.

    Two pauses are kept apart, because different people may lift them: the member's own
    (a red-flag answer or a flare-up, in `paused_at`/`pause_reason`), which the member's
    safety re-check or "it has settled" lifts, and a staff hold (`staff_paused_at`), which
    only staff lift. The program is paused while either is set.

    A lapsed membership is not stored here: it is read from `member_has_premium` each
    time, so renewing picks up exactly where the member left off.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="program_progress"
    )
    started_at = models.DateTimeField(
        null=True, blank=True, help_text="When the member passed the safety check and began."
    )
    paused_at = models.DateTimeField(null=True, blank=True)
    pause_reason = models.CharField(max_length=20, choices=PauseReason.choices, blank=True)
    pause_note = models.TextField(blank=True)
    paused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who paused it: the member themselves, or a member of staff.",
    )
    staff_paused_at = models.DateTimeField("staff pause since", null=True, blank=True)
    staff_pause_note = models.TextField("why staff paused it", blank=True)
    staff_paused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="staff paused by",
    )

    class Meta:
        verbose_name = "member progress"
        verbose_name_plural = "member progress"
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(paused_at__isnull=True, pause_reason="")
                    | (Q(paused_at__isnull=False) & ~Q(pause_reason=""))
                ),
                name="programs_progress_pause_has_reason",
            ),
            # A staff pause lives in the staff_* fields, where only staff can lift it.
            models.CheckConstraint(
                condition=~Q(pause_reason="staff"),
                name="programs_progress_staff_pause_apart",
            ),
        ]

    def __str__(self):
        return f"Program progress of {self.user}"

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None or self.staff_paused_at is not None

    @property
    def is_staff_paused(self) -> bool:
        return self.staff_paused_at is not None


class UnlockMethod(models.TextChoices):
    START = "start", "Started the program"
    RULE = "rule", "Unlock rule"
    STAFF = "staff", "Unlocked by staff"


class Unlock(models.Model):
    """A routine opened for a member. Permanent: nothing in the program ever deletes one."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="program_unlocks"
    )
    routine = models.ForeignKey(Routine, on_delete=models.CASCADE, related_name="unlocks")
    unlocked_at = models.DateTimeField(default=timezone.now)
    method = models.CharField(max_length=10, choices=UnlockMethod.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The member of staff who unlocked it by hand; empty when the rule did.",
    )
    reason = models.CharField(max_length=300)

    class Meta:
        ordering = ["unlocked_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "routine"], name="programs_unlock_once"),
        ]

    def __str__(self):
        return f"{self.routine} for {self.user}"


class SessionLogQuerySet(models.QuerySet):
    def with_grade(self):
        """Each session with its grade as `grade_sql`: "green", "amber", "red", or "pending"
        before the check-in. The SQL twin of `rules.session_grade`, kept beside it."""
        return self.annotate(grade_sql=session_grade_sql())


class SessionLog(models.Model):
    """One session of a routine, as the member reported it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="program_sessions"
    )
    routine = models.ForeignKey(Routine, on_delete=models.CASCADE, related_name="sessions")
    date = models.DateField()
    done = models.CharField("done as prescribed", max_length=10, choices=Done.choices)
    pain_before = models.PositiveSmallIntegerField(validators=PAIN_VALIDATORS)
    worst_pain = models.PositiveSmallIntegerField("worst pain during", validators=PAIN_VALIDATORS)
    effort = models.PositiveSmallIntegerField("effort (RPE)", validators=EFFORT_VALIDATORS)
    note = models.TextField(blank=True, max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SessionLogQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "routine", "date"], name="programs_session_once_a_day"
            ),
            models.CheckConstraint(
                condition=Q(pain_before__gte=0, pain_before__lte=10),
                name="programs_session_pain_before_0_10",
            ),
            models.CheckConstraint(
                condition=Q(worst_pain__gte=0, worst_pain__lte=10),
                name="programs_session_worst_pain_0_10",
            ),
            models.CheckConstraint(
                condition=Q(effort__gte=1, effort__lte=10), name="programs_session_effort_1_10"
            ),
        ]
        indexes = [models.Index(fields=["user", "date"], name="programs_session_user_date")]

    def __str__(self):
        return f"{self.routine.title} on {self.date:%d %b %Y} by {self.user}"


class CheckIn(models.Model):
    """The next-morning check-in for one session: pain and stiffness compared with usual."""

    session = models.OneToOneField(SessionLog, on_delete=models.CASCADE, related_name="checkin")
    pain = models.CharField("pain this morning", max_length=10, choices=Compared.choices)
    stiffness = models.CharField("stiffness this morning", max_length=10, choices=Compared.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "check-in"

    def __str__(self):
        return f"Check-in for {self.session}"

    @property
    def is_worse(self) -> bool:
        return Compared.WORSE in (self.pain, self.stiffness)


class ProgressEvent(models.Model):
    """The audit trail of a member's progress: who changed what, when and why.

    Every unlock, pause and resume is recorded, by the rule, the member or staff.
    """

    class Kind(models.TextChoices):
        STARTED = "started", "Started"
        UNLOCKED = "unlocked", "Unlocked"
        PAUSED = "paused", "Paused"
        RESUMED = "resumed", "Resumed"
        RED_FLAG = "red_flag", "Red-flag answer"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="program_events"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    routine = models.ForeignKey(
        Routine, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who did it. Empty means the unlock rule did.",
    )
    by_staff = models.BooleanField(default=False)
    reason = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "progress audit entry"
        verbose_name_plural = "progress audit log"

    def __str__(self):
        return f"{self.get_kind_display()}: {self.user} ({self.created_at:%d %b %Y %H:%M})"


class CheckInReminder(models.Model):
    """The one reminder email for a session's check-in, claimed before it is sent.

    Unique per session, so a second beat (or a retry) finds the row taken and sends nothing.
    """

    session = models.OneToOneField(
        SessionLog, on_delete=models.CASCADE, related_name="checkin_reminder"
    )
    claimed_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "check-in reminder"

    def __str__(self):
        return f"Check-in reminder for {self.session_id}"
