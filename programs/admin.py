"""Staff look after the Program here: routines with thresholds and steps, members' sessions,
and members' progress, where they can unlock, pause or resume by hand with a reason."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.forms.models import BaseInlineFormSet
from django.shortcuts import render
from django.utils.html import format_html_join

from . import services
from .forms import StaffActionForm
from .models import (
    CheckIn,
    Exercise,
    MemberProgress,
    PauseReason,
    Phase,
    ProgramConsent,
    ProgressEvent,
    Routine,
    RoutineStep,
    SessionLog,
    Unlock,
)
from .rules import GRADE_PENDING, PENDING_LABEL, Grade, grade_from_sql, grade_label


class PositionedInlineFormSet(BaseInlineFormSet):
    """Reordering in one save: swapping two positions must not trip the unique constraint.

    On PostgreSQL the constraint is deferred to the commit; SQLite ignores `deferrable`,
    so rows that move (or are deleted) first step aside to spare positions, then take
    their new ones. Two rows at one position are refused with a message, never a 500.
    """

    SPARE_POSITION = 32767  # the top of PositiveSmallIntegerField: never a real position

    def clean(self):
        # Before Django's own duplicate check, whose "Please correct the duplicate data"
        # doesn't say which position or what to do.
        seen = set()
        for form in self.forms:
            if not form.has_changed() and form.instance.pk is None:
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            position = form.cleaned_data.get("position")
            if position is None:
                continue
            if position in seen:
                raise ValidationError(
                    f"Two {self.model._meta.verbose_name_plural} share position {position}. "
                    "Give each one its own position."
                )
            seen.add(position)
        super().clean()

    def save(self, commit=True):
        if commit:
            moving = [
                form.instance.pk
                for form in self.initial_forms
                if (self.can_delete and self._should_delete_form(form))
                or "position" in form.changed_data
            ]
            for offset, pk in enumerate(moving):
                self.model.objects.filter(pk=pk).update(position=self.SPARE_POSITION - offset)
        return super().save(commit=commit)


class RoutineInline(admin.TabularInline):
    model = Routine
    formset = PositionedInlineFormSet
    extra = 0
    fields = ["position", "title", "slug", "duration_minutes"]
    prepopulated_fields = {"slug": ["title"]}
    show_change_link = True


@admin.register(Phase)
class PhaseAdmin(admin.ModelAdmin):
    list_display = ["number", "title"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [RoutineInline]


class RoutineStepInline(admin.TabularInline):
    model = RoutineStep
    formset = PositionedInlineFormSet
    extra = 1
    fields = ["position", "exercise", "sets", "reps", "seconds", "rest_seconds", "side", "notes"]
    autocomplete_fields = ["exercise"]


@admin.register(Routine)
class RoutineAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "phase",
        "position",
        "duration_minutes",
        "green_max_pain",
        "amber_max_pain",
        "sessions_to_unlock",
        "days_to_unlock",
    ]
    list_filter = ["phase"]
    list_select_related = ["phase"]
    search_fields = ["title", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [RoutineStepInline]
    fieldsets = [
        (None, {"fields": ["phase", "position", "title", "slug", "summary", "duration_minutes"]}),
        ("Premium content", {"fields": ["instructions"]}),
        (
            "Progression thresholds",
            {
                "fields": [
                    ("green_max_pain", "amber_max_pain"),
                    ("sessions_to_unlock", "days_to_unlock"),
                ],
                "description": (
                    "Defaults follow the pain-monitoring model (Silbernagel et al. 2007): up to "
                    "3/10 green, 4–5 amber if settled by the next morning; 4 sessions on "
                    "different days over at least 7 days. Changes apply to every member at once."
                ),
            },
        ),
    ]


@admin.register(Exercise)
class ExerciseAdmin(admin.ModelAdmin):
    list_display = ["name", "purpose", "easier", "harder"]
    list_select_related = ["easier", "harder"]
    search_fields = ["name", "purpose", "instructions"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["easier", "harder"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "purpose"]}),
        ("Premium content", {"fields": ["instructions", "cues", "mistakes"]}),
        ("Variants", {"fields": ["easier", "harder"]}),
        ("Media", {"fields": ["video_url", "image", "image_alt"]}),
    ]


class GradeFilter(admin.SimpleListFilter):
    title = "grade"
    parameter_name = "grade"

    def lookups(self, request, model_admin):
        return [(grade.value, grade.label) for grade in Grade] + [(GRADE_PENDING, PENDING_LABEL)]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(grade_sql=self.value())
        return queryset


class CheckInInline(admin.StackedInline):
    model = CheckIn
    can_delete = False
    extra = 0
    readonly_fields = ["pain", "stiffness", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


class ReadOnlyAdminMixin:
    """What members wrote is their record: staff read it, never edit it."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SessionLog)
class SessionLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    # The grade first after who and when: it is what staff scan for (red sessions).
    list_display = [
        "date",
        "user",
        "grade",
        "routine",
        "done",
        "pain_before",
        "worst_pain",
        "effort",
    ]
    list_filter = [GradeFilter, "routine", "done", "date"]
    search_fields = ["user__email", "note"]
    date_hierarchy = "date"
    inlines = [CheckInInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("user", "routine__phase", "checkin")
            .with_grade()
        )

    @admin.display(description="grade", ordering="grade_sql")
    def grade(self, obj):
        return grade_label(grade_from_sql(obj.grade_sql))


