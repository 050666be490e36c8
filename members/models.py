import secrets

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractUser):
    """A person with an account. The email address is the login; there is no username."""

    username = None
    email = models.EmailField("email address", unique=True)
    display_name = models.CharField(
        max_length=80,
        blank=True,
        help_text="Shown beside your comments, instead of your email address.",
    )
    wants_sunday_email = models.BooleanField(
        "Sunday episode email",
        default=False,  # asked for at sign-up (unticked) or on the account page, never assumed
        help_text="The new episode in your inbox every Sunday morning.",
    )
    wants_checkin_reminders = models.BooleanField(
        "check-in reminders",
        default=True,
        help_text="One email the morning after a Program session, asking how your back feels.",
    )
    policy_notice_due = models.BooleanField(
        default=False,
        editable=False,
        help_text="A material change to the privacy notice or terms waits to be shown to them "
        "(members/services/policy_notices.py).",
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="members_user_email_ci_unique"),
        ]

    def __str__(self):
        return self.email

    ANONYMOUS_NAME = "Back In Shape member"

    @property
    def public_name(self) -> str:
        """The name shown beside what a member writes: only ever the one they chose.

        Never the email address or a name from a Google account: comments here sit next
        to health details, and a real name should appear only if the member put it there.
        """
        return self.display_name or self.ANONYMOUS_NAME


class Plan(models.Model):
    """A premium plan: one Stripe Price, shown on /membership/."""

    class Interval(models.TextChoices):
        MONTH = "month", "Monthly"
        YEAR = "year", "Yearly"

    name = models.CharField(max_length=80)
    stripe_price_id = models.CharField("Stripe price id", max_length=255, unique=True)
    amount = models.PositiveIntegerField(help_text="In the smallest unit, e.g. pence: 900 = £9.00")
    currency = models.CharField(max_length=3, default="gbp")
    interval = models.CharField(max_length=5, choices=Interval.choices)
    description = models.CharField(max_length=200, blank=True)
    active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "amount"]

    def __str__(self):
        return f"{self.name} ({self.display_price}/{self.interval})"

    @property
    def display_price(self) -> str:
        symbol = {"gbp": "£", "usd": "$", "eur": "€"}.get(self.currency.lower(), "")
        major, minor = divmod(self.amount, 100)
        text = f"{major}" if minor == 0 else f"{major}.{minor:02d}"
        return f"{symbol}{text}" if symbol else f"{text} {self.currency.upper()}"

    @property
    def price_in_words(self) -> str:
        """The price as pages, the join panel and emails say it: "£9 a month"."""
        return f"{self.display_price} a {self.interval}"


