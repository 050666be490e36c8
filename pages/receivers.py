"""Signal receivers: forget cached public pages when a site page changes. Cache invalidation
follows every write (the admin's included), so it lives on the model (see
episodes/receivers.py)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from common.page_cache import catalogue_changed

from .models import Page


@receiver(post_save, sender=Page, dispatch_uid="page_cache_site_page_saved")
@receiver(post_delete, sender=Page, dispatch_uid="page_cache_site_page_deleted")
def site_page_changed(sender, **kwargs):
    # The footer's links are fixed; only the page itself (and the sitemap) change.
    catalogue_changed()
