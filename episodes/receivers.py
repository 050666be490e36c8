"""Signal receivers: forget cached public pages when episode content changes.

Business logic stays out of signals, and this is not business logic: it is
cache invalidation, which must follow every write however it is made (the admin's change
form, its delete and bulk-delete actions, the shell, a data migration, a fixture). A
receiver on the model is the one place no such path can miss. Comments bump the comments
generation, everything else here the catalogue one (common/page_cache.py). The services
still call them themselves where they write with `QuerySet.update()`, which sends no
signal.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from common.page_cache import catalogue_changed, comments_changed

from .models import Comment, Episode, PodcastShow, Topic


@receiver(post_save, sender=Episode, dispatch_uid="page_cache_episode_saved")
@receiver(post_delete, sender=Episode, dispatch_uid="page_cache_episode_deleted")
@receiver(post_save, sender=Topic, dispatch_uid="page_cache_topic_saved")
@receiver(post_delete, sender=Topic, dispatch_uid="page_cache_topic_deleted")
@receiver(post_save, sender=PodcastShow, dispatch_uid="page_cache_show_saved")
def episode_content_changed(sender, **kwargs):
    catalogue_changed()


@receiver(post_save, sender=Comment, dispatch_uid="page_cache_comment_saved")
def comment_saved(sender, instance, created, **kwargs):
    # A guest's new comment waits for moderation and shows on no cached page (the guest
    # sees it through their session, which bypasses the cache): nothing to forget yet.
    if created and instance.status == Comment.Status.PENDING:
        return
    comments_changed()


@receiver(post_delete, sender=Comment, dispatch_uid="page_cache_comment_deleted")
def comment_deleted(sender, **kwargs):
    comments_changed()


@receiver(m2m_changed, sender=Episode.topics.through, dispatch_uid="page_cache_topics")
@receiver(m2m_changed, sender=Episode.related.through, dispatch_uid="page_cache_related")
@receiver(m2m_changed, sender=Episode.routines.through, dispatch_uid="page_cache_routines")
def episode_links_changed(sender, action, **kwargs):
    # Routines: an episode's "Put it into practice" list and a routine's "Why this helps".
    if action in ("post_add", "post_remove", "post_clear"):
        catalogue_changed()
