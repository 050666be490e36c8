"""django-allauth, told which address is the visitor's, where a sign-in lands, which
site its emailed links point at, and sending its email through the worker.

allauth keys its sign-in, sign-up and password-reset limits on `get_client_ip()`. Its
own parser (allauth 65.x `core.internal.httpkit`) raises ImproperlyConfigured, a 500,
when X-Forwarded-For lists fewer addresses than ALLAUTH_TRUSTED_PROXY_COUNT, and
answers 403 to a garbled one; ours falls back to the connection's address instead, and
is the same rule the comment and Sunday-email limits use.

allauth builds the links it emails (password reset, email confirmation, "no account
for this address") from the request's Host header, which the visitor writes; ours are
built on SITE_URL, so a reset asked for with `Host: evil.example` still links here.
"""

from urllib.parse import quote, urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse

from common.client_ip import client_ip_key
from members.selectors import member_has_premium

from . import tasks

EMAIL_MAX_LENGTH = 254


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request: HttpRequest) -> str:
        return client_ip_key(request)

    def clean_email(self, email: str) -> str:
        """The address column holds 254 characters (RFC 5321's path limit); a longer one
        would fail in the database, so say so on the form instead."""
        email = super().clean_email(email)
        if len(email) > EMAIL_MAX_LENGTH:
            raise ValidationError(
                f"That email address is too long: please use one of {EMAIL_MAX_LENGTH} "
                "characters or fewer."
            )
        return email

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """Where sign-in lands when there is no `next`: premium members on their Program,
        everyone else on their account. allauth checks `next` itself, before asking here."""
        if member_has_premium(request.user):
            return reverse(settings.MEMBERS_PROGRAM_URL)
        return reverse("members:account")

    def get_reset_password_from_key_url(self, key: str) -> str:
        # The same path allauth builds (its flows.password_reset), on SITE_URL.
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return settings.SITE_URL + path.replace("UID-KEY", quote(key))

    def get_email_confirmation_url(self, request: HttpRequest, emailconfirmation) -> str:
        return settings.SITE_URL + reverse("account_confirm_email", args=[emailconfirmation.key])

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render allauth's email here (it needs the request) and let a worker send it,
        so a slow or unreachable mail server never holds up sign-up, sign-in by code or
        a password reset. The worker retries a mail server that is down."""
        request = allauth_context.request
        if request is not None:
            host = request.get_host()
            context = {key: _on_site_url(value, host=host) for key, value in context.items()}
        message = self.render_mail(template_prefix, email, context)
        tasks.send_rendered_email.delay(tasks.email_payload(message))


def _on_site_url(value, *, host: str):
    """A link allauth built on the request's own host (the sign-up and reset links in
    its "no account" and "account exists" emails), moved onto SITE_URL; else `value`."""
    if not isinstance(value, str) or not value.startswith(("http://", "https://")):
        return value
    parts = urlsplit(value)
    if parts.netloc != host:
        return value
    return settings.SITE_URL + parts._replace(scheme="", netloc="").geturl()
