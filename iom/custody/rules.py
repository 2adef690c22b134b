"""The rule that a person has one custody change a day, whoever records it: the custody form
(through operations.py) and custody.csv (the import) both ask it, and each words the answer."""
from collections.abc import Mapping
from datetime import date


def change_on_day(recorded: Mapping[date, str], from_date: date) -> str | None:
    """Only one change a day: the status already recorded on that day, or None when the day is free.
    recorded: the person's changes, {from_date: status}."""
    return recorded.get(from_date)
