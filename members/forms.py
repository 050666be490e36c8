from django import forms

from . import services
from .models import Plan


def display_name_clean(value: str) -> str:
    """A display name is shown publicly: one line, and never an email address."""
    value = " ".join(value.split())
    if "@" in value:
        raise forms.ValidationError(
            "Please choose a name rather than an email address: it is shown publicly."
        )
    return value


def display_name_field(*, required: bool) -> forms.CharField:
    return forms.CharField(
        label="Display name",
        max_length=80,
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

    def clean_display_name(self):
        value = display_name_clean(self.cleaned_data["display_name"])
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
