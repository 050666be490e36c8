"""Episodes, topics and the podcast show in the admin (comments: admin_comments.py; the
Sunday email: mailing/admin.py)."""

from functools import partial

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.db.models import Count, Max, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from . import services

# Django's autodiscovery imports only this admin module of the app: this import and the
# mailing.admin one below register the comments' admin and the Sunday email's.
from .admin_comments import CommentAdmin, PendingCommentAdmin  # noqa: F401
from .admin_practice import EpisodeRoutineInline
from .feeds import podcast_show
from .forms import EpisodeAdminForm
from .mailing import episode_release_email_schedule
from .mailing.admin import ReleaseDeliveryAdmin, ReleaseMailingAdmin  # noqa: F401
from .models import Comment, Episode, PodcastShow, Topic
from .rendering import split_members_only
from .schedule import next_release_at
from .selectors import episodes_in_release_slot
from .tasks import send_release

# Open Graph and Twitter cards show covers at 1.91:1 and ask for at least 1200x630
# (https://developers.facebook.com/docs/sharing/webmasters/images); 1.5 to 2.0 leaves room
# for art made at 3:2 or 16:9 without a visible crop.
COVER_MIN_WIDTH, COVER_MIN_HEIGHT = 1200, 630
COVER_MIN_RATIO, COVER_MAX_RATIO = 1.5, 2.0


class EpisodeBodyWidget(forms.Textarea):
    """A tall, growing, monospace editor with a live preview of the members-only cut
    beside it (static/js/admin.js fetches it from the desk's preview view)."""

    def __init__(self, attrs=None):
        super().__init__(
            {"rows": 24, "class": "episode-body", "spellcheck": "true", **(attrs or {})}
        )

    def render(self, name, value, attrs=None, renderer=None):
        textarea = super().render(name, value, attrs, renderer)
        return format_html(
            '<div class="episode-editor" data-episode-editor data-preview-url="{}">'
            '<div class="episode-editor__write">'
            '<div class="episode-editor__tools">'
            '<button type="button" class="button" data-insert-divider>'
            "Insert the members-only divider here</button></div>{}</div>"
            '<div class="episode-editor__preview"><h3>Preview</h3>'
            '<p class="episode-preview__status" data-preview-status aria-live="polite">'
            "The preview appears here as you write.</p>"
            '<div class="episode-preview"><div data-preview-public></div>'
            '<p class="episode-preview__marker" data-preview-marker hidden>'
            "Members-only part starts here</p>"
            "<div data-preview-members></div></div></div></div>",
            reverse("admin_desk_episode_preview"),
            textarea,
        )


class EpisodeDeskForm(EpisodeAdminForm):
    """The admin's episode form, plus the checks staff meet before a Sunday goes wrong:
    two episodes on one Sunday, and a cover that social cards would crop or blur."""

    schedule_both = forms.BooleanField(
        label="Yes, schedule both",
        required=False,
        help_text="Tick this only if two episodes should come out on the same day.",
    )

    def clean_cover_image(self):
        image = self.cleaned_data.get("cover_image")
        if not isinstance(image, UploadedFile):
            return image  # unchanged or cleared
        width, height = image.image.width, image.image.height
        if width < COVER_MIN_WIDTH or height < COVER_MIN_HEIGHT:
            raise forms.ValidationError(
                f"This cover is {width}×{height} pixels. Please upload one at least "
                f"{COVER_MIN_WIDTH}×{COVER_MIN_HEIGHT}, so it stays sharp when shared."
            )
        ratio = width / height
        if not COVER_MIN_RATIO <= ratio <= COVER_MAX_RATIO:
            raise forms.ValidationError(
                f"This cover is {width}×{height} pixels, a ratio of {ratio:.2f}:1. Please use "
                f"a landscape image between {COVER_MIN_RATIO}:1 and {COVER_MAX_RATIO}:1 "
                "(1200×630 is ideal), or social cards will crop it."
            )
        return image

    def clean(self):
        cleaned = super().clean()
        status, publish_at = cleaned.get("status"), cleaned.get("publish_at")
        if status == Episode.Status.SCHEDULED and publish_at and not cleaned.get("schedule_both"):
            others = episodes_in_release_slot(publish_at=publish_at, exclude_pk=self.instance.pk)
            if others:
                day = timezone.localtime(publish_at).strftime("%A %-d %B")
                titles = ", ".join(f"“{other.title}”" for other in others)
                self.add_error(
                    "schedule_both",
                    f"{titles} already comes out on {day}. Tick “Yes, schedule both” to "
                    "release both that day, or pick another date.",
                )
        return cleaned


