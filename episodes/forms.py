from django import forms
from django.conf import settings

from members.forms import display_name_clean, display_name_field

from .models import Comment, Episode
from .rendering import normalise_body


class ArticleBodyField(forms.CharField):
    """An article body from a <textarea>. Browsers send its text with CRLF line endings
    (HTML spec, form submission), so it is normalised before anything else sees it."""

    def to_python(self, value):
        return normalise_body(super().to_python(value))


# Django's own words for it ("Null characters are not allowed.") mean little to staff.
NUL_IN_REPLY = (
    "It has an invisible null character, which cannot be saved (often pasted from another "
    "program). Your text is below without it: check it and post again."
)


class StaffReplyForm(forms.Form):
    """A staff reply from the moderation screen (staff/desk.py)."""

    body = forms.CharField(
        label="Reply as staff",
        max_length=settings.COMMENT_MAX_LENGTH,
        error_messages={
            "required": "Write your reply first.",
            "null_characters_not_allowed": NUL_IN_REPLY,
        },
    )


def staff_reply_draft_key(comment_pk: int | str) -> str:
    """Where a reply that was not posted waits in the session, to fill the form again."""
    return f"staff-reply-draft-{comment_pk}"


class EpisodeAdminForm(forms.ModelForm):
    """The admin's episode form. The divider check itself is Episode.clean()."""

    class Meta:
        model = Episode
        fields = ["body"]  # the admin adds the rest from its fieldsets
        field_classes = {"body": ArticleBodyField}


class CommentForm(forms.Form):
    """A comment. Guests give a name and email; signed-in people are known already."""

    name = forms.CharField(label="Your name", max_length=80)
    email = forms.EmailField(
        max_length=254,  # what the database column holds (RFC 5321's path limit)
        label="Your email",
        help_text="Never shown. We only use it if we need to reach you about this comment.",
    )
    body = forms.CharField(
        label="Your comment",
        max_length=settings.COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=(
            f"Plain text, up to {settings.COMMENT_MAX_LENGTH:,} characters. Links become clickable."
        ),
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # A field people never see or fill in; bots that fill every field give themselves away.
    website = forms.CharField(
        label="Leave this field empty",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, user=None, episode=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.episode = episode
        if user is not None and user.is_authenticated:
            del self.fields["name"]
            del self.fields["email"]
            if not user.display_name:
                # A member's first comment: they choose the name it shows, never their email.
                self.fields = {
                    "display_name": display_name_field(required=True),
                    **self.fields,
                }
        for name, field in self.fields.items():
            if name in {"name", "email"}:
                field.widget.attrs.setdefault("autocomplete", name)

    def clean_name(self):
        return display_name_clean(self.cleaned_data["name"])

    def clean_display_name(self):
        return display_name_clean(self.cleaned_data["display_name"], user=self.user)

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError("Please write something before posting.")
        return body

    def clean_parent(self):
        parent_id = self.cleaned_data.get("parent")
        if not parent_id:
            return None
        parent = (
            Comment.objects.approved()
            .filter(pk=parent_id, episode=self.episode)
            .select_related("parent")
            .first()
        )
        if parent is None:
            raise forms.ValidationError("The comment you are replying to is no longer there.")
        return parent

    @property
    def is_spam_trap_filled(self) -> bool:
        return bool(self.cleaned_data.get("website"))
