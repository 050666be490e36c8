"""Signal receivers: forget cached public pages when the Program changes.

The Program overview and public routine pages are cached for visitors (see
common/page_cache.py). This is cache invalidation, not business logic, so a receiver on
each model is the right place: it follows every write, the admin's included.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from common.page_cache import catalogue_changed

from .models import Exercise, Phase, Routine, RoutineStep


@receiver(post_save, sender=Phase, dispatch_uid="page_cache_phase_saved")
@receiver(post_delete, sender=Phase, dispatch_uid="page_cache_phase_deleted")
@receiver(post_save, sender=Routine, dispatch_uid="page_cache_routine_saved")
@receiver(post_delete, sender=Routine, dispatch_uid="page_cache_routine_deleted")
@receiver(post_save, sender=Exercise, dispatch_uid="page_cache_exercise_saved")
@receiver(post_delete, sender=Exercise, dispatch_uid="page_cache_exercise_deleted")
@receiver(post_save, sender=RoutineStep, dispatch_uid="page_cache_step_saved")
@receiver(post_delete, sender=RoutineStep, dispatch_uid="page_cache_step_deleted")
def program_content_changed(sender, **kwargs):
    catalogue_changed()
