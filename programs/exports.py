"""The member's own Program data, taken away: the history CSV and the data-download section.

Both read only the requesting member's rows, through selectors.
"""

import csv
from typing import IO

from .models import MemberProgress, ProgressEvent, Unlock
from .rules import session_checkin
from .selectors import GradedSession, member_sessions, program_consents, program_data_summary

CSV_HEADER = [
    "date",
    "routine",
    "phase",
    "done",
    "pain before",
    "worst pain",
    "effort",
    "note",
    "check-in pain",
    "check-in stiffness",
    "grade",
]

# OWASP "CSV Injection": a cell a spreadsheet would read as a formula starts with one of
# these; a leading single quote makes it plain text. https://owasp.org/www-community/attacks/CSV_Injection
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell_safe(value) -> str:
    """A cell's text, defused if a spreadsheet would otherwise run it as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _csv_row(graded: GradedSession) -> list[str]:
    session = graded.session
    checkin = session_checkin(session)
    return [
        csv_cell_safe(cell)
        for cell in (
            session.date.isoformat(),
            session.routine.title,
            session.routine.phase.title,
            session.get_done_display(),
            session.pain_before,
            session.worst_pain,
            session.effort,
            session.note,
            checkin.get_pain_display() if checkin else "",
            checkin.get_stiffness_display() if checkin else "",
            graded.grade_label,
        )
    ]


def history_csv_write(*, user, out: IO[str]) -> None:
    """Write the member's sessions, newest first, as CSV with a header row.

    A byte-order mark first, so Excel reads the file as UTF-8 (notes may hold any text).
    """
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    writer.writerows(_csv_row(graded) for graded in member_sessions(user=user))


def _when(value):
    return value.isoformat() if value else None


def program_export_section(user) -> dict:
    """The "program" section of "Download all my data": consent, progress, unlocks,
    sessions with their check-ins, and the audit entries (safety answers, pauses)."""
    progress = MemberProgress.objects.filter(user=user).first()
    unlocks = Unlock.objects.filter(user=user).select_related("routine__phase")
    events = ProgressEvent.objects.filter(user=user).select_related("routine")
    return {
        "progress": progress
        and {
            "started_at": _when(progress.started_at),
            "paused_at": _when(progress.paused_at),
            "pause_reason": progress.pause_reason,
            "pause_note": progress.pause_note,
            "staff_paused_at": _when(progress.staff_paused_at),
            "staff_pause_note": progress.staff_pause_note,
        },
        "consent": [
            {
                "given_at": _when(consent.given_at),
                "privacy_notice_version": consent.privacy_version.number,
                "ended_at": _when(consent.ended_at),
                "ended_because": consent.get_end_reason_display() if consent.ended_at else None,
            }
            for consent in program_consents(user=user)
        ],
        "unlocks": [
            {
                "routine": unlock.routine.title,
                "phase": unlock.routine.phase.title,
                "unlocked_at": _when(unlock.unlocked_at),
                "how": unlock.get_method_display(),
                "reason": unlock.reason,
            }
            for unlock in unlocks.order_by("unlocked_at")
        ],
        "sessions": [
            {
                "date": graded.session.date.isoformat(),
                "routine": graded.session.routine.title,
                "phase": graded.session.routine.phase.title,
                "done": graded.session.get_done_display(),
                "pain_before": graded.session.pain_before,
                "worst_pain": graded.session.worst_pain,
                "effort": graded.session.effort,
                "note": graded.session.note,
                "logged_at": _when(graded.session.created_at),
                "checkin": (checkin := session_checkin(graded.session))
                and {
                    "pain": checkin.get_pain_display(),
                    "stiffness": checkin.get_stiffness_display(),
                    "checked_in_at": _when(checkin.created_at),
                },
                "grade": graded.grade.label if graded.grade else None,
            }
            for graded in member_sessions(user=user)
        ],
        "progress_events": [
            {
                "kind": event.get_kind_display(),
                "routine": event.routine.title if event.routine else None,
                "by_staff": event.by_staff,
                "reason": event.reason,
                "at": _when(event.created_at),
            }
            for event in events.order_by("created_at", "pk")
        ],
    }


def program_account_panel(user) -> dict | None:
    """The account page's panel on Program data (one query): shown to a member with a
    consent on record or Program data held; None for everyone else."""
    summary = program_data_summary(user=user)
    if summary.consent_given_at is None and not summary.holds_data:
        return None
    return {
        "template": "programs/includes/account_program_data.html",
        "consent_given_at": summary.consent_given_at,
    }
