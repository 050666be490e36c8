import datetime as dt
import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from common.health import heartbeat_record
from episodes.services import comment_ip_addresses_forget
from programs.services import program_data_retention_apply

logger = logging.getLogger(__name__)

# What the retention run reports, in this order, each with its count (0 included).
RETENTION_KINDS = (
    "members",
    "session logs",
    "check-ins",
    "check-in reminders",
    "progress audit entries",
    "progress records",
    "staff unlock reasons",
)


@shared_task(ignore_result=True)
def heartbeat():
    """Run by a worker every minute (beat): a fresh value proves beat and a worker alive."""
    heartbeat_record()


@shared_task(ignore_result=True)
def data_retention_apply():
    """Daily (beat): delete what the retention settings say has been kept long enough.

    Program health data of accounts quiet for PROGRAM_DATA_RETENTION_DAYS (never a live
    membership's), and comments' IP addresses older than COMMENT_IP_RETENTION_DAYS. The
    log line says how many rows of each kind went, so the privacy notice's promise can be
    checked.
    """
    now = timezone.now()
    removed = program_data_retention_apply(now=now)
    ips = comment_ip_addresses_forget(
        before=now - dt.timedelta(days=settings.COMMENT_IP_RETENTION_DAYS)
    )
    counts = {kind: removed.get(kind, 0) for kind in RETENTION_KINDS}
    counts["comment IP addresses"] = ips
    logger.info(
        "Data retention removed: %s.",
        ", ".join(f"{kind} {count}" for kind, count in counts.items()),
        extra={"retention": counts},
    )
    return counts
