from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import Membership, Plan, StripeEvent, Subscriber, User


class MembershipInline(admin.StackedInline):
    model = Membership
    can_delete = False
    extra = 0
    fields = ["status", "plan", "current_period_end", "cancel_at_period_end", "complimentary_until"]
    readonly_fields = ["status", "plan", "current_period_end", "cancel_at_period_end"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "display_name", "is_staff", "date_joined"]
    search_fields = ["email", "display_name", "first_name", "last_name"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["display_name", "first_name", "last_name", "wants_sunday_email"]}),
        (
            "Permissions",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["name", "display_price", "interval", "stripe_price_id", "active", "position"]
    list_editable = ["active", "position"]


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "created_at", "confirmed_at", "unsubscribed_at", "suppressed_at"]
    search_fields = ["email"]
    list_filter = [("confirmed_at", admin.EmptyFieldListFilter), "unsubscribed_at"]


admin.site.register(StripeEvent)
