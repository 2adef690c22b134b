"""The exceptions operations raise: a rule broken, a stale edit (with its conflicts); and the flush
that turns a racing save, refused by the database or the version counter, into a stale edit."""
from dataclasses import dataclass

from sqlalchemy.orm.exc import StaleDataError

from iom.extensions import db


class RuleBroken(ValueError):
    """A caseload rule was broken; the message is for the person at the screen."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass
class Conflict:
    """Someone else saved the record after this form was opened."""

    field: str
    yours: object
    saved: object


def check_whole_number(value, noun: str, least: int, most: int, example: int, field: str) -> int:
    """A whole number from least to most, returned; else the rule broken, in the form's words."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise RuleBroken(f"{noun} must be a whole number, like {example}", field)
    if value < least:
        raise RuleBroken(f"{noun} must be {least} or more", field)
    if value > most:
        raise RuleBroken(f"{noun} must be {most:,} or fewer", field)
    return value


def check_reason(text: str | None, field: str, missing: str, noun: str, limit: int) -> str:
    """A reason that must be given, in the person's own words: returned stripped; else the rule
    broken ("Enter why you are removing this offence", "Why you are removing it must be 5,000
    characters or fewer")."""
    reason = (text or "").strip()
    if not reason:
        raise RuleBroken(missing, field)
    if len(reason) > limit:
        raise RuleBroken(f"{noun} must be {limit:,} characters or fewer", field)
    return reason


class StaleEdit(RuleBroken):
    def __init__(self, message: str, conflicts: list[Conflict]):
        super().__init__(message)
        self.conflicts = conflicts


def flush_or_stale(message: str, races: tuple[type[Exception], ...] = (StaleDataError,)) -> None:
    """Flush the operation's writes. The version counter refuses an UPDATE that races another save of
    the same row (StaleDataError; a unique index's refusal where the caller names it in `races`): that
    is a stale edit with `message`, for the person at the screen. Compute the message before calling:
    after a failed flush the session refuses every read until it is rolled back."""
    try:
        db.session.flush()
    except races as error:
        raise StaleEdit(message, []) from error
