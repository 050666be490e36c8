from django.contrib import admin

from .models import Phase, Routine


class RoutineInline(admin.TabularInline):
    model = Routine
    extra = 0
    fields = ["position", "title", "slug", "duration_minutes"]
    prepopulated_fields = {"slug": ["title"]}
    show_change_link = True


@admin.register(Phase)
class PhaseAdmin(admin.ModelAdmin):
    list_display = ["number", "title"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [RoutineInline]


@admin.register(Routine)
class RoutineAdmin(admin.ModelAdmin):
    list_display = ["title", "phase", "position", "duration_minutes"]
    list_filter = ["phase"]
    search_fields = ["title", "summary"]
    prepopulated_fields = {"slug": ["title"]}
