"""Comments in the admin: every comment with one-click moderation per row, and the
moderation queue. Imported by episodes/admin.py, the module Django's autodiscovery loads."""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from . import services
from .forms import staff_reply_draft_key
from .models import Comment
from .permissions import can_moderate_comments, can_reply_to_comments


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
