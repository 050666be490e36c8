"""The admin site, with changelists that treat impossible filter values as a bad lookup,
refuse an action the member of staff may not use, and keep staff without a second factor
out while STAFF_REQUIRE_MFA is on.

Django's ChangeList turns a date drill-down (`?publish_at__year=...`) into a datetime range
and lets OverflowError (a 20-digit year) and ValueError (year 9999, whose next year is past
datetime.max) escape as a 500. Here they become IncorrectLookupParameters, which the
changelist view answers as it does any other bad filter: a redirect to `?e=1`.

Django leaves an action out of the menu when its `permissions` are not met, but a POST
naming it anyway only gets "No action selected". Here that is a 403, as for any other
view staff may not use.
"""

from functools import update_wrapper

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse

from members.selectors import staff_second_factor_missing, two_step_status

from .desk import DeskAccess, app_list_split, desk_summary
from .login import RateLimitedAdminAuthenticationForm
from .member_page import member_page_context
from .selectors import comments_pending_count


class SafeChangeList(ChangeList):
    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except (OverflowError, ValueError) as exc:
            raise IncorrectLookupParameters(exc) from exc


class SafeChangeListMixin:
    def get_changelist(self, request, **kwargs):
        changelist = super().get_changelist(request, **kwargs)
        if issubclass(changelist, SafeChangeList):
            return changelist
        return type(f"Safe{changelist.__name__}", (SafeChangeList, changelist), {})

    def changelist_view(self, request, extra_context=None):
        # Before Django's view, which skips actions altogether for someone offered none.
        if request.method == "POST":
            name = request.POST.get("action", "")
            ours = {action_name for _, action_name, _ in self._get_base_actions()}
            if name in ours and name not in self.get_actions(request):
                raise PermissionDenied
        return super().changelist_view(request, extra_context)


SECOND_FACTOR_NEEDED = (
    "Staff sign in to the admin in two steps. Set up an authenticator app or a passkey "
    "below; it takes a minute, and then the admin opens as usual."
)


class BackInShapeAdminSite(admin.AdminSite):
    """Every ModelAdmin registered here, ours and the libraries' (auth, allauth), gets the
    safe changelist, so no app has to remember to."""

    site_header = "Back In Shape admin"
    site_title = "Back In Shape admin"
    index_title = "Episodes, members and the program"
    login_form = RateLimitedAdminAuthenticationForm

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, SafeChangeListMixin):
            admin_class = type(admin_class.__name__, (SafeChangeListMixin, admin_class), {})
        return super().register(model_or_iterable, admin_class, **options)

    def admin_view(self, view, cacheable=False):
        """Every admin page (the desk's views too, which are wrapped here in urls.py): staff
        without a second factor, while STAFF_REQUIRE_MFA is on, are sent to set one up.
        Django's own check comes first, so anyone else still goes to the sign-in page."""

        def second_factor_first(request, *args, **kwargs):
            if request.path != reverse("admin:logout", current_app=self.name) and (
                staff_second_factor_missing(request.user)
            ):
                messages.warning(request, SECOND_FACTOR_NEEDED)
                return redirect("mfa_index")
            return view(request, *args, **kwargs)

        return super().admin_view(update_wrapper(second_factor_first, view), cacheable)

    def index(self, request, extra_context=None):
        """The home page is the "This Sunday" desk (staff/desk.py)."""

        ours, technical = app_list_split(self.get_app_list(request))
        context = {
            **desk_summary(access=DeskAccess.for_user(request.user)),
            "app_list": ours,
            "technical_app_list": technical,
            "two_step": two_step_status(request.user),
        }
        return super().index(request, {**context, **(extra_context or {})})

    def member_page_context(self, *, user, viewer) -> dict:
        """For members/admin.py's member page, which cannot import the apps above it."""

        return member_page_context(user=user, viewer=viewer)

    def get_app_list(self, request, app_label=None):
        """The moderation queue carries its count in the menu (templates/admin/app_list.html
        shows it as a badge), so waiting comments show from every admin page."""

        # Built once per request: the sidebar, the index and each_context all ask for it,
        # and each build checks every model's permissions (some with a query).
        built = request.__dict__.setdefault("_admin_app_lists", {})
        if app_label in built:
            return built[app_label]
        app_list = super().get_app_list(request, app_label)
        for app in app_list:
            for model in app["models"]:
                if model["object_name"] == "PendingComment":
                    model["pending_count"] = comments_pending_count()
        built[app_label] = app_list
        return app_list
