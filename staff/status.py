"""The staff status page (/admin/status/): the heartbeat, the last Sunday run, the queue,
and the same checks /healthz runs (common/health.py)."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from common.health import (
    HEARTBEAT_STALE_SECONDS,
    broker_queue_length,
    health_checks,
    heartbeat_age,
)
from episodes.mailing.admin import ReleaseMailingAdmin
from episodes.models import ReleaseMailing
from episodes.permissions import can_view_release_mailings

from .selectors import release_mailing_latest


@dataclass(frozen=True)
class OperationsStatus:
    heartbeat_age: float | None
    heartbeat_stale: bool
    latest_mailing: ReleaseMailing | None
    queue_length: int | None
    queue_name: str
    eager: bool


def operations_status() -> OperationsStatus:
    age = heartbeat_age()
    return OperationsStatus(
        heartbeat_age=age,
        heartbeat_stale=age is None or age > HEARTBEAT_STALE_SECONDS,
        latest_mailing=release_mailing_latest(),
        queue_length=broker_queue_length(),
        queue_name=settings.CELERY_TASK_DEFAULT_QUEUE,
        eager=not settings.CELERY_BROKER_URL,
    )


@never_cache
def operations_status_page(request):
    """Staff only (wrapped in admin_view in staff/urls.py): heartbeat, last Sunday run, queue.

    The Sunday email's progress is on it, so it takes what the release mailings' list does.
    """
    if not can_view_release_mailings(request.user):
        raise PermissionDenied
    status = operations_status()
    mailing = status.latest_mailing
    progress = ReleaseMailingAdmin(ReleaseMailing, admin.site).progress(mailing) if mailing else ""
    context = {
        **admin.site.each_context(request),
        "title": "Site status",
        "status": status,
        "mailing": mailing,
        "progress": progress,
        "counts": (
            {
                "sent": mailing.sent_count,
                "waiting": mailing.pending_count,
                "failed": mailing.failed_count,
            }
            if mailing
            else {}
        ),
        "checks": health_checks(deep=True),
    }
    return render(request, "admin/operations_status.html", context)
