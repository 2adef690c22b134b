"""The rules a period on the scheme keeps, whoever sends it: the leave and adopt pages (through
operations.py) and clients.csv (the import) call these, and each words what they return."""
from datetime import date

from iom.clients.models import EXIT_REASONS

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
