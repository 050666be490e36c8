"""The admin sign-in page, with limits on password guessing, finished by allauth so the
second step (two-step sign-in) is asked for here exactly as on the site's sign-in page.

Django's admin login has no limit of its own. Staff made by `createsuperuser` have no
allauth email record, so rather than send them through allauth's sign-in form (which
insists on a verified address) we keep the admin's form and count its failures: per
email address, so one account cannot be guessed at from many places, and per visitor
address (common.client_ip), so one visitor cannot guess at many accounts. Successful
sign-ins never count. While either limit is reached, even the right password is
refused, with HTTP 429.

Once the password is right, nobody is signed in yet: the user is handed to allauth's
login flow, whose stages run in order. With an authenticator app or a passkey, the MFA
stage asks for it (allauth's /accounts/2fa/authenticate/) before anyone is signed in; the
email-verification stage is skipped, as the admin never asked for a verified address.
"""

from allauth.account.app_settings import EmailVerificationMethod
from allauth.account.utils import perform_login
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import LoginView
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django_ratelimit.core import get_usage

LIMITED_MESSAGE = "Too many failed sign-in attempts. Wait a few minutes and try again."


def _limits(email: str) -> list[dict]:
    """django-ratelimit arguments for each limit a failed sign-in counts against."""
    return [
        {
            "group": "admin-login-failed-email",
            "key": lambda group, request: email,
            "rate": settings.ADMIN_LOGIN_RATE_LIMIT_PER_EMAIL,
        },
        {
            "group": "admin-login-failed-ip",
            "key": "ip",  # common.client_ip, through RATELIMIT_IP_META_KEY
            "rate": settings.ADMIN_LOGIN_RATE_LIMIT_PER_IP,
        },
    ]


def admin_login_is_limited(request: HttpRequest, *, email: str) -> bool:
    """Whether this visitor or this email has used up its failed attempts."""
    for limit in _limits(email):
        usage = get_usage(request, increment=False, **limit)
        # A cache that cannot be read reports should_limit: fail closed.
        if usage and (usage["should_limit"] or usage["count"] >= usage["limit"]):
            return True
    return False


def admin_login_failure_record(request: HttpRequest, *, email: str) -> None:
    for limit in _limits(email):
        get_usage(request, increment=True, **limit)


class RateLimitedAdminAuthenticationForm(AdminAuthenticationForm):
    def clean(self):
        email = (self.data.get("username") or "").strip().lower()
        if admin_login_is_limited(self.request, email=email):
            raise ValidationError(LIMITED_MESSAGE, code="rate_limited")
        try:
            return super().clean()
        except ValidationError:
            admin_login_failure_record(self.request, email=email)
            raise


class AdminLoginView(LoginView):
    """Django's LoginView, except that a right password starts allauth's login flow
    instead of signing in at once."""

    authentication_form = RateLimitedAdminAuthenticationForm
    template_name = "admin/login.html"
    next_page = "admin:index"

    def form_valid(self, form):
        return perform_login(
            self.request,
            form.get_user(),
            email_verification=EmailVerificationMethod.NONE,
            redirect_url=self.get_success_url(),
        )


@never_cache
def admin_login(request: HttpRequest, extra_context=None) -> HttpResponse:
    """The admin's own login view (Django's AdminSite.login, with the view above); a
    limited attempt is a 429."""
    site = admin.site
    if request.method == "GET" and site.has_permission(request):
        return HttpResponseRedirect(reverse("admin:index", current_app=site.name))
    context = {
        **site.each_context(request),
        "title": "Log in",
        "subtitle": None,
        "app_path": request.get_full_path(),
        "username": request.user.get_username(),
    }
    if REDIRECT_FIELD_NAME not in request.GET and REDIRECT_FIELD_NAME not in request.POST:
        context[REDIRECT_FIELD_NAME] = reverse("admin:index", current_app=site.name)
    context.update(extra_context or {})
    request.current_app = site.name
    response = AdminLoginView.as_view(extra_context=context)(request)
    form = (getattr(response, "context_data", None) or {}).get("form")
    if form is not None and form.has_error(NON_FIELD_ERRORS, "rate_limited"):
        response.status_code = 429
    return response
