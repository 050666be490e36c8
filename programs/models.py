from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse


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
    """A routine within a phase. Its instructions are for premium members only."""

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

    class Meta:
        ordering = ["phase__number", "position"]
        constraints = [
            models.UniqueConstraint(fields=["phase", "position"], name="programs_routine_position"),
            models.UniqueConstraint(fields=["phase", "slug"], name="programs_routine_slug"),
        ]

    def __str__(self):
        return f"{self.phase.ordinal_name}, routine {self.position}: {self.title}"

    def get_absolute_url(self):
        return reverse("programs:routine", args=[self.phase.slug, self.slug])