class Membership(models.Model):
    """A member's premium membership: a mirror of their Stripe subscription.

    The fields hold Stripe's absolute state as last fetched; nothing here is computed
    from webhook payloads alone. Access is decided in members.selectors.member_has_premium.
    """

    class Status(models.TextChoices):
        NONE = "", "No subscription"
        INCOMPLETE = "incomplete", "Incomplete"
        INCOMPLETE_EXPIRED = "incomplete_expired", "Incomplete, expired"
        TRIALING = "trialing", "Trialing"
        ACTIVE = "active", "Active"
        PAST_DUE = "past_due", "Past due"
        CANCELED = "canceled", "Cancelled"
        UNPAID = "unpaid", "Unpaid"
        PAUSED = "paused", "Paused"

    # What the statuses mean here, each set defined once
    # (https://docs.stripe.com/billing/subscriptions/overview).
    # Paid up: active and trialing. past_due has a failed renewal Stripe is still retrying,
    # and grants premium only for the grace period (members.selectors).
    GRANTING_STATUSES = frozenset({Status.ACTIVE, Status.TRIALING})
    # Still running: a move from one of these to an ended status sends the "ended" email.
    LIVE_STATUSES = frozenset({Status.ACTIVE, Status.TRIALING, Status.PAST_DUE})
    # Only a cancellation ends a membership for good; `unpaid` is still open in Stripe and
    # can be brought back by paying the invoice (the payment-failed email covers it).
    ENDED_STATUSES = frozenset({Status.CANCELED})
    # After these a Stripe subscription will never bill or grant again.
    SUBSCRIPTION_FINISHED_STATUSES = frozenset({Status.CANCELED, Status.INCOMPLETE_EXPIRED})
    # The member still has a subscription to look after in the Customer Portal (pay a
    # failed invoice, resume, cancel) rather than start a second one.
    SUBSCRIPTION_OPEN_STATUSES = frozenset(
        {Status.ACTIVE, Status.TRIALING, Status.PAST_DUE, Status.UNPAID, Status.PAUSED}
    )

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="membership")
    stripe_customer_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    stripe_subscription_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    stripe_price_id = models.CharField(max_length=255, blank=True)
    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.SET_NULL)
    status = models.CharField(max_length=20, choices=Status.choices, blank=True, default="")
    current_period_end = models.DateTimeField(null=True, blank=True)
    cancel_at_period_end = models.BooleanField(default=False)
    cancel_at = models.DateTimeField(null=True, blank=True)
    past_due_since = models.DateTimeField(null=True, blank=True)
    complimentary_until = models.DateField(
        null=True,
        blank=True,
        help_text="Grant premium without payment up to and including this day.",
    )
    synced_at = models.DateTimeField(null=True, blank=True)
    welcomed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the welcome email went out (sent once)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # What a sync from Stripe writes. Staff never edit these (the next sync would undo it).
    STRIPE_MIRRORED_FIELDS = (
        "stripe_subscription_id",
        "stripe_customer_id",
        "stripe_price_id",
        "plan",
        "status",
        "current_period_end",
        "cancel_at_period_end",
        "cancel_at",
        "past_due_since",
        "synced_at",
        "welcomed_at",
    )

    class Meta:
        indexes = [models.Index(fields=["status"])]

    def __str__(self):
        return f"Membership of {self.user}"


class StripeEvent(models.Model):
    """Every Stripe webhook event we accepted, once: the unique id makes replays no-ops."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    livemode = models.BooleanField(default=False)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["type"])]

    def __str__(self):
        return f"{self.type} {self.event_id}"


def _new_token() -> str:
    return secrets.token_urlsafe(32)


class Subscriber(models.Model):
    """Someone who asked for the free Sunday email (double opt-in)."""

    email = models.EmailField(unique=True)
    token = models.CharField(max_length=64, unique=True, default=_new_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    suppressed_at = models.DateTimeField(
        null=True, blank=True, help_text="Set when mail to this address bounced or was reported."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="members_subscriber_email_ci_unique"),
        ]

    def __str__(self):
        return self.email

    @property
    def is_active(self) -> bool:
        return bool(self.confirmed_at and not self.unsubscribed_at and not self.suppressed_at)


class EmailSuppression(models.Model):
    """Why the Sunday email stopped going to an address: the provider told us it hard-bounced,
    was reported as spam, or was unsubscribed at the provider. One row per event received;
    the stop itself is on Subscriber.suppressed_at and User.wants_sunday_email."""

    class Reason(models.TextChoices):
        BOUNCED = "bounced", "Hard bounce"
        COMPLAINED = "complained", "Reported as spam"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed at the email provider"

    email = models.EmailField()
    reason = models.CharField(max_length=20, choices=Reason.choices)
    esp = models.CharField("email provider", max_length=40, blank=True)
    event_id = models.CharField(max_length=200, blank=True)
    detail = models.TextField(blank=True, help_text="What the provider or the mail server said.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(Lower("email"), name="members_suppression_email_ci")]
        constraints = [
            models.UniqueConstraint(
                fields=["esp", "event_id"],
                condition=~models.Q(event_id=""),
                name="members_suppression_event_once",
            ),
        ]

    def __str__(self):
        return f"{self.email}: {self.get_reason_display()}"


class FeedToken(models.Model):
    """The secret in a premium member's private podcast feed address.

    A member has at most one live token (the partial unique constraint); resetting
    revokes the old one and makes a new one, so an address that leaked dies at once.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="feed_tokens")
    token = models.CharField(max_length=64, unique=True, default=_new_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(revoked_at=None),
                name="members_feedtoken_one_live_per_user",
            ),
        ]

    def __str__(self):
        state = "revoked" if self.revoked_at else "live"
        return f"Private feed of {self.user} ({state})"
