"""What the demo Stripe is told by the apps above it, once they are ready.

Real Stripe learns the prices from its Dashboard and sends events to a webhook endpoint.
The demo keeps the same two facts as registries, filled by members at start-up
(members/demo_payments.py), so this app never imports the apps above it.
"""

from collections.abc import Callable

# () -> every price, as Stripe price objects (demostripe.shapes.price_object)
PriceCatalogue = Callable[[], list[dict]]
# a Stripe event (a plain dict, as a webhook body decodes) -> None
WebhookEndpoint = Callable[[dict], None]

_price_catalogues: list[PriceCatalogue] = []
_webhook_endpoints: list[WebhookEndpoint] = []


def price_catalogue_register(catalogue: PriceCatalogue) -> None:
    if catalogue not in _price_catalogues:
        _price_catalogues.append(catalogue)


def webhook_endpoint_register(endpoint: WebhookEndpoint) -> None:
    if endpoint not in _webhook_endpoints:
        _webhook_endpoints.append(endpoint)


def prices() -> list[dict]:
    return [price for catalogue in _price_catalogues for price in catalogue()]


def price_find(price_id: str) -> dict | None:
    return next((price for price in prices() if price["id"] == price_id), None)


def webhook_endpoints() -> list[WebhookEndpoint]:
    return list(_webhook_endpoints)
