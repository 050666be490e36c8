from django.conf import settings

from demostripe.api import demo_payments_active


def _canonical_url(request) -> str:
    """This page's one address on the public site: SITE_URL, the path, and the page
    number when it is past the first. Other query strings never make a new page."""
    page = request.GET.get("page", "")
    suffix = f"?page={int(page)}" if page.isdecimal() and 1 < int(page) < 10_000 else ""
    return f"{settings.SITE_URL}{request.path}{suffix}"


def site(request):
    return {
        "SITE_NAME": "Back In Shape",
        "SITE_URL": settings.SITE_URL,
        "canonical_url": _canonical_url(request),
        # Development only: the demo payments notice, and the outbox link on the staff desk.
        "DEMO_PAYMENTS": demo_payments_active(),
        "DEV_OUTBOX": settings.DEBUG,
        "STAFF_REQUIRE_MFA": settings.STAFF_REQUIRE_MFA,
    }
