"""The admin of the link between episodes and the Program's routines (Episode.routines).

Episodes sits above programs, so both pages that edit the link are put together here: an
episode's "Put it into practice" routines, and a routine's "Why this helps" episodes,
added to the routine admin that programs registers.
"""

from django.contrib import admin

from programs.admin import RoutineAdmin
from programs.models import Routine

from .models import Episode


class EpisodeRoutineInline(admin.TabularInline):
    """On an episode's admin page: the routines that put the episode into practice."""

    model = Episode.routines.through
    extra = 0
    autocomplete_fields = ["routine"]
    verbose_name = "routine that puts it into practice"
    verbose_name_plural = "put it into practice: routines"


class RoutineEpisodeInline(admin.TabularInline):
    """On a routine's admin page: the episodes that explain why it helps."""

    model = Episode.routines.through
    extra = 0
    autocomplete_fields = ["episode"]
    verbose_name = "episode that explains why this helps"
    verbose_name_plural = "why this helps: episodes"


class RoutineWithEpisodesAdmin(RoutineAdmin):
    inlines = [*RoutineAdmin.inlines, RoutineEpisodeInline]


admin.site.unregister(Routine)
admin.site.register(Routine, RoutineWithEpisodesAdmin)
