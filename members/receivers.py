"""Signal receivers: forget cached public pages when what they show of members changes.

Comments on cached episode pages show their author's display name, and the join panel on
a members-only article shows the plans' prices. This is cache invalidation, not business
logic, so a receiver follows every write (the account page, the admin, an account
deletion, a price changed in the admin) without each path remembering it.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from common.page_cache import catalogue_changed, content_changed

from .models import Plan, User

# Saves that change nothing any public page shows (signing in stamps last_login).
_INVISIBLE_FIELDS = frozenset({"last_login", "password"})


@receiver(post_save, sender=User, dispatch_uid="page_cache_user_saved")
def user_saved(sender, instance, created, update_fields, **kwargs):
    if created or (update_fields and set(update_fields) <= _INVISIBLE_FIELDS):
        return
    content_changed()


@receiver(post_delete, sender=User, dispatch_uid="page_cache_user_deleted")
def user_deleted(sender, **kwargs):
    content_changed()


@receiver(post_save, sender=Plan, dispatch_uid="page_cache_plan_saved")
@receiver(post_delete, sender=Plan, dispatch_uid="page_cache_plan_deleted")
def plan_changed(sender, **kwargs):
    catalogue_changed()
