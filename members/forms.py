from django import forms

from . import selectors, services
from .display_names import (
    MAX_LENGTH,
    display_name_has_hidden_characters,
    display_name_key,
    display_name_mixes_lookalike_scripts,
    display_name_normalise,
    display_name_speaks_for_the_site,
)
from .models import Plan

NAME_HIDDEN_CHARACTERS = (
    "Please use letters, numbers, spaces and punctuation only: this name has hidden "
    "formatting characters in it (such as text-direction marks or zero-width joiners)."
)
NAME_EMAIL = "Please choose a name rather than an email address: it is shown publicly."
NAME_MIXED_SCRIPTS = (
    "Please write each word of the name in one alphabet: letters from different alphabets "
    "that look alike (such as a Cyrillic “а” in a Latin word) can make a name pass for "
    "someone else's."
)
NAME_TOO_LONG = f"Please keep the name to {MAX_LENGTH} characters or fewer."
NAME_TEAM = (
    "That name is kept for the Back In Shape team, so readers can tell who speaks for "
    "us. Please choose another."
)


def display_name_clean(value: str, *, user=None) -> str:
    """A name shown publicly, in the form it is stored in (NFKC, one line). Never an
    email address, nothing hidden in it, and never a name the team uses: the show's,
    a role's, or a staff member's own (which that staff member may keep)."""
    value = display_name_normalise(value)
    if display_name_has_hidden_characters(value):
        raise forms.ValidationError(NAME_HIDDEN_CHARACTERS)
    if "@" in value:
        raise forms.ValidationError(NAME_EMAIL)
    if display_name_mixes_lookalike_scripts(value):
        raise forms.ValidationError(NAME_MIXED_SCRIPTS)
    if len(value) > MAX_LENGTH:  # NFKC can lengthen a name ("㎆" is "MB")
        raise forms.ValidationError(NAME_TOO_LONG)
    if not value:
        return value
    is_own_staff_name = (
        user is not None
        and getattr(user, "is_staff", False)
        and display_name_key(value) == display_name_key(user.display_name)
    )
    if is_own_staff_name:
        return value
    taken = {display_name_key(name) for name in selectors.staff_display_names(except_user=user)}
    if display_name_speaks_for_the_site(value) or display_name_key(value) in taken:
        raise forms.ValidationError(NAME_TEAM)
    return value


def display_name_field(*, required: bool) -> forms.CharField:
    return forms.CharField(
        label="Display name",
        max_length=MAX_LENGTH,
        required=required,
        help_text=(
            "Shown beside your comments. Your email address is never shown. "
            "A first name or a nickname is fine."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
        error_messages={"required": "Please choose a display name to show beside your comment."},
    )


class SignupForm(forms.Form):
    """Fields allauth adds to its sign-up form (ACCOUNT_SIGNUP_FORM_CLASS)."""

    display_name = display_name_field(required=False)
    # Consent is asked, never assumed (UK GDPR / PECR): unticked until the person ticks it.
    wants_sunday_email = forms.BooleanField(
        label="Send me the Sunday episode email",
        required=False,
        initial=False,
        help_text="The new episode and its article, each Sunday morning. One click to stop.",
    )

    def clean_display_name(self):
        return display_name_clean(self.cleaned_data["display_name"])

    def signup(self, request, user):
        if self.cleaned_data.get("display_name"):
            services.member_display_name_set(
                user=user, display_name=self.cleaned_data["display_name"]
            )
        services.member_sunday_email_set(
            user=user, wants_sunday_email=bool(self.cleaned_data.get("wants_sunday_email"))
        )


class DisplayNameForm(forms.Form):
    display_name = display_name_field(required=True)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_display_name(self):
        value = display_name_clean(self.cleaned_data["display_name"], user=self.user)
        if not value:
            raise forms.ValidationError("Please write a display name.")
        return value


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        max_length=254,  # what the database column holds (RFC 5321's path limit)
        label="Your email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "placeholder": "you@example.com"}),
    )


class CheckoutForm(forms.Form):
    """The plan a member chose on /membership/ ("Join premium")."""

    plan = forms.ModelChoiceField(
        queryset=Plan.objects.filter(active=True),
        error_messages={
            "required": "Please choose a plan.",
            "invalid_choice": "That plan is not available any more. Please choose another.",
        },
    )


class SundayEmailForm(forms.Form):
    wants_sunday_email = forms.BooleanField(
        label="Send me the Sunday episode email",
        required=False,
        help_text="The new episode and its article in your inbox every Sunday morning. "
        "Untick to stop it; you can turn it back on at any time.",
    )


class CheckinRemindersForm(forms.Form):
    wants_checkin_reminders = forms.BooleanField(
        label="Remind me to check in the morning after a session",
        required=False,
        help_text="One short email the morning after you log a Program session, asking how "
        "your back feels. Untick to stop them; you can turn them back on at any time.",
    )


class AccountDeleteForm(forms.Form):
    confirm = forms.BooleanField(
        label="Yes, delete my account",
        help_text="This can't be undone.",
        error_messages={"required": "Tick the box to confirm you want to delete your account."},
    )
