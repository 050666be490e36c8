"""Program pages. Thin: they read through selectors, write through services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from members.selectors import member_has_premium

from . import charts, exports, reminders, rules, selectors, services
from .forms import CheckInForm, ConsentForm, ProgramDataDeleteForm, RedFlagForm, SessionLogForm
from .models import PauseReason, Routine
from .routine_sections import routine_sections
from .state import RECENT_SESSIONS_SHOWN, ProgramState, program_state


def _not_allowed(request, message: str, *, join: bool = False):
    return render(
        request, "programs/not_allowed.html", {"message": message, "join": join}, status=403
    )


def _premium_required(request):
    return _not_allowed(
        request,
        "The Back In Shape Program is part of premium membership. Join to follow it, log your "
        "sessions and open the next routines as your back gets stronger.",
        join=True,
    )


def _consent_needed(request, error: services.ConsentRequired, *, next_url: str, form=None):
    """A write refused for want of consent: say so calmly, and ask for it right here."""
    return render(
        request,
        "programs/consent.html",
        {"form": form or ConsentForm(), "refused": str(error), "next_url": next_url},
        status=403,
    )


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _member_state(request) -> ProgramState:
    """The member's program, after letting the unlock rule act on time that has passed."""
    return services.program_state_current(user=request.user)


@require_safe
def overview(request):
    """The member's dashboard for anyone with a program; the public overview otherwise."""
    if request.user.is_authenticated:
        state = _member_state(request)
        if state.has_premium or state.started:
            return render(
                request,
                "programs/dashboard.html",
                {
                    "state": state,
                    "pain_chart": charts.pain_chart(state=state),
                    "grades": {grade.value: grade for grade in rules.Grade},
                    # The thresholds in the key: the current routine's, or the defaults.
                    "rules": state.current_routine or Routine(),
                    "consent_form": ConsentForm() if state.needs_consent else None,
                },
            )
    return render(
        request,
        "programs/overview.html",
        {"phases": selectors.program_phases(), "has_premium": member_has_premium(request.user)},
    )


def _render_routine(request, routine: Routine, *, log_form=None, checkin_forms=None, status=200):
    instructions = selectors.routine_instructions_for_viewer(routine=routine, user=request.user)
    context = {
        "routine": routine,
        "instructions_html": instructions,
        "locked": instructions is None,
        "routine_sections": routine_sections(routine=routine),
    }
    if instructions is not None and request.user.is_authenticated:
        state = _member_state(request)
        checkin_forms = checkin_forms or {}
        # A posted check-in that was refused (too early, or already in) comes back too,
        # so its message shows next to its form.
        due = [
            s
            for s in state.sessions
            if s.routine_id == routine.pk and (s in state.checkins_asked or s.pk in checkin_forms)
        ]
        context.update(
            state=state,
            steps=selectors.routine_steps_for_viewer(routine=routine, user=request.user),
            unlocked=state.is_unlocked(routine),
            previous=state.previous_routine(routine),
            previous_progress=(
                state.unlock_progress_for(state.previous_routine(routine))
                if state.previous_routine(routine)
                else None
            ),
            unlock_progress=state.unlock_progress_for(routine),
            log_form=log_form or SessionLogForm(today=state.today, routine=routine),
            checkins=[
                (s, checkin_forms.get(s.pk) or CheckInForm(prefix=f"checkin-{s.pk}")) for s in due
            ],
            sessions=state.sessions_for(routine)[:RECENT_SESSIONS_SHOWN],
            consent_form=ConsentForm() if state.needs_consent else None,
        )
    return render(request, "programs/routine_detail.html", context, status=status)


@require_safe
def routine_detail(request, phase_slug, routine_slug):
    routine = selectors.routine_get(phase_slug=phase_slug, routine_slug=routine_slug)
    return _render_routine(request, routine)


