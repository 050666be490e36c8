"""Writes for members: the free Sunday email list, premium membership and Stripe billing.

Split by sub-domain, one module each; every public name is re-exported here, so callers
write `from members import services` or `from members.services import X` and need not
know which module holds it. A test that patches a name patches it in the module that
looks it up (say `members.services.stripe_sync`), not here.

- sunday_email: the free list (double opt-in, unsubscribe) and provider suppressions
- billing: Stripe Checkout, the Customer Portal and complimentary premium
- stripe_sync: each Membership as a mirror of its Stripe subscription; webhook events
- stripe_objects: reading Stripe's objects and plain payloads alike
- membership_emails: welcome, payment failed, ended
- account: a member's settings, and deleting the account
- feed_tokens: the private premium podcast feed address
- policy_notices: telling members once that the privacy notice or terms changed
"""

from .account import (
    account_delete,
    member_checkin_reminders_set,
    member_display_name_set,
)
from .billing import (
    AlreadySubscribed,
    BillingError,
    BillingUnavailable,
    CheckoutConfirmation,
    NoBillingAccount,
    PlanUnavailable,
    billing_portal_session_create,
    checkout_session_confirm,
    checkout_session_create,
    membership_complimentary_set,
)
from .feed_tokens import feed_token_get_or_create, feed_token_reset, feed_token_revoke
from .membership_emails import (
    MEMBERSHIP_EMAIL_ENDED,
    MEMBERSHIP_EMAIL_PAYMENT_FAILED,
    MEMBERSHIP_EMAIL_WELCOME,
    MEMBERSHIP_EMAILS,
    membership_email_send,
)
from .policy_notices import policy_notice_flag, policy_notices_show
from .stripe_sync import (
    STRIPE_EVENT_CLOCK_SKEW,
    MembershipOwnerUnknown,
    StripeEventDeferred,
    StripeEventMalformed,
    membership_sync_from_stripe,
    stripe_event_check,
    stripe_event_process,
    stripe_event_receive,
    stripe_event_record,
)
from .sunday_email import (
    UNSUBSCRIBE_SALT,
    esp_tracking_event_handle,
    member_sunday_email_set,
    subscriber_confirm,
    subscriber_request,
    sunday_email_address_for_token,
    sunday_email_suppress,
    sunday_email_unsubscribe,
    sunday_email_unsubscribe_token,
)

__all__ = [
    "MEMBERSHIP_EMAILS",
    "MEMBERSHIP_EMAIL_ENDED",
    "MEMBERSHIP_EMAIL_PAYMENT_FAILED",
    "MEMBERSHIP_EMAIL_WELCOME",
    "STRIPE_EVENT_CLOCK_SKEW",
    "UNSUBSCRIBE_SALT",
    "AlreadySubscribed",
    "BillingError",
    "BillingUnavailable",
    "CheckoutConfirmation",
    "MembershipOwnerUnknown",
    "NoBillingAccount",
    "PlanUnavailable",
    "StripeEventDeferred",
    "StripeEventMalformed",
    "account_delete",
    "billing_portal_session_create",
    "checkout_session_confirm",
    "checkout_session_create",
    "esp_tracking_event_handle",
    "feed_token_get_or_create",
    "feed_token_reset",
    "feed_token_revoke",
    "member_checkin_reminders_set",
    "member_display_name_set",
    "member_sunday_email_set",
    "membership_complimentary_set",
    "membership_email_send",
    "membership_sync_from_stripe",
    "policy_notice_flag",
    "policy_notices_show",
    "stripe_event_check",
    "stripe_event_process",
    "stripe_event_receive",
    "stripe_event_record",
    "subscriber_confirm",
    "subscriber_request",
    "sunday_email_address_for_token",
    "sunday_email_suppress",
    "sunday_email_unsubscribe",
    "sunday_email_unsubscribe_token",
]
