"""django-allauth, told which address is the visitor's, and sending its email through
the worker.

allauth keys its sign-in, sign-up and password-reset limits on `get_client_ip()`. Its
own parser (allauth 65.x `core.internal.httpkit`) raises ImproperlyConfigured, a 500,
when X-Forwarded-For lists fewer addresses than ALLAUTH_TRUSTED_PROXY_COUNT, and
answers 403 to a garbled one; ours falls back to the connection's address instead, and
is the same rule the comment and Sunday-email limits use.
"""

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest

from common.client_ip import client_ip_key

from . import tasks


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request: HttpRequest) -> str:
        return client_ip_key(request)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render allauth's email here (it needs the request) and let a worker send it,
        so a slow or unreachable mail server never holds up sign-up, sign-in by code or
        a password reset. The worker retries a mail server that is down."""
        message = self.render_mail(template_prefix, email, context)
        tasks.send_rendered_email.delay(tasks.email_payload(message))