@require_POST
@login_required
def session_log(request, phase_slug, routine_slug):
    routine = selectors.routine_get(phase_slug=phase_slug, routine_slug=routine_slug)
    if not member_has_premium(request.user):
        return _premium_required(request)
    form = SessionLogForm(request.POST, routine=routine)
    if form.is_valid():
        try:
            services.session_log(user=request.user, routine=routine, **form.cleaned_data)
        except services.ConsentRequired as error:
            return _consent_needed(request, error, next_url=f"{routine.get_absolute_url()}#log")
        except PermissionDenied as error:
            return _not_allowed(request, str(error))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                "Session logged. Tomorrow morning, tell us how your back feels: that check-in "
                "grades the session.",
            )
            return redirect(f"{routine.get_absolute_url()}#your-sessions")
    return _render_routine(request, routine, log_form=form, status=400)


@require_POST
@login_required
def checkin(request, session_id):
    session = selectors.session_for_member(user=request.user, session_id=session_id)
    if not member_has_premium(request.user):
        return _premium_required(request)
    form = CheckInForm(request.POST, prefix=f"checkin-{session.pk}")
    if form.is_valid():
        try:
            services.checkin_record(user=request.user, session=session, **form.cleaned_data)
        except services.ConsentRequired as error:
            return _consent_needed(
                request,
                error,
                next_url=f"{session.routine.get_absolute_url()}#checkin-{session.pk}",
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            session = selectors.session_for_member(user=request.user, session_id=session.pk)
            grade = rules.session_grade(session=session)
            messages.success(request, f"Thanks for checking in. That session was {grade.label}.")
            return redirect(reverse("programs:overview") + "#today")
    return _render_routine(request, session.routine, checkin_forms={session.pk: form}, status=400)


def _red_flag_screen(request, *, occasion: str):
    if not member_has_premium(request.user):
        return _premium_required(request)
    state = program_state(user=request.user)
    if occasion == "flare_up" and not state.started:
        return redirect("programs:start")
    ask_clinician = state.paused_for_red_flag
    if occasion == "start" and state.started and not ask_clinician:
        return redirect("programs:overview")
    ask_consent = not state.consented
    form = RedFlagForm(request.POST or None, ask_clinician=ask_clinician, ask_consent=ask_consent)
    if request.method == "POST" and form.is_valid():
        try:
            if ask_consent:
                services.program_consent_give(user=request.user)
            outcome = services.red_flag_screen_record(
                user=request.user,
                answers=form.answers(),
                occasion=occasion,
                clinician_cleared=form.cleaned_data.get("clinician_cleared", False),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if outcome == services.ScreenOutcome.URGENT:
                return redirect("programs:seek_care")
            if outcome == services.ScreenOutcome.STARTED:
                messages.success(request, "Phase One is open. Start with the first routine.")
            elif outcome == services.ScreenOutcome.RESUMED:
                messages.success(request, "Welcome back. Your program carries on where it stopped.")
            elif outcome == services.ScreenOutcome.STAFF_PAUSED:
                messages.info(
                    request,
                    "Thanks: your safety check is clear. Our team has also paused your "
                    "program, and it carries on once they resume it.",
                )
            elif outcome == services.ScreenOutcome.FLARE_UP_PAUSED:
                messages.info(request, "Your program is paused while the flare-up settles.")
            return redirect(reverse("programs:overview") + "#today")
    return render(
        request,
        "programs/red_flag.html",
        {
            "form": form,
            "flare_up": occasion == "flare_up",
            "state": state,
            "ask_clinician": ask_clinician,
            "ask_consent": ask_consent,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def start(request):
    """The red-flag screen before Phase One (and again after a "yes", with a clinician's OK)."""
    return _red_flag_screen(request, occasion="start")


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def flare_up(request):
    """Report a flare-up: the red-flag screen first, then the program pauses until it settles."""
    return _red_flag_screen(request, occasion="flare_up")


@require_POST
@login_required
def resume(request):
    try:
        services.program_resume_after_flare_up(user=request.user)
    except services.ConsentRequired as error:
        return _consent_needed(request, error, next_url=reverse("programs:overview") + "#today")
    except PermissionDenied as error:
        return _not_allowed(request, str(error))
    messages.success(request, "Welcome back. Start gently: an easier routine is a fine first step.")
    return redirect(reverse("programs:overview") + "#today")


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def consent(request):
    """Agree to the Program keeping your health data: asked of a member whose program is
    under way without a consent on record (before it was asked for, or after withdrawing)."""
    next_url = _safe_next(request, reverse("programs:overview"))
    if not member_has_premium(request.user):
        return _premium_required(request)
    if request.method != "POST" and selectors.program_consent_live(user=request.user):
        return redirect(next_url)  # agreed already
    form = ConsentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.program_consent_give(user=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Thank you. Your program carries on where it stopped.")
            return redirect(next_url)
    return render(
        request,
        "programs/consent.html",
        {"form": form, "next_url": next_url},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@never_cache  # personal data: no shared cache or back button should keep a copy
def program_data(request):
    """Your Program data: what we keep and on what consent, a copy, and withdrawing
    consent, which deletes the health data (after a confirmation)."""
    form = ProgramDataDeleteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        removed = services.program_consent_withdraw(user=request.user)
        sessions = removed["session logs"]
        messages.success(
            request,
            "Done: your Program data is deleted"
            + (f", {sessions} session{'s' if sessions != 1 else ''} included" if sessions else "")
            + ". We won't keep anything more about your back unless you agree again. "
            "Your premium routines stay open for you to read.",
        )
        return redirect("members:account")
    return render(
        request,
        "programs/program_data.html",
        {
            "form": form,
            "consents": selectors.program_consents(user=request.user),
            "holds_data": selectors.program_data_summary(user=request.user).holds_data,
        },
        status=400 if request.method == "POST" else 200,
    )


HISTORY_PER_PAGE = 20


def _history_state(request) -> ProgramState | None:
    """The member's program for their history pages; None if they may not see one.

    The dashboard's gate: premium members, and anyone who started (a lapsed member
    still reads their own history).
    """
    state = program_state(user=request.user)
    if state.has_premium or state.started:
        return state
    return None


@require_safe
@login_required
def history(request):
    """Every session and check-in, newest first, with the weekly and pain charts."""
    state = _history_state(request)
    if state is None:
        return _premium_required(request)
    page = Paginator(state.graded_sessions, HISTORY_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "programs/history.html",
        {
            "state": state,
            "page_obj": page,
            "weeks_chart": charts.sessions_per_week_chart(
                dates=[s.date for s in state.sessions], today=state.today
            ),
            "pain_chart": charts.pain_chart(state=state),
            "grades": {grade.value: grade for grade in rules.Grade},
        },
    )


@require_safe
@login_required
def history_csv(request):
    """The member's own sessions and check-ins as a CSV file, for a spreadsheet."""
    if not (member_has_premium(request.user) or selectors.program_started(user=request.user)):
        return _premium_required(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="back-in-shape-history.csv"'
    exports.history_csv_write(user=request.user, out=response)
    return response


@require_safe
def seek_care(request):
    """Get medical help now: shown after a "yes" on the red-flag screen; public on purpose."""
    return render(request, "programs/seek_care.html", {"red_flag": PauseReason.RED_FLAG})


@require_safe
def exercise_detail(request, slug):
    """The library page of one exercise: name and purpose for everyone, the rest premium."""
    exercise = selectors.exercise_get(slug=slug)
    return render(
        request,
        "programs/exercise_detail.html",
        {
            "exercise": exercise,
            "has_premium": member_has_premium(request.user),
            "routines": selectors.exercise_routines(exercise=exercise),
        },
    )


@csrf_exempt  # RFC 8058: mail clients POST the one-click unsubscribe with no cookie
@require_http_methods(["GET", "HEAD", "POST"])
def reminders_stop(request, token):
    """GET shows a confirm page (scanners prefetch links); POST stops the reminders."""
    user = reminders.checkin_reminder_user_for_token(token)
    if user is None:
        return render(request, "programs/reminders_stop.html", {"invalid": True}, status=400)
    if request.method == "POST":
        reminders.checkin_reminders_stop(user=user)
        return render(request, "programs/reminders_stop.html", {"stopped": True})
    return render(request, "programs/reminders_stop.html", {})
