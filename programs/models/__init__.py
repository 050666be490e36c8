"""The Back In Shape Program's models: the content every member follows
(`catalogue.py`), each member's records (`records.py`) and their consent to keeping
health data (`consent.py`). All are importable from `programs.models`."""

from programs.rules import Compared, Done

from .catalogue import PAIN_VALIDATORS, Exercise, Phase, Routine, RoutineStep, Side
from .consent import ProgramConsent
from .records import (
    EFFORT_VALIDATORS,
    CheckIn,
    CheckInReminder,
    MemberProgress,
    PauseReason,
    ProgressEvent,
    SessionLog,
    SessionLogQuerySet,
    Unlock,
    UnlockMethod,
)

__all__ = [
    "EFFORT_VALIDATORS",
    "PAIN_VALIDATORS",
    "CheckIn",
    "CheckInReminder",
    "Compared",
    "Done",
    "Exercise",
    "MemberProgress",
    "PauseReason",
    "Phase",
    "ProgramConsent",
    "ProgressEvent",
    "Routine",
    "RoutineStep",
    "SessionLog",
    "SessionLogQuerySet",
    "Side",
    "Unlock",
    "UnlockMethod",
]