class PublishNowForm(forms.Form):
    EMAIL_CHOICES = [
        ("now", "Send the Sunday email now"),
        ("later", "Send it at the usual time"),
        ("none", "Do not send it"),
    ]
    email = forms.ChoiceField(
        label="And the Sunday email?", choices=EMAIL_CHOICES, widget=forms.RadioSelect
    )

    def clean_email(self):
        email = self.cleaned_data["email"]
        if email == "later" and send_release.app.conf.task_always_eager:
            # Without a broker, tasks run at once: an ETA would send it now.
            raise forms.ValidationError(
                "No task queue runs here (tasks run at once), so nothing can wait until "
                "Sunday. Send it now, or not at all and send it later by hand."
            )
        return email


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "episode_count"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(episode_count=Count("episodes"))

    @admin.display(description="Episodes", ordering="episode_count")
    def episode_count(self, topic):
        return topic.episode_count

    def save_model(self, request, obj, form, change):
        services.topic_save(topic=obj)


class MembersOnlyPartFilter(admin.SimpleListFilter):
    title = "members-only part"
    parameter_name = "members_only"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        if self.value() in {"yes", "no"}:
            return queryset.with_members_only_part(has=self.value() == "yes")
        return queryset


@admin.register(Episode)
class EpisodeAdmin(admin.ModelAdmin):
    form = EpisodeDeskForm
    change_form_template = "admin/episodes/episode/change_form.html"
    list_display = [
        "number", "title", "status", "publish_at", "members_only_part", "pending_comments",
        "page_link",
    ]  # fmt: skip
    list_display_links = ["number", "title"]
    list_filter = [
        "status", ("publish_at", admin.DateFieldListFilter), MembersOnlyPartFilter, "topics",
    ]  # fmt: skip
    date_hierarchy = "publish_at"
    search_fields = ["title", "standfirst", "body", "=number"]
    prepopulated_fields = {"slug": ["title"]}
    # Autocomplete rather than filter_horizontal, whose JavaScript puts aria-label on a
    # bare <span> (axe: aria-prohibited-attr); it is also quicker with many episodes.
    autocomplete_fields = ["topics", "related"]
    inlines = [EpisodeRoutineInline]
    actions = ["schedule_selected", "publish_selected", "unpublish_selected", "send_release_email"]
    save_on_top = True
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["number", "title", "slug", "standfirst", "body"]}),
        ("Release", {"fields": ["status", "publish_at", "schedule_both"]}),
        (
            "Watch and listen",
            {
                "fields": [
                    "video_url",
                    "audio_file",
                    "audio_url",
                    "audio_duration",
                    "audio_size",
                    "audio_type",
                    "members_only_audio",
                ]
            },
        ),
        (
            "Podcast apps",
            {
                "fields": ["podcast_artwork", "transcript_file", "chapters_file"],
                "description": (
                    "Left empty, the audio length and size are read from the uploaded file."
                ),
            },
        ),
        ("Cover", {"fields": ["cover_image", "cover_alt"]}),
        ("Links", {"fields": ["topics", "related"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                pending_count=Count("comments", filter=Q(comments__status=Comment.Status.PENDING))
            )
        )

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        latest = Episode.objects.aggregate(latest=Max("number"))["latest"] or 0
        initial.setdefault("number", latest + 1)
        return initial

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "standfirst":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 2, "cols": 80})
        if db_field.name == "body":
            kwargs["widget"] = EpisodeBodyWidget()
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "publish_at":
            # Django's split date/time inputs share one <label>; each needs a name of its own.
            date_input, time_input = field.widget.widgets
            date_input.attrs["aria-label"] = "Publish date"
            time_input.attrs["aria-label"] = "Publish time"
        return field

    def get_urls(self):
        publish = self.admin_site.admin_view(self.publish_now_view)
        return [
            path("<int:pk>/publish/", publish, name="episodes_episode_publish"),
            *super().get_urls(),
        ]

    def publish_now_view(self, request, pk):
        """The change page's "Publish now" button: asks about the email, then says what it did."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        episode = get_object_or_404(Episode, pk=pk)
        form = PublishNowForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            self._publish(request, [episode], form.cleaned_data["email"])
            return redirect("admin:episodes_episode_change", episode.pk)
        return self._publish_page(request, [episode], form)

    def _publish_page(self, request, episodes, form, action=None):
        return render(
            request,
            "admin/episodes/episode/publish_now.html",
            {
                **self.admin_site.each_context(request),
                "title": "Publish now",
                "opts": self.model._meta,
                "episodes": episodes,
                "form": form,
                "action": action,
                "usual_time": next_release_at(),
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    def _publish(self, request, episodes, email):
        """Publish, then do what staff chose with the email, and say exactly that."""
        titles = ", ".join(f"“{e.title}”" for e in episodes)
        for episode in episodes:
            services.episode_publish(episode=episode)
        if email == "now":
            for episode in episodes:
                transaction.on_commit(partial(send_release.delay, episode.pk))
            said = "The Sunday email is on its way now. Nobody gets a second copy."
        elif email == "later":
            at = next_release_at()
            for episode in episodes:
                episode_release_email_schedule(episode=episode, at=at)
            said = f"The Sunday email will go at the usual time, {at:%A %-d %B at %H:%M}."
        else:
            said = "No email was sent. “Send the Sunday email now” sends it whenever you like."
        self.message_user(request, f"Published {titles}. {said}", messages.SUCCESS)

    def save_model(self, request, obj, form, change):
        services.episode_save(episode=obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.episode_search_index_update(episode=form.instance)  # topics are searched

    @admin.display(description="Members-only part", boolean=True)
    def members_only_part(self, episode):
        """What readers get: whether the cut finds a members-only part in this body."""
        return split_members_only(episode.body)[1] is not None

    @admin.display(description="Awaiting moderation", ordering="pending_count")
    def pending_comments(self, episode):
        return episode.pending_count

    @admin.display(description="Page")
    def page_link(self, episode):
        label = "View live page" if episode.is_live else "Preview"
        return format_html('<a href="{}">{}</a>', episode.get_absolute_url(), label)

    @admin.action(
        description="Schedule for release (next Sunday unless a later date is set)",
        permissions=["change"],
    )
    def schedule_selected(self, request, queryset):
        for episode in queryset:
            services.episode_schedule(episode=episode)
        self.message_user(request, f"Scheduled {queryset.count()} episode(s).", messages.SUCCESS)

    @admin.action(description="Publish now (asks about the Sunday email)", permissions=["change"])
    def publish_selected(self, request, queryset):
        episodes = list(queryset)
        form = PublishNowForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            self._publish(request, episodes, form.cleaned_data["email"])
            return None
        return self._publish_page(request, episodes, form, action="publish_selected")

    @admin.action(description="Move back to draft", permissions=["change"])
    def unpublish_selected(self, request, queryset):
        for episode in queryset:
            services.episode_unpublish(episode=episode)
        self.message_user(request, f"Moved {queryset.count()} episode(s) to draft.")

    @admin.action(description="Send the Sunday email now (or resume it)", permissions=["change"])
    def send_release_email(self, request, queryset):
        queued, skipped = 0, []
        for episode in queryset:
            if not episode.is_live:
                skipped.append(episode.title)
                continue
            transaction.on_commit(partial(send_release.delay, episode.pk))
            queued += 1
        if queued:
            self.message_user(
                request,
                f"Sending the Sunday email for {queued} episode(s). Nobody gets a second copy.",
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                "Not sent, because not published yet: " + ", ".join(skipped),
                messages.WARNING,
            )


@admin.register(PodcastShow)
class PodcastShowAdmin(admin.ModelAdmin):
    """The show's one settings row: the list goes straight to it; no adding, no deleting."""

    readonly_fields = ["podcast_guid"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["title", "description", "author", "language", "explicit"]}),
        (
            "Owner (Apple contacts them; listeners do not see it)",
            {"fields": ["owner_name", "owner_email"]},
        ),
        ("Apple category", {"fields": ["apple_category", "apple_subcategory"]}),
        ("Artwork and rights", {"fields": ["artwork", "copyright"]}),
        ("Listen on", {"fields": ["apple_podcasts_url", "spotify_url"]}),
        ("Identity", {"fields": ["podcast_guid"]}),
    ]

    def has_add_permission(self, request):
        return not PodcastShow.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        # Checked here because this skips Django's changelist, which would have checked it.
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        show = podcast_show()
        return redirect(reverse("admin:episodes_podcastshow_change", args=[show.pk]))
