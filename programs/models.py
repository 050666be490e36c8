"""The Back In Shape Program: phases, routines and each member's progress through them.

The progression rules (grades, unlocks, advice) live in `rules.py`, applied by
`selectors.py` and `services.py`; the database keeps the invariants that must never be
broken whoever writes the rows: pain and effort in range, one log per routine a day, one
check-in per log, one unlock per routine per member.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from common.youtube import youtube_id  # one parser for every YouTube link

# The answers a session and its check-in record are defined with the rules that read them.
from .rules import Compared, Done, session_grade_sql

PAIN_VALIDATORS = [MinValueValidator(0), MaxValueValidator(10)]
EFFORT_VALIDATORS = [MinValueValidator(1), MaxValueValidator(10)]


class Phase(models.Model):
    """One phase of the Back In Shape Program, e.g. Phase One: Calm and control."""

    number = models.PositiveSmallIntegerField(unique=True, validators=[MinValueValidator(1)])
    title = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    summary = models.TextField(help_text="Shown to everyone on the Program overview.")

    class Meta:
        ordering = ["number"]

    def __str__(self):
        return f"Phase {self.number}: {self.title}"

    @property
    def ordinal_name(self) -> str:
        names = {1: "One", 2: "Two", 3: "Three", 4: "Four", 5: "Five", 6: "Six"}
        return f"Phase {names.get(self.number, self.number)}"


class Routine(models.Model):
    """A routine within a phase. Its instructions are for premium members only.

    The progression thresholds default to the pain-monitoring model (Silbernagel et al.,
    Am J Sports Med 2007: pain during exercise up to 5/10 is acceptable if it settles by
    the next morning) and the GLA:D Back dosing; staff may change them per routine.
    """

    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="routines")
    position = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    title = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120)
    summary = models.CharField(
        max_length=300, help_text="Public: what the routine is for, in a sentence or two."
    )
    duration_minutes = models.PositiveSmallIntegerField(default=15)
    instructions = models.TextField(
        help_text="Markdown. Premium members only: never shown to anyone else."
    )
    green_max_pain = models.PositiveSmallIntegerField(
        "green up to (worst pain)",
        default=3,
        validators=PAIN_VALIDATORS,
        help_text="A session is green when the worst pain during it is at most this, "
        "and the next morning is not worse than usual.",
    )
    amber_max_pain = models.PositiveSmallIntegerField(
        "amber up to (worst pain)",
        default=5,
        validators=PAIN_VALIDATORS,
        help_text="Above the green limit and up to this is amber, if it has settled by the "
        "next morning. Anything higher is red.",
    )
    sessions_to_unlock = models.PositiveSmallIntegerField(
        "sessions needed",
        default=4,
        validators=[MinValueValidator(2), MaxValueValidator(50)],
        help_text="Sessions done as prescribed, on different days, before the next routine opens.",
    )
    days_to_unlock = models.PositiveSmallIntegerField(
        "days needed",
        default=7,
        validators=[MaxValueValidator(90)],
        help_text="Days from the first session of this routine before the next one opens.",
    )
    # A string reference: episodes sits above programs, so programs never imports it.
    episodes = models.ManyToManyField(
        "episodes.Episode",
        blank=True,
        related_name="routines",
        help_text="Episodes that explain why this routine helps. Their pages link back here.",
    )

    class Meta:
        ordering = ["phase__number", "position"]
        constraints = [
            # Deferred to the commit on PostgreSQL, so a reorder can swap two positions in
            # one transaction (SQLite ignores this; the admin formset steps rows aside).
            models.UniqueConstraint(
                fields=["phase", "position"],
                name="programs_routine_position",
                deferrable=models.Deferrable.DEFERRED,
            ),
            models.UniqueConstraint(fields=["phase", "slug"], name="programs_routine_slug"),
            models.CheckConstraint(
                condition=Q(green_max_pain__lte=models.F("amber_max_pain"), amber_max_pain__lte=10),
                name="programs_routine_pain_thresholds",
                violation_error_message="The green limit must be at or below the amber limit, "
                "and both within 0 to 10.",
            ),
            models.CheckConstraint(
                condition=Q(sessions_to_unlock__gte=2),
                name="programs_routine_sessions_to_unlock",
                violation_error_message="At least two sessions are needed: the rule looks at "
                "the last two.",
            ),
        ]

    def __str__(self):
        return f"{self.phase.ordinal_name}, routine {self.position}: {self.title}"

    def get_absolute_url(self):
        return reverse("programs:routine", args=[self.phase.slug, self.slug])


class Exercise(models.Model):
    """One exercise in the library, reused by routine steps.

    The name and purpose are public; the step-by-step instructions, cues and mistakes are
    for premium members only (the exercise page and the routine page both hide them).
    """

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    purpose = models.CharField(
        max_length=300, blank=True, help_text="Public: what the exercise is for, in a sentence."
    )
    instructions = models.TextField(
        "step-by-step instructions",
        blank=True,
        help_text="One step a line. Premium members only.",
    )
    cues = models.TextField(
        "coaching cues", blank=True, help_text="One cue a line. Premium members only."
    )
    mistakes = models.TextField(
        "common mistakes", blank=True, help_text="One a line. Premium members only."
    )
    easier = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="easier variant",
    )
    harder = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="harder variant",
    )
    video_url = models.URLField(
        blank=True, help_text="A YouTube link. It shows as a poster until the member clicks play."
    )
    image = models.ImageField(upload_to="exercises/", blank=True)
    image_alt = models.CharField(
        "image description (alt text)",
        max_length=200,
        blank=True,
        help_text="What the image shows, for people who can't see it. Needed with an image.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            # WCAG 2.2, 1.1.1 Non-text content: every image carries a text alternative.
            models.CheckConstraint(
                condition=Q(image="") | ~Q(image_alt=""),
                name="programs_exercise_image_has_alt",
                violation_error_message="Describe the image (alt text) when you add one.",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("programs:exercise", args=[self.slug])

    @staticmethod
    def _lines(text: str) -> list[str]:
        return [line.strip() for line in text.splitlines() if line.strip()]

    @property
    def instruction_lines(self) -> list[str]:
        return self._lines(self.instructions)

    @property
    def cue_lines(self) -> list[str]:
        return self._lines(self.cues)

    @property
    def mistake_lines(self) -> list[str]:
        return self._lines(self.mistakes)

    @property
    def youtube_id(self) -> str:
        return youtube_id(self.video_url)


class Side(models.TextChoices):
    BOTH = "both", "both sides together"
    EACH = "each", "each side"
    LEFT = "left", "left side"
    RIGHT = "right", "right side"


class RoutineStep(models.Model):
    """One ordered step of a routine: an exercise at a dose (sets of reps or of seconds)."""

    routine = models.ForeignKey(Routine, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    exercise = models.ForeignKey(Exercise, on_delete=models.PROTECT, related_name="steps")
    sets = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1)])
    reps = models.PositiveSmallIntegerField(null=True, blank=True)
    seconds = models.PositiveSmallIntegerField("hold (seconds)", null=True, blank=True)
    rest_seconds = models.PositiveSmallIntegerField(
        "rest (seconds)", default=0, help_text="Rest between sets."
    )
    side = models.CharField(max_length=10, choices=Side.choices, blank=True)
    notes = models.CharField(max_length=200, blank=True, help_text="e.g. “a bag across the hips”.")

    class Meta:
        ordering = ["routine", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["routine", "position"],
                name="programs_step_position",
                deferrable=models.Deferrable.DEFERRED,
            ),
            models.CheckConstraint(
                condition=(
                    Q(reps__isnull=False, seconds__isnull=True)
                    | Q(reps__isnull=True, seconds__isnull=False)
                ),
                name="programs_step_reps_or_seconds",
                violation_error_message="Give either repetitions or seconds, not both.",
            ),
            models.CheckConstraint(condition=Q(sets__gte=1), name="programs_step_sets"),
        ]

    def __str__(self):
        return f"{self.position}. {self.exercise.name}"

    @property
    def dose(self) -> str:
        """The dose in words, e.g. "10 reps", "2 minutes", or sets times reps or seconds."""
        if self.reps is not None:
            amount = str(self.reps) if self.sets > 1 else f"{self.reps} reps"
        else:
            seconds = self.seconds or 0
            if seconds >= 60 and seconds % 60 == 0:
                minutes = seconds // 60
                amount = f"{minutes} minute{'s' if minutes != 1 else ''}"
            else:
                amount = f"{seconds} seconds"
        return f"{self.sets} × {amount}" if self.sets > 1 else amount

    @property
    def rest(self) -> str:
        """The rest between sets in words, e.g. "rest 45 seconds"; "" with one set or none."""
        if self.sets < 2 or not self.rest_seconds:
            return ""
        if self.rest_seconds >= 60 and self.rest_seconds % 60 == 0:
            minutes = self.rest_seconds // 60
            return f"rest {minutes} minute{'s' if minutes != 1 else ''}"
        return f"rest {self.rest_seconds} seconds"


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
