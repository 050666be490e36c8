"""The Program's content, the same for every member: phases, their routines, the
exercise library and the ordered steps that put exercises into routines.

Each member's own records (progress, sessions, check-ins) are in `records.py`; their
consent to keeping health data in `consent.py`.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from common.youtube import youtube_id  # one parser for every YouTube link

PAIN_VALIDATORS = [MinValueValidator(0), MaxValueValidator(10)]


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
