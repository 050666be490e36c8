"""The admin sign-in page, with limits on password guessing.

Django's admin login has no limit of its own. Staff made by `createsuperuser` have no
allauth email record, so rather than send them through allauth's sign-in (which
insists on a verified address) we keep the admin's form and count its failures: per
email address, so one account cannot be guessed at from many places, and per visitor
address (common.client_ip), so one visitor cannot guess at many accounts. Successful
sign-ins never count. While either limit is reached, even the right password is
refused, with HTTP 429.
"""

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest, HttpResponse
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


def admin_login(request: HttpRequest, extra_context=None) -> HttpResponse:
    """The admin's own login view with the form above; a limited attempt is a 429."""
    response = admin.site.login(request, extra_context)
    form = (getattr(response, "context_data", None) or {}).get("form")
    if form is not None and form.has_error(NON_FIELD_ERRORS, "rate_limited"):
        response.status_code = 429
    return response
