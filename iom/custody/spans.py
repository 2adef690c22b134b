"""Where a person was over a span of days (in the community, on remand, in custody), worked out from
their dated custody events as intervals, never day by day. Days at risk come from here: the client
page uses it, and the figures may reuse it for one person's events in Python.

`events` is anything whose items have `from_date` and `status`: CustodyEvent rows, or the rows of
`select(CustodyEvent.from_date, CustodyEvent.status)`, in any order. The contract's rule: the status
on a day is that of the latest event dated on or before it, `community` when there is none."""
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

COMMUNITY = "community"


@dataclass(frozen=True)
class Spell:
    """One stretch of days (first to last, both included) with one custody status; `event` is the
    event that began it, None for the community before the first event."""

    status: str
    first: date
    last: date
    event: Any = None

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def spells(events: Iterable, first: date, last: date) -> list[Spell]:
    """The custody status over first..last (both included) as consecutive spells, one per event in
    force during the span. Empty when last is before first."""
    if last < first:
        return []
    found: list[Spell] = []
    status, start, began = COMMUNITY, first, None
    for event in sorted(events, key=lambda event: event.from_date):
        if event.from_date <= first:  # in force when the span opens
            status, began = event.status, event
            continue
        if event.from_date > last:
            break
        if event.from_date > start:  # two events on one day (never stored) would leave no days between
            found.append(Spell(status, start, event.from_date - timedelta(days=1), began))
        status, start, began = event.status, event.from_date, event
    found.append(Spell(status, start, last, began))
    return found


def days_in_community(events: Iterable, first: date, last: date) -> int:
    """Days at risk: the days of first..last (both included) on which the status is `community`."""
    return sum(spell.days for spell in spells(events, first, last) if spell.status == COMMUNITY)
