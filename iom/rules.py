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
