"""The one way the site sends email.

Each email is three templates under templates/emails/: NAME-subject.txt, NAME-body.txt
and NAME-body.html, sent as multipart/alternative (plain text first, HTML second).
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def email_build(
    *, to: str, template: str, context: dict, headers: dict | None = None
) -> EmailMultiAlternatives:
    context = {"SITE_URL": settings.SITE_URL, "SITE_NAME": "Back In Shape", **context}
    subject = render_to_string(f"emails/{template}-subject.txt", context)
    subject = " ".join(subject.split())  # one line, whatever the template's whitespace
    text = render_to_string(f"emails/{template}-body.txt", context)
    html = render_to_string(f"emails/{template}-body.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=headers or {},
    )
    message.attach_alternative(html, "text/html")
    return message


def email_send(*, to: str, template: str, context: dict, headers: dict | None = None) -> None:
    email_build(to=to, template=template, context=context, headers=headers).send()
