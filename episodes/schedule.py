"""When episodes come out: every Sunday at the release time, in the site's time zone."""

import datetime as dt

from django.conf import settings
from django.utils import timezone


def next_release_at(now: dt.datetime | None = None) -> dt.datetime:
    """The next Sunday release moment strictly after `now`, as an aware datetime.

    Computed on the local calendar and localised afterwards, so a release after a
    clock change still happens at the same wall-clock time (07:00 stays 07:00).
    """
    tz = timezone.get_default_timezone()
    local_now = timezone.localtime(now or timezone.now(), tz)
    days_ahead = (settings.RELEASE_WEEKDAY - local_now.weekday()) % 7
    candidate_day = local_now.date() + dt.timedelta(days=days_ahead)
    candidate = dt.datetime.combine(candidate_day, settings.RELEASE_TIME, tzinfo=tz)
    if candidate <= local_now:
        candidate = dt.datetime.combine(
            candidate_day + dt.timedelta(days=7), settings.RELEASE_TIME, tzinfo=tz
        )
    return candidate
