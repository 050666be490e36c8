"""Writes for the site's pages: saving a page (and its next version), and the notices of
material changes members have been shown."""

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from . import selectors
from .models import Page, PageVersion, PolicyNoticeSeen

# Called with each material change as it is saved, in the same transaction. Members sits
# above pages, so it registers here (members/apps.py) to flag who should be told, rather
# than pages reaching up to it.
_material_change_listeners: list[Callable[[PageVersion], object]] = []


def register_material_change_listener(fn: Callable[[PageVersion], object]) -> None:
    if fn not in _material_change_listeners:
        _material_change_listeners.append(fn)


def _clean_text(value: str) -> str:
    # Browsers post textarea lines ending in CRLF (HTML "textarea wrapping"): without this,
    # resaving an unchanged page would count as a change.
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def page_change_check(
    *, page: Page, title: str, summary: str, body: str, material: bool, change_note: str
) -> bool:
    """Whether saving these words changes the page; ValidationError for a material change
    that cannot be announced. The admin's form asks it first, so its errors sit beside
    the fields; page_save asks it again."""
    current = Page.objects.filter(pk=page.pk).first() if page.pk else None
    changed = current is None or (current.title, current.summary, current.body) != (
        title.strip(),
        " ".join(summary.split()),
        _clean_text(body),
    )
    if material:
        if not page.is_announced:
            raise ValidationError(
                {"material": "Only changes to the privacy notice and the terms are announced."}
            )
        if not changed:
            raise ValidationError(
                {"material": "The words haven't changed, so there is nothing to announce."}
            )
        if not " ".join(change_note.split()):
            raise ValidationError({"change_note": "Say in one line what changed: members read it."})
    return changed


@transaction.atomic
def page_save(
    *,
    page: Page,
    title: str,
    summary: str,
    body: str,
    by=None,
    material: bool = False,
    change_note: str = "",
) -> PageVersion | None:
    """Save a page's words. A save that changes them adds the next version and moves
    "last updated"; one that changes nothing adds nothing and returns None.

    A material change (privacy notice and terms only) says in one line what changed;
    signed-in members are shown that line once.
    """
    if page.pk:
        Page.objects.select_for_update().filter(pk=page.pk).first()  # one save at a time
    changed = page_change_check(
        page=page,
        title=title,
        summary=summary,
        body=body,
        material=material,
        change_note=change_note,
    )
    page.title, page.summary, page.body = (
        title.strip(),
        " ".join(summary.split()),
        _clean_text(body),
    )
    if not changed:
        return None
    previous = Page.objects.filter(pk=page.pk).values_list("version", flat=True).first() or 0
    page.version = previous + 1
    page.updated_at = timezone.now()
    page.full_clean()
    page.save()
    version = PageVersion.objects.create(
        page=page,
        number=page.version,
        title=page.title,
        summary=page.summary,
        body=page.body,
        saved_at=page.updated_at,
        saved_by=by,
        is_material=material,
        change_note=" ".join(change_note.split()) if material else "",
    )
    if material:
        for listener in _material_change_listeners:
            listener(version)
    return version


def policy_notices_take(*, user) -> list[selectors.PolicyNotice]:
    """The notices of material changes this member hasn't seen, marked as seen now: each is
    shown once, on the next page they open (members.services.policy_notices_show)."""
    pending = selectors.policy_notices_pending(user=user)
    if pending:
        PolicyNoticeSeen.objects.bulk_create(
            [PolicyNoticeSeen(user=user, version_id=n.version_id) for n in pending],
            ignore_conflicts=True,  # two tabs at once: the notice is seen either way
        )
    return pending


def policy_notice_dismiss(*, user, version_id: int) -> None:
    """The member closed a notice: it never shows again (it may already be marked seen)."""
    if PageVersion.objects.filter(pk=version_id, is_material=True).exists():
        PolicyNoticeSeen.objects.get_or_create(user=user, version_id=version_id)
