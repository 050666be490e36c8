"""The demo Stripe's objects in the database: read, create and change them by id."""

from django.core.exceptions import ObjectDoesNotExist

from .models import DemoStripeObject


class NoSuchObject(ObjectDoesNotExist):
    pass


def object_get(object_id: str, *, kind: str, for_update: bool = False) -> DemoStripeObject:
    rows = DemoStripeObject.objects.filter(object=kind)
    if for_update:
        rows = rows.select_for_update()
    row = rows.filter(id=object_id).first()
    if row is None:
        raise NoSuchObject(f"No such {kind}: {object_id!r}")
    return row


def object_create(data: dict, *, params: dict | None = None) -> DemoStripeObject:
    return DemoStripeObject.objects.create(
        id=data["id"], object=data["object"], data=data, params=params or {}
    )


def object_save(row: DemoStripeObject) -> None:
    row.save(update_fields=["data", "updated_at"])


def subscriptions_of(customer_id: str) -> list[DemoStripeObject]:
    """The customer's subscriptions, newest first (the JSON field is read in Python, so
    this works the same on SQLite and PostgreSQL)."""
    rows = DemoStripeObject.objects.filter(object="subscription").order_by("-created_at")
    return [row for row in rows if row.data.get("customer") == customer_id]
