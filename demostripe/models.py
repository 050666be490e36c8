from django.db import models


class DemoStripeObject(models.Model):
    """One object the demo Stripe holds (a customer, subscription, Checkout Session or
    portal session), stored as the JSON Stripe's API would return for it."""

    id = models.CharField(primary_key=True, max_length=255)
    object = models.CharField(max_length=40, db_index=True)  # Stripe's own "object" field
    data = models.JSONField()
    # What the SDK sent to create it (form-encoded keys), e.g. a session's line items.
    params = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return f"{self.object} {self.id}"
