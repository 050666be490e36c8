"""The private premium podcast feed: each member's secret feed address."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from members.models import FeedToken, User


def feed_token_get_or_create(*, user: User) -> FeedToken:
    """The member's live private-feed token, made the first time they need one."""
    live = FeedToken.objects.filter(user=user, revoked_at=None).first()
    if live is not None:
        return live
    try:
        with transaction.atomic():
            return FeedToken.objects.create(user=user)
    except IntegrityError:  # made at the same moment by another request
        return FeedToken.objects.get(user=user, revoked_at=None)


def feed_token_revoke(*, feed_token: FeedToken) -> FeedToken:
    """Stop a private feed address now: it answers 410 from the next request on."""
    if feed_token.revoked_at is None:
        feed_token.revoked_at = timezone.now()
        feed_token.save(update_fields=["revoked_at"])
    return feed_token


def feed_token_reset(*, user: User) -> FeedToken:
    """Give the member a new private feed address; the old one stops at once."""
    with transaction.atomic():
        for old in FeedToken.objects.select_for_update().filter(user=user, revoked_at=None):
            feed_token_revoke(feed_token=old)
        return FeedToken.objects.create(user=user)
