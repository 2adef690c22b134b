"""Saving a form's change: run the operation and commit once; a broken rule or a stale edit rolls
back and becomes the form's GOV.UK errors (the field's error and the error summary), nothing saved."""
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from iom.extensions import db
from iom.rules import RuleBroken, StaleEdit

SAVED, REFUSED, STALE = 200, 400, 409

# an exception a race between two saves raises -> (field or None, message, status)
Races = Mapping[type[Exception], tuple[str | None, str, int]]


def add_form_error(form, field: str | None, message: str) -> None:
    """Show a message on the named field, or on the form as a whole (beside its button) when none."""
    target = form._fields.get(field) if field else None
    target = target if target is not None else form.submit
    target.errors = [*target.errors, message]


@dataclass
class Outcome:
    """What became of a save: true when saved, with the operation's result; else the status and error."""

    result: object = None
    status: int = SAVED
    error: Exception | None = None

    def __bool__(self) -> bool:
        return self.status == SAVED

    @property
    def is_stale(self) -> bool:
        return self.status == STALE

    @property
    def conflicts(self) -> list:
        return getattr(self.error, "conflicts", None) or []


def save_or_errors(form, operation: Callable[[], object], *, races: Races | None = None) -> Outcome:
    """Run `operation` and commit. A stale edit (someone saved first) is the form's own error, 409;
    a broken rule its field's error (or the form's), 400; a race named in `races` its message."""
    try:
        result = operation()
        db.session.commit()
    except StaleEdit as error:
        db.session.rollback()
        add_form_error(form, None, str(error))
        return Outcome(status=STALE, error=error)
    except RuleBroken as error:
        db.session.rollback()
        add_form_error(form, error.field, str(error))
        return Outcome(status=REFUSED, error=error)
    except tuple(races or ()) as error:
        db.session.rollback()
        field, message, status = next(refusal for kind, refusal in races.items() if isinstance(error, kind))
        add_form_error(form, field, message)
        return Outcome(status=status, error=error)
    return Outcome(result)
