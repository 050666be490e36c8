"""The email provider's tracking webhook (django-anymail), and what it sets off.

Mounted at /anymail/<esp>/tracking/ only when ANYMAIL_WEBHOOK_SECRET is set: anymail checks
that shared basic-auth secret and, where the provider signs its webhooks (Mailgun,
SendGrid, Postal…), the signature too. Without the secret the URL is a 404, so nobody
can suppress addresses by posting fake bounces.
"""

from anymail import urls as anymail_urls
from anymail.signals import tracking
from django.conf import settings
from django.dispatch import receiver
from django.http import Http404
from django.urls import URLPattern
from django.views.decorators.csrf import csrf_exempt

from . import services


@receiver(tracking, dispatch_uid="members.esp_tracking")
def esp_tracking_received(sender, event, esp_name, **kwargs):
    services.esp_tracking_event_handle(event=event, esp_name=esp_name)


def _only_with_a_secret(view):
    @csrf_exempt
    def guarded(request, *args, **kwargs):
        if not getattr(settings, "ANYMAIL", {}).get("WEBHOOK_SECRET"):
            raise Http404("Email provider webhooks are not configured.")
        return view(request, *args, **kwargs)

    return guarded


app_name = "anymail"
urlpatterns = [
    URLPattern(pattern.pattern, _only_with_a_secret(pattern.callback), name=pattern.name)
    for pattern in anymail_urls.urlpatterns
    if pattern.name and pattern.name.endswith("_tracking_webhook")
]
