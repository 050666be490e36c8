from django import forms

from .models import Plan


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


class AccountDeleteForm(forms.Form):
    confirm = forms.BooleanField(
        label="Yes, delete my account",
        help_text="This can't be undone.",
        error_messages={"required": "Tick the box to confirm you want to delete your account."},
    )
