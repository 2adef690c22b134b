"""The rules a referral's dates keep, whoever sends them: the referral pages (through
operations.py) and referrals.csv (the import) call these, and each words what they return."""
from datetime import date

from iom.referrals.models import CLOSED_STATUSES

CLOSED_ON_MISSING = "closed_on_missing"          # completed, declined or withdrawn with no date closed
CLOSED_ON_NOT_CLOSED = "closed_on_not_closed"    # a date closed on a referral still open or accepted
CLOSED_ON_FUTURE = "closed_on_future"
CLOSED_BEFORE_REFERRED = "closed_before_referred"


def closing_problem(status: str | None, closed_on: date | None, referred_on: date | None, *, today: date,
                    closed_given: bool | None = None) -> str | None:
    """A date closed is given exactly when the status closes the referral, is not in the future and
    not before the referral was made. status None: not known (its own fault says why).
    closed_given: a date closed was written, even one that could not be read (default: closed_on)."""
    given = closed_on is not None if closed_given is None else closed_given
    if status in CLOSED_STATUSES and not given:
        return CLOSED_ON_MISSING
    if status is not None and status not in CLOSED_STATUSES and given:
        return CLOSED_ON_NOT_CLOSED
    if closed_on is None:
        return None
    if closed_on > today:
        return CLOSED_ON_FUTURE
    if referred_on is not None and closed_on < referred_on:
        return CLOSED_BEFORE_REFERRED
    return None
