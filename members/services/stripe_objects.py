"""Reading what Stripe returns: SDK objects and plain dicts (a webhook payload) alike."""

import datetime as dt
from typing import Any


def _as_dict(obj: Any) -> dict:
    """Stripe SDK objects are not dicts; turn them into plain data once, at the edge."""
    if obj is None:
        return {}
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    return dict(obj)


def _id_of(value: Any) -> str | None:
    """An expandable Stripe field is an id string, or the object itself when expanded."""
    if not value:
        return None
    if isinstance(value, str):
        return value
    return _as_dict(value).get("id")


def _from_timestamp(value: int | None) -> dt.datetime | None:
    if value in (None, ""):
        return None
    return dt.datetime.fromtimestamp(int(value), tz=dt.UTC)


def _user_id_from(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
