"""The exceptions operations raise: a rule broken, a stale edit (with its conflicts)."""
from dataclasses import dataclass


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
