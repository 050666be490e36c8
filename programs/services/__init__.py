"""Writes for the Back In Shape Program, split by concern, one module each; every public
name is re-exported here, so callers write `from programs import services` or
`from programs.services import X` and need not know which module holds it.

- progress: starting after the safety check, pausing and resuming, opening routines
- sessions: logging a session and its next-morning check-in
- consent: the member's consent to keeping their health data, withdrawal and retention
"""

from .consent import (
    STAFF_UNLOCK_REASON_CLEARED,
    ConsentRequired,
    program_consent_give,
    program_consent_withdraw,
    program_data_retention_apply,
)
from .progress import (
    PAUSE_STRICTNESS,
    RED_FLAGS,
    ScreenOutcome,
    program_pause,
    program_progress_refresh,
    program_resume,
    program_resume_after_flare_up,
    program_start,
    program_state_current,
    red_flag_screen_record,
    routine_unlock_by_staff,
    routine_unlock_check,
    routine_unlock_next_by_staff,
)
from .sessions import LOG_DAYS_BACK, checkin_record, session_log

__all__ = [
    "LOG_DAYS_BACK",
    "PAUSE_STRICTNESS",
    "RED_FLAGS",
    "STAFF_UNLOCK_REASON_CLEARED",
    "ConsentRequired",
    "ScreenOutcome",
    "checkin_record",
    "program_consent_give",
    "program_consent_withdraw",
    "program_data_retention_apply",
    "program_pause",
    "program_progress_refresh",
    "program_resume",
    "program_resume_after_flare_up",
    "program_start",
    "program_state_current",
    "red_flag_screen_record",
    "routine_unlock_by_staff",
    "routine_unlock_check",
    "routine_unlock_next_by_staff",
    "session_log",
]
