from django.conf import settings


def site(request):
    return {
        "SITE_NAME": "Back In Shape",
        "SITE_URL": settings.SITE_URL,
    }