@admin.register(Unlock)
class UnlockAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Unlocks are permanent: staff open routines through Member progress, with a reason."""

    list_display = ["unlocked_at", "user", "routine", "method", "by", "reason"]
    list_filter = ["method", "routine"]
    search_fields = ["user__email", "reason"]
    list_select_related = ["user", "routine__phase", "by"]


def _staff_action(modeladmin, request, queryset, *, title: str, apply, with_routine=False):
    """Ask why (an intermediate page), then apply the change to each member and record it."""
    if "apply" in request.POST:
        form = StaffActionForm(request.POST)
        if form.is_valid():
            done = 0
            for progress in queryset.select_related("user"):
                try:
                    apply(progress.user, form.cleaned_data)
                except (PermissionDenied, ValidationError) as error:
                    text = "; ".join(getattr(error, "messages", [str(error)]))
                    modeladmin.message_user(request, f"{progress.user}: {text}", messages.ERROR)
                else:
                    done += 1
            modeladmin.message_user(request, f"{title}: {done} member(s) updated and recorded.")
            return None
    else:
        form = StaffActionForm()
    if not with_routine:
        del form.fields["routine"]
    return render(
        request,
        "programs/admin_action.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": title,
            "form": form,
            "queryset": queryset,
            "action": request.POST.get("action"),
            "opts": modeladmin.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        },
    )


@admin.register(MemberProgress)
class MemberProgressAdmin(admin.ModelAdmin):
    list_display = ["user", "started_at", "paused", "pause_reason", "staff_paused", "routines_open"]
    list_filter = ["pause_reason", ("staff_paused_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__email", "user__display_name"]
    list_select_related = ["user", "paused_by", "staff_paused_by"]
    readonly_fields = [
        "user",
        "started_at",
        "paused_at",
        "pause_reason",
        "pause_note",
        "paused_by",
        "staff_paused_at",
        "staff_pause_note",
        "staff_paused_by",
        "routines_unlocked",
        "audit_log",
    ]
    actions = ["unlock_routine", "pause_program", "resume_program"]

    def has_add_permission(self, request):
        return False  # a member's progress begins when they start (or staff unlock for them)

    def has_delete_permission(self, request, obj=None):
        return False  # progress is never reset

    def get_queryset(self, request):

        return super().get_queryset(request).annotate(open_count=Count("user__program_unlocks"))

    def has_change_permission(self, request, obj=None):
        # Viewable, never edited directly: changes go through the actions, which record why.
        return False

    def has_record_permission(self, request):
        """The actions (and the member page's buttons) change a member's progress."""
        return request.user.has_perm("programs.change_memberprogress")

    @admin.display(description="routines unlocked")
    def routines_unlocked(self, obj):
        unlocks = Unlock.objects.filter(user=obj.user).select_related("routine__phase", "by")
        return (
            format_html_join(
                "",
                "<p>{} — {} ({}{})</p>",
                (
                    (
                        u.routine,
                        u.unlocked_at.strftime("%d %b %Y"),
                        u.get_method_display(),
                        f", {u.by}: {u.reason}" if u.by else "",
                    )
                    for u in unlocks
                ),
            )
            or "—"
        )

    @admin.display(description="audit log")
    def audit_log(self, obj):
        events = ProgressEvent.objects.filter(user=obj.user).select_related("by")
        return (
            format_html_join(
                "",
                "<p>{} · {} · by {} · {}</p>",
                (
                    (
                        e.created_at.strftime("%d %b %Y %H:%M"),
                        e.get_kind_display(),
                        e.by or "the unlock rule",
                        e.reason,
                    )
                    for e in events
                ),
            )
            or "—"
        )

    @admin.display(boolean=True, description="paused")
    def paused(self, obj):
        return obj.is_paused

    @admin.display(boolean=True, description="staff pause")
    def staff_paused(self, obj):
        return obj.is_staff_paused

    @admin.display(description="routines open", ordering="open_count")
    def routines_open(self, obj):
        return obj.open_count

    @admin.action(description="Unlock a routine (asks why)", permissions=["record"])
    def unlock_routine(self, request, queryset):
        def apply(user, data):
            if data.get("routine"):
                services.routine_unlock_by_staff(
                    user=user, routine=data["routine"], staff=request.user, reason=data["reason"]
                )
            else:
                services.routine_unlock_next_by_staff(
                    user=user, staff=request.user, reason=data["reason"]
                )

        return _staff_action(
            self, request, queryset, title="Unlock a routine", apply=apply, with_routine=True
        )

    @admin.action(description="Pause the program (asks why)", permissions=["record"])
    def pause_program(self, request, queryset):
        def apply(user, data):
            services.program_pause(
                user=user, reason=PauseReason.STAFF, by=request.user, note=data["reason"]
            )

        return _staff_action(self, request, queryset, title="Pause the program", apply=apply)

    @admin.action(description="Resume the program (asks why)", permissions=["record"])
    def resume_program(self, request, queryset):
        def apply(user, data):
            services.program_resume(user=user, by=request.user, note=data["reason"])

        return _staff_action(self, request, queryset, title="Resume the program", apply=apply)


@admin.register(ProgressEvent)
class ProgressEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "user", "kind", "routine", "by", "by_staff", "reason"]
    list_filter = ["kind", "by_staff"]
    search_fields = ["user__email", "by__email", "reason"]
    list_select_related = ["user", "by", "routine__phase"]
    date_hierarchy = "created_at"


@admin.register(ProgramConsent)
class ProgramConsentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Who agreed to the Program keeping their health data, under which privacy notice, and
    when it ended. Only the member gives or withdraws it."""

    list_display = ["user", "given_at", "privacy_version", "ended_at", "end_reason"]
    list_filter = ["end_reason"]
    search_fields = ["user__email"]
    list_select_related = ["user", "privacy_version__page"]
    date_hierarchy = "given_at"
