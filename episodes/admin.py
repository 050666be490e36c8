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
from django.utils.html import format_html, format_html_join

from . import services
from .admin_practice import EpisodeRoutineInline
from .feeds import podcast_show
from .forms import EpisodeAdminForm, staff_reply_draft_key
from .models import Comment, Episode, PodcastShow, ReleaseDelivery, ReleaseMailing, Topic
from .permissions import can_act_on_release_mailings, can_moderate_comments, can_reply_to_comments
from .release import next_release_at
from .rendering import split_members_only
from .selectors import episodes_in_release_slot
from .tasks import resume_release_mailing, send_release

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
                services.episode_release_email_schedule(episode=episode, at=at)
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


@admin.register(ReleaseMailing)
class ReleaseMailingAdmin(admin.ModelAdmin):
    """How each episode's Sunday email is going: one row per episode, with its progress.
    Read-only, apart from the actions."""

    list_display = [
        "episode",
        "created_at",
        "progress",
        "sent",
        "waiting",
        "failed",
        "completed_at",
    ]
    list_select_related = ["episode"]
    readonly_fields = ["episode", "progress", "deliveries_link", "created_at", "completed_at"]
    fields = readonly_fields
    actions = ["send_test_to_me", "retry_failed", "resume"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_progress()

    @admin.display(ordering="sent_count")
    def sent(self, mailing):
        return mailing.sent_count

    @admin.display(ordering="pending_count")
    def waiting(self, mailing):
        return mailing.pending_count

    @admin.display(ordering="failed_count")
    def failed(self, mailing):
        return mailing.failed_count

    @admin.display(description="Progress")
    def progress(self, mailing):
        # A <progress> element: screen readers announce it; no inline style (the CSP).
        summary = f"{mailing.sent_count} of {mailing.total_count} sent"
        if mailing.failed_count:
            summary += f", {mailing.failed_count} failed"
        return format_html(
            '<progress max="{}" value="{}" aria-label="{}">{}</progress> {}',
            mailing.total_count or 1,
            mailing.sent_count,
            f"Sunday email for {mailing.episode.title}: {summary}",
            summary,
            summary,
        )

    @admin.display(description="Deliveries")
    def deliveries_link(self, mailing):
        url = reverse("admin:episodes_releasedelivery_changelist")
        return format_html(
            '<a href="{}?mailing__id__exact={}">Every delivery</a> · '
            '<a href="{}?mailing__id__exact={}&amp;status__exact=failed">failed only</a>',
            url,
            mailing.pk,
            url,
            mailing.pk,
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # nothing on a mailing is edited by hand

    def has_send_permission(self, request):
        return can_act_on_release_mailings(request.user)

    @admin.action(description="Send a test to me", permissions=["send"])
    def send_test_to_me(self, request, queryset):
        for mailing in queryset.select_related("episode"):
            services.release_test_send(episode=mailing.episode, email=request.user.email)
        self.message_user(
            request, f"Sent a test to {request.user.email}. Nobody else got it.", messages.SUCCESS
        )

    def _dispatch(self, mailing):
        transaction.on_commit(partial(resume_release_mailing.delay, mailing.pk))

    @admin.action(description="Retry failed deliveries", permissions=["send"])
    def retry_failed(self, request, queryset):
        retried = 0
        for mailing in queryset:
            retried += services.release_failed_retry(mailing=mailing)
            self._dispatch(mailing)
        self.message_user(
            request, f"Trying {retried} failed delivery(ies) again.", messages.SUCCESS
        )

    @admin.action(description="Resume (send whatever is still waiting)", permissions=["send"])
    def resume(self, request, queryset):
        for mailing in queryset:
            self._dispatch(mailing)
        self.message_user(
            request,
            f"Resuming {queryset.count()} mailing(s). Nobody gets a second copy.",
            messages.SUCCESS,
        )


@admin.register(ReleaseDelivery)
class ReleaseDeliveryAdmin(admin.ModelAdmin):
    """Each recipient of each Sunday email: what happened, and why if it failed."""

    list_display = ["email", "mailing", "status", "attempts", "smtp_code", "error", "sent_at"]
    list_filter = ["status", "mailing"]
    search_fields = ["=email", "error"]
    list_select_related = ["mailing__episode"]
    readonly_fields = [
        "mailing", "email", "status", "attempts", "smtp_code", "error", "sent_at", "claimed_at",
    ]  # fmt: skip
    fields = readonly_fields
    show_full_result_count = False  # a count over a big list on every page is slow

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PendingComment(Comment):
    class Meta:
        proxy = True
        verbose_name = "comment awaiting moderation"
        verbose_name_plural = "comments awaiting moderation"


MODERATION_BUTTONS = [
    (Comment.Status.APPROVED, "Approve", "approve"),
    (Comment.Status.SPAM, "Spam", "spam"),
    (Comment.Status.REMOVED, "Remove", "remove"),
]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    """Every comment, readable in full, moderated with one click per row."""

    list_display = ["full_body", "who", "episode", "status", "created_at", "moderate"]
    list_filter = ["status", "is_staff_reply", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["body", "name", "email", "episode__title"]
    list_select_related = ["episode"]
    readonly_fields = ["episode", "parent", "user", "ip_address", "created_at", "moderated_at"]
    fields = [
        "episode", "parent", "user", "name", "email", "body", "status",
        "ip_address", "created_at", "moderated_at",
    ]  # fmt: skip
    actions = ["approve_selected", "mark_spam_selected", "remove_selected"]
    date_hierarchy = "created_at"
    # Both add the page-level form the row buttons post through, and the reply form.
    change_list_template = "admin/episodes/comment/change_list.html"
    change_form_template = "admin/episodes/comment/change_form.html"

    def get_list_display(self, request):
        # No buttons for someone the moderation view would refuse.
        if can_moderate_comments(request.user):
            return self.list_display
        return [name for name in self.list_display if name != "moderate"]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        context = {
            "can_moderate": can_moderate_comments(request.user),
            "can_reply": can_reply_to_comments(request.user),
            # A reply that was not posted comes back into the form (see StaffReplyForm).
            "reply_draft": request.session.pop(staff_reply_draft_key(object_id), ""),
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, context)

    @admin.display(description="Comment")
    def full_body(self, comment):
        # The whole comment: moderators judge what was written, not its first 80 characters.
        reply = "↳ reply · " if comment.parent_id else ""
        return format_html('<p class="comment-full">{}{}</p>', reply, comment.body)

    @admin.display(description="By", ordering="name")
    def who(self, comment):
        badge = " (staff)" if comment.is_staff_reply else ""
        return format_html("{}{}<br><small>{}</small>", comment.name, badge, comment.email)

    @admin.display(description="Moderate")
    def moderate(self, comment):
        """Buttons that submit the page's #moderate-form (forms cannot nest in the list's)."""
        url = reverse("admin_desk_comment_moderate", args=[comment.pk])
        return format_html_join(
            "",
            '<button type="submit" form="moderate-form" formaction="{}" name="status" '
            'value="{}" class="moderate__button moderate__button--{}" aria-label="{} ({})"{}>{}'
            "</button> ",
            (
                (
                    url,
                    status,
                    css,
                    label,
                    comment.name,
                    " disabled" if comment.status == status else "",
                    label,
                )
                for status, label, css in MODERATION_BUTTONS
            ),
        )

    @admin.display(description="Reply", boolean=True)
    def is_reply(self, comment):
        return comment.parent_id is not None

    def _moderate(self, request, queryset, status, verb):
        changed = services.comments_moderate(queryset=queryset, status=status)
        self.message_user(request, f"{verb} {changed} comment(s).", messages.SUCCESS)

    @admin.action(description="Approve selected comments", permissions=["change"])
    def approve_selected(self, request, queryset):
        self._moderate(request, queryset, Comment.Status.APPROVED, "Approved")

    @admin.action(description="Mark selected comments as spam", permissions=["change"])
    def mark_spam_selected(self, request, queryset):
        self._moderate(request, queryset, Comment.Status.SPAM, "Marked as spam")

    @admin.action(description="Remove selected comments", permissions=["change"])
    def remove_selected(self, request, queryset):
        self._moderate(request, queryset, Comment.Status.REMOVED, "Removed")


@admin.register(PendingComment)
class PendingCommentAdmin(CommentAdmin):
    """The moderation queue: only what is waiting, oldest first."""

    list_filter = ["is_staff_reply", "episode"]
    ordering = ["created_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(status=Comment.Status.PENDING)

    def has_add_permission(self, request):
        return False
