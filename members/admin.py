from allauth.mfa.models import Authenticator
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.html import format_html

from . import services
from .models import EmailSuppression, FeedToken, Membership, Plan, StripeEvent, Subscriber, User
from .selectors import membership_cancellation_pending, membership_grants_premium
from .stripe_client import stripe_dashboard_url

# Mirrored from Stripe and shown read-only; the two ids appear as dashboard links.
_LINKED_IDS = {
    "stripe_customer_id": "stripe_customer_link",
    "stripe_subscription_id": "stripe_subscription_link",
}
STRIPE_MIRROR_FIELDS = [
    *_LINKED_IDS.values(),
    *(name for name in Membership.STRIPE_MIRRORED_FIELDS if name not in _LINKED_IDS),
]


def _dashboard_link(kind: str, object_id: str | None):
    if not object_id:
        return "—"
    return format_html(
        '<a href="{}" target="_blank" rel="noopener noreferrer">{}</a>',
        stripe_dashboard_url(kind, object_id),
        object_id,
    )


class StripeLinksAdminMixin:
    """A membership's Stripe customer and subscription as links into the Stripe dashboard
    (under /test/ with a test key), for every admin page that shows Membership rows."""

    @admin.display(description="Stripe customer")
    def stripe_customer_link(self, obj):
        return _dashboard_link("customers", obj.stripe_customer_id)

    @admin.display(description="Stripe subscription")
    def stripe_subscription_link(self, obj):
        return _dashboard_link("subscriptions", obj.stripe_subscription_id)

    @admin.display(description="Stripe")
    def stripe_links(self, obj):
        """Both links in one column, for the change list."""
        return format_html(
            "{}<br>{}", self.stripe_customer_link(obj), self.stripe_subscription_link(obj)
        )


