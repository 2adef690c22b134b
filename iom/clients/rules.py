"""The rules a period on the scheme and an AUDIT-C screening keep, whoever sends them: the leave,
adopt and screening pages (through operations.py) and clients.csv (the import) call these, and each
words what they return."""
from datetime import date

from iom.clients.models import AUDIT_C_HIGHEST, AUDIT_C_LOWEST, EXIT_REASONS

REASON_MISSING = "reason_missing"                  # a leaving day without a reason
REASON_WITHOUT_LEAVING = "reason_without_leaving"  # a reason without a leaving day
REASON_UNKNOWN = "reason_unknown"                  # not one of EXIT_REASONS


def left_before_joined(joined_on: date | None, left_on: date | None) -> bool:
    """The day a client leaves is on or after the day they joined (both days are on the scheme)."""
    return joined_on is not None and left_on is not None and left_on < joined_on


def exit_reason_problem(exit_reason: str | None, *, has_left: bool) -> str | None:
    """An exit reason from the list is given exactly when a leaving day is; which rule is broken, or None."""
    if not exit_reason:
        return REASON_MISSING if has_left else None
    if not has_left:
        return REASON_WITHOUT_LEAVING
    return None if exit_reason in EXIT_REASONS else REASON_UNKNOWN


def periods_overlap(joined_on: date, left_on: date | None, other_joined_on: date, other_left_on: date | None) -> bool:
    """Two periods share a day (an open period runs on; the leaving day counts as a day on the scheme)."""
    starts_before_other_ends = other_left_on is None or joined_on <= other_left_on
    other_starts_before_this_ends = left_on is None or other_joined_on <= left_on
    return starts_before_other_ends and other_starts_before_this_ends


# --- AUDIT-C screening ------------------------------------------------------------------------------

def audit_c_answer_problem(value) -> str | None:
    """An AUDIT-C answer is a whole number from 0 to 4 (its score): 'missing', 'not_whole' or
    'out_of_range', or None when it is one."""
    if value is None or value == "":
        return "missing"
    if isinstance(value, bool):
        return "not_whole"
    if isinstance(value, str):
        text = value.strip()
        if not (text.isascii() and text.lstrip("-").isdigit()):
            return "not_whole"
        value = int(text)
    if not isinstance(value, int):
        return "not_whole"
    return None if AUDIT_C_LOWEST <= value <= AUDIT_C_HIGHEST else "out_of_range"


def screening_date_problem(screened_on: date | None, *, today: date, date_of_birth: date | None) -> str | None:
    """The day of a screening is given, not in the future and not before the person was born."""
    if screened_on is None:
        return "missing"
    if screened_on > today:
        return "future"
    if date_of_birth is not None and screened_on < date_of_birth:
        return "before_birth"
    return None
