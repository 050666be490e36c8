"""Reads for the site's pages: a page as it reads now, and the notices members have yet to see."""

import datetime as dt
from dataclasses import dataclass

from django.http import Http404

from common.markdown import RenderedPart, render_markdown

from .models import ANNOUNCED_KINDS, Page, PageVersion, PolicyNoticeSeen


def page_get(*, kind: str) -> Page:
    """The page as it reads now; 404 until staff (or seed_demo) have written it."""
    page = Page.objects.filter(kind=kind, version__gte=1).first()
    if page is None:
        raise Http404("This page hasn't been written yet.")
    return page


def page_body(*, page: Page | PageVersion) -> RenderedPart:
    """The page's Markdown as safe HTML, headings numbered apart from the site's own ids."""
    return render_markdown(page.body, id_prefix="s-")


def page_versions(*, page: Page) -> list[PageVersion]:
    return list(page.versions.select_related("saved_by").order_by("-number"))


@dataclass(frozen=True)
class PolicyNotice:
    """A material change to a page members agreed to, as the notice says it."""

    version_id: int
    kind: str
    title: str
    change_note: str
    saved_at: dt.datetime
    url: str


def material_changes() -> list[PolicyNotice]:
    """The latest material change of each announced page (privacy notice, terms), newest
    first."""
    latest: dict[int, PageVersion] = {}
    versions = (
        PageVersion.objects.filter(is_material=True, page__kind__in=ANNOUNCED_KINDS)
        .select_related("page")
        .order_by("page_id", "-number")
    )
    for version in versions:
        latest.setdefault(version.page_id, version)
    return [
        PolicyNotice(
            version_id=version.pk,
            kind=version.page.kind,
            title=version.page.title,
            change_note=version.change_note,
            saved_at=version.saved_at,
            url=version.page.get_absolute_url(),
        )
        for version in sorted(latest.values(), key=lambda v: v.saved_at, reverse=True)
    ]


def policy_notices_pending(*, user) -> list[PolicyNotice]:
    """The material changes this member hasn't been shown yet.

    Only changes made after they joined: at sign-up they were shown the pages as they
    read then.
    """
    if not getattr(user, "is_authenticated", False):
        return []
    candidates = [n for n in material_changes() if n.saved_at > user.date_joined]
    if not candidates:
        return []
    seen = set(
        PolicyNoticeSeen.objects.filter(
            user=user, version_id__in=[n.version_id for n in candidates]
        ).values_list("version_id", flat=True)
    )
    return [n for n in candidates if n.version_id not in seen]