class MembershipInline(StripeLinksAdminMixin, admin.StackedInline):
    model = Membership
    can_delete = False
    extra = 0
    fields = ["complimentary_until", *STRIPE_MIRROR_FIELDS]
    readonly_fields = STRIPE_MIRROR_FIELDS


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "display_name", "membership_status", "is_staff", "date_joined"]
    list_select_related = ["membership"]
    search_fields = ["email", "display_name", "first_name", "last_name"]
    inlines = [MembershipInline]
    change_form_template = "admin/members/user/change_form.html"
    readonly_fields = ["last_login", "date_joined"]  # facts, never edited by hand
    # The summary above the form leads (membership, Program, comments, email); the
    # password hash and permissions are folded away at the bottom.
    fieldsets = [
        (None, {"fields": ["email"]}),
        ("Profile", {"fields": ["display_name", "first_name", "last_name", "wants_sunday_email"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
        (
            "Password and permissions",
            {
                "classes": ["collapse"],
                "fields": [
                    "password", "is_active", "is_staff", "is_superuser", "groups",
                    "user_permissions",
                ],
            },
        ),
    ]  # fmt: skip

    def change_view(self, request, object_id, form_url="", extra_context=None):
        context = dict(extra_context or {})
        member = self.get_object(request, unquote(object_id))
        page_context = getattr(self.admin_site, "member_page_context", None)
        if member is not None and page_context is not None:
            context.update(page_context(user=member, viewer=request.user))
        return super().change_view(request, object_id, form_url, context)

    # Django's warning (docs, "Permissions"): whoever may change users may change their
    # permissions, their own included. Only a superuser grants rights, and only a
    # superuser changes a superuser (their password, their email, their rights).
    PERMISSION_FIELDS = ["is_staff", "is_superuser", "groups", "user_permissions"]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += [name for name in self.PERMISSION_FIELDS if name not in readonly]
        return readonly

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]

    @admin.display(description="Membership")
    def membership_status(self, obj):
        membership = getattr(obj, "membership", None)
        if membership is None:
            return "—"
        return membership.get_status_display() or (
            "Complimentary" if membership.complimentary_until else "—"
        )


@admin.register(Membership)
class MembershipAdmin(StripeLinksAdminMixin, admin.ModelAdmin):
    # What staff ask first ("premium now?") comes right after the member, so it stays in
    # view at 1280 px; both Stripe links share one column.
    list_display = [
        "user",
        "grants_premium",
        "status",
        "plan",
        "current_period_end",
        "pending_cancellation",
        "complimentary_until",
        "stripe_links",
    ]
    list_filter = ["status", "plan", ("complimentary_until", admin.EmptyFieldListFilter)]
    list_select_related = ["user", "plan"]
    search_fields = ["user__email", "stripe_customer_id", "stripe_subscription_id"]
    autocomplete_fields = ["user"]
    date_hierarchy = "created_at"
    fieldsets = [
        (None, {"fields": ["user"]}),
        (
            "Complimentary membership",
            {
                "fields": ["complimentary_until"],
                "description": "Grant premium without payment up to and including this day. "
                "Leave empty to end it.",
            },
        ),
        ("Mirrored from Stripe (read only)", {"fields": STRIPE_MIRROR_FIELDS}),
    ]

    def save_model(self, request, obj, form, change):
        if change:
            # Only what staff may edit, so a Stripe sync landing meanwhile is never undone.
            obj.save(update_fields=["complimentary_until", "updated_at"])
        else:
            super().save_model(request, obj, form, change)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return STRIPE_MIRROR_FIELDS
        return ["user", *STRIPE_MIRROR_FIELDS]

    @admin.display(description="Cancelling", boolean=True)
    def pending_cancellation(self, obj):
        return membership_cancellation_pending(obj)

    @admin.display(description="Premium now", boolean=True)
    def grants_premium(self, obj):
        return membership_grants_premium(obj)


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["name", "display_price", "interval", "stripe_price_id", "active", "position"]
    list_editable = ["active", "position"]


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "created_at", "confirmed_at", "unsubscribed_at", "suppressed_at"]
    search_fields = ["email"]
    list_filter = [("confirmed_at", admin.EmptyFieldListFilter), "unsubscribed_at"]


class HasErrorFilter(admin.SimpleListFilter):
    title = "has error"
    parameter_name = "has_error"

    def lookups(self, request, model_admin):
        return [("yes", "With an error"), ("no", "Without an error")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(error="")
        if self.value() == "no":
            return queryset.filter(error="")
        return queryset


@admin.register(StripeEvent)
class StripeEventAdmin(admin.ModelAdmin):
    list_display = ["event_id", "type", "received_at", "processed_at", "has_error", "livemode"]
    list_filter = ["type", HasErrorFilter, ("processed_at", admin.EmptyFieldListFilter)]
    search_fields = ["event_id", "type"]
    date_hierarchy = "received_at"
    readonly_fields = [
        "event_id",
        "type",
        "livemode",
        "received_at",
        "processed_at",
        "error",
        "payload",
    ]
    actions = ["reprocess_events"]

    def has_add_permission(self, request):
        return False  # events only come from Stripe, through the signed webhook

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="Error", boolean=True)
    def has_error(self, obj):
        return bool(obj.error)

    def has_reprocess_permission(self, request):
        return request.user.has_perm("members.change_stripeevent")

    @admin.action(description="Reprocess selected events", permissions=["reprocess"])
    def reprocess_events(self, request, queryset):
        ok, failed = 0, 0
        for event in queryset.order_by("received_at"):
            try:
                event = services.stripe_event_process(event_id=event.event_id, force=True)
            except services.StripeEventDeferred:
                failed += 1
                continue
            if event.error:
                failed += 1
            else:
                ok += 1
        if ok:
            self.message_user(request, f"Reprocessed {ok} event(s).", messages.SUCCESS)
        if failed:
            self.message_user(
                request,
                f"{failed} event(s) failed again; see their error.",
                messages.WARNING,
            )


@admin.register(EmailSuppression)
class EmailSuppressionAdmin(admin.ModelAdmin):
    """Why the Sunday email stopped for an address: what the email provider reported."""

    list_display = ["email", "reason", "esp", "created_at"]
    list_filter = ["reason", "esp"]
    search_fields = ["=email"]
    readonly_fields = ["email", "reason", "esp", "event_id", "detail", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(FeedToken)
class FeedTokenAdmin(admin.ModelAdmin):
    """Private podcast feeds. The secret itself is never shown: staff only revoke."""

    list_display = ["user", "created_at", "revoked_at", "is_live"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    fields = ["user", "created_at", "revoked_at"]
    readonly_fields = ["user", "created_at", "revoked_at"]
    actions = ["revoke_selected"]

    @admin.display(description="Live", boolean=True)
    def is_live(self, feed_token):
        return feed_token.revoked_at is None

    def has_add_permission(self, request):
        return False

    @admin.action(
        description="Revoke: the private feed address stops at once", permissions=["change"]
    )
    def revoke_selected(self, request, queryset):
        count = 0
        for feed_token in queryset.filter(revoked_at=None):
            services.feed_token_revoke(feed_token=feed_token)
            count += 1
        self.message_user(request, f"Revoked {count} private feed address(es).", messages.SUCCESS)


# allauth's own admin for authenticators shows and edits their data, which holds the
# authenticator app's secret: whoever could read it could make the codes.
admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(admin.ModelAdmin):
    """Who has which second step (two-step sign-in), never its secret. When someone loses
    their phone or key and every recovery code, a superuser removes it here; the owner then
    sets up a new one (staff are asked to at their next admin page)."""

    list_display = ["user", "type", "created_at", "last_used_at"]
    list_filter = ["type"]
    search_fields = ["=user__email"]
    list_select_related = ["user"]
    fields = ["user", "type", "created_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # Removing someone's second step lets the next person with their password set one.
        return request.user.is_superuser
