"""Forms for the Program pages. They translate input; the rules live in services.py."""

import datetime as dt
from dataclasses import dataclass

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from .models import Compared, Done, Routine
from .services import LOG_DAYS_BACK, RED_FLAGS

PAIN_CHOICES = [(n, str(n)) for n in range(11)]
EFFORT_CHOICES = [(n, str(n)) for n in range(1, 11)]


@dataclass(frozen=True)
class ScaleZone:
    """A stretch of a 0-10 scale: its colour (always shown with its words) and meaning."""

    colour: str  # "green", "amber" or "red": the css modifier of each option in it
    low: int
    high: int
    words: str

    @property
    def range_text(self) -> str:
        return str(self.low) if self.low == self.high else f"{self.low}–{self.high}"


def pain_zones(*, green_max: int, amber_max: int) -> tuple[ScaleZone, ...]:
    """The pain scale's zones at a routine's thresholds (defaults 3 and 5: Silbernagel 2007,
    as the grades use them), so the colours on the form match the grade the session gets."""
    zones = [
        ScaleZone("green", 0, green_max, "comfortable"),
        ScaleZone("amber", green_max + 1, amber_max, "fine if settled by morning"),
        ScaleZone("red", amber_max + 1, 10, "too much for now"),
    ]
    return tuple(zone for zone in zones if zone.low <= zone.high)


DEFAULT_PAIN_ZONES = pain_zones(
    green_max=Routine._meta.get_field("green_max_pain").default,
    amber_max=Routine._meta.get_field("amber_max_pain").default,
)

# Effort (RPE 1-10): these routines are meant to feel like work, not a maximal effort.
EFFORT_ZONES = (
    ScaleZone("green", 1, 4, "light"),
    ScaleZone("amber", 5, 7, "working"),
    ScaleZone("red", 8, 10, "very hard"),
)


