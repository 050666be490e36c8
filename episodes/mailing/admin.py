"""The Sunday email in the admin: each mailing's progress with staff's actions on it, and
each delivery with what happened to it. Imported by episodes/admin.py, the module Django's
autodiscovery loads."""

from functools import partial

from django.contrib import admin, messages
from django.db import transaction
from django.urls import reverse
from django.utils.html import format_html

from episodes.models import ReleaseDelivery, ReleaseMailing
from episodes.permissions import can_act_on_release_mailings
from episodes.tasks import resume_release_mailing

from .mailing import release_failed_retry, release_test_send


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
            release_test_send(episode=mailing.episode, email=request.user.email)
        self.message_user(
            request, f"Sent a test to {request.user.email}. Nobody else got it.", messages.SUCCESS
        )

    def _dispatch(self, mailing):
        transaction.on_commit(partial(resume_release_mailing.delay, mailing.pk))

    @admin.action(description="Retry failed deliveries", permissions=["send"])
    def retry_failed(self, request, queryset):
        retried = 0
        for mailing in queryset:
            retried += release_failed_retry(mailing=mailing)
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
