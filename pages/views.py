"""The site's pages, and closing the notice of a material change. Thin: selectors and
services do the work."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from . import selectors, services
from .cookies import site_cookies
from .models import PageKind


@require_safe
def page_detail(request, kind: str):
    """A site page as it reads now. The same for every visitor, so the page cache keeps it."""
    page = selectors.page_get(kind=kind)
    return render(
        request,
        "pages/page_detail.html",
        {
            "page": page,
            "body": selectors.page_body(page=page),
            "cookies": site_cookies() if kind == PageKind.PRIVACY else None,
        },
    )


@require_POST
@login_required
def notice_dismiss(request):
    """The notice's "Close" button: it never shows again. Back to the page it was on."""
    version_id = request.POST.get("version", "")
    if version_id.isdecimal() and len(version_id) < 12:
        services.policy_notice_dismiss(user=request.user, version_id=int(version_id))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    return redirect(target)