class ScaleSelect(forms.RadioSelect):
    """A 0-10 scale as one row of radio buttons in green, amber and red zones (rendered by
    programs/includes/choice_field.html, which also writes the zones' key in words)."""

    scale = True

    def __init__(self, *args, zones: tuple[ScaleZone, ...] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.zones = zones

    def zone_for(self, value) -> str:
        try:
            number = int(value)
        except (TypeError, ValueError):
            return ""
        return next((z.colour for z in self.zones if z.low <= number <= z.high), "")

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        option["zone"] = self.zone_for(value)
        return option


class SessionLogForm(forms.Form):
    date = forms.DateField(
        label="When did you do it?",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=f"Today, or up to {LOG_DAYS_BACK} days ago.",
    )
    done = forms.ChoiceField(
        label="Did you do it as prescribed?",
        choices=Done.choices,
        widget=forms.RadioSelect,
        help_text="Only sessions done as prescribed count towards the next routine.",
    )
    pain_before = forms.TypedChoiceField(
        label="Pain before you started",
        choices=PAIN_CHOICES,
        coerce=int,
        widget=ScaleSelect(zones=DEFAULT_PAIN_ZONES),
        help_text="0 is no pain at all, 10 the worst pain you can imagine.",
        error_messages={
            "invalid_choice": "Pain is from 0 (none) to 10 (worst imaginable).",
            "required": "Choose your pain before you started, from 0 to 10.",
        },
    )
    worst_pain = forms.TypedChoiceField(
        label="Worst pain during the session",
        choices=PAIN_CHOICES,
        coerce=int,
        widget=ScaleSelect(zones=DEFAULT_PAIN_ZONES),
        help_text="Up to 3 is comfortable. 4 or 5 is fine if it settles by tomorrow morning.",
        error_messages={
            "invalid_choice": "Worst pain is from 0 (none) to 10 (worst imaginable).",
            "required": "Choose the worst pain during the session, from 0 to 10.",
        },
    )
    effort = forms.TypedChoiceField(
        label="How hard did it feel?",
        choices=EFFORT_CHOICES,
        coerce=int,
        widget=ScaleSelect(zones=EFFORT_ZONES),
        help_text="1 is hardly any effort, 10 as hard as you could possibly work.",
        error_messages={
            "invalid_choice": (
                "Effort is from 1 (hardly any) to 10 (as hard as you possibly could)."
            ),
            "required": "Choose how hard it felt, from 1 to 10.",
        },
    )
    note = forms.CharField(
        label="Anything to remember?",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, which step was hard, or what you changed.",
    )

    def __init__(
        self, *args, today: dt.date | None = None, routine: Routine | None = None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        if routine is not None:  # staff may set other thresholds for this routine
            self.fields["worst_pain"].help_text = (
                f"Up to {routine.green_max_pain} is comfortable. {routine.green_max_pain + 1} to "
                f"{routine.amber_max_pain} is fine if it settles by tomorrow morning."
            )
            zones = pain_zones(green_max=routine.green_max_pain, amber_max=routine.amber_max_pain)
            for name in ("pain_before", "worst_pain"):
                self.fields[name].widget.zones = zones
        today = today or timezone.localdate()
        self.fields["date"].initial = today
        self.fields["date"].widget.attrs.update(
            {
                "max": today.isoformat(),
                "min": (today - dt.timedelta(days=LOG_DAYS_BACK)).isoformat(),
            }
        )


class CheckInForm(forms.Form):
    pain = forms.ChoiceField(
        label="This morning, your back pain is…", choices=Compared.choices, widget=forms.RadioSelect
    )
    stiffness = forms.ChoiceField(
        label="This morning, your stiffness is…", choices=Compared.choices, widget=forms.RadioSelect
    )


def consent_field() -> forms.BooleanField:
    """The explicit consent to keeping Program health data: an unticked box, a line on what
    is kept and why, and the privacy notice a click away (UK GDPR arts. 7 and 9(2)(a))."""
    return forms.BooleanField(
        label="I agree to Back In Shape keeping my Program data about my back",
        required=True,
        help_text=format_html(
            "We keep your safety answers, the sessions you log (pain, effort and notes), your "
            "check-ins and any flare-ups, only to grade your sessions and open your next "
            "routine. Download it or withdraw at any time from your account. "
            '<a href="{}">Read our privacy notice</a>.',
            reverse("pages:page", args=["privacy"]),
        ),
        error_messages={
            "required": "Please tick the box to agree. Without it we can't keep your "
            "sessions, but you can still read every routine."
        },
    )


class ConsentForm(forms.Form):
    """Asked of a member whose program is under way without a consent on record."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["health_data_consent"] = consent_field()  # its link is reversed here


class ProgramDataDeleteForm(forms.Form):
    confirm = forms.BooleanField(
        label="Yes, withdraw my consent and delete my Program data",
        help_text="This can't be undone.",
        error_messages={"required": "Tick the box to confirm you want your Program data deleted."},
    )


YES_NO = [("no", "No"), ("yes", "Yes")]


class RedFlagForm(forms.Form):
    """The red-flag screen: one yes/no question per warning sign, every one answered."""

    def __init__(self, *args, ask_clinician: bool = False, ask_consent: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        for key, question in RED_FLAGS.items():
            self.fields[key] = forms.ChoiceField(
                label=question,
                choices=YES_NO,
                widget=forms.RadioSelect,
                error_messages={"required": "Please answer yes or no."},
            )
        if ask_clinician:
            self.fields["clinician_cleared"] = forms.BooleanField(
                label="A doctor or physiotherapist has checked me since, and said I can exercise.",
                required=True,
                error_messages={"required": "Please confirm you've been checked by a clinician."},
            )
        if ask_consent:
            self.fields["health_data_consent"] = consent_field()

    @property
    def question_fields(self):
        return [self[key] for key in RED_FLAGS]

    def answers(self) -> dict[str, bool]:
        return {key: self.cleaned_data[key] == "yes" for key in RED_FLAGS}


class StaffActionForm(forms.Form):
    """The admin's intermediate page: why staff unlock, pause or resume a member."""

    reason = forms.CharField(
        label="Why?",
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Recorded in the progress audit log with your name.",
        error_messages={
            # Django's own words ("Null characters are not allowed.") mean little to staff.
            "null_characters_not_allowed": (
                "It has an invisible null character, which cannot be saved (often pasted "
                "from another program). Remove it and try again."
            )
        },
    )
    routine = forms.ModelChoiceField(
        queryset=Routine.objects.select_related("phase").order_by("phase__number", "position"),
        required=False,
        help_text="Unlock only: leave empty to open each member's next locked routine.",
    )
