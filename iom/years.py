"""The financial year: '2011-12' runs 1 April 2011 to 31 March 2012, both days included.

Parsed once where the text comes in (a view, a CLI option, an import cell) into a FinancialYear,
which every area then passes on; nothing below the edge parses the text again."""
import re
from dataclasses import dataclass
from datetime import date

_PATTERN = re.compile(r"^([0-9]{4})-([0-9]{2})$")


class BadPeriod(ValueError):
    """A month or financial year written the wrong way; the message says how to write it."""


# How each edge words a badly written year (tests fix both wordings). {text} is what was given,
# {cleaned} the same without surrounding spaces, {short} its first 20 characters.
FIGURES_WORDING = {
    "shape": "'{text}' is not a financial year: write it as YYYY-YY, for example 2011-12",
    "range": "'{text}' is not a financial year: write it as YYYY-YY, for example 2011-12, "
             "with a first year from 1900 to 9998",
    "order": "'{text}' is not a financial year: the second part must be the year after the first, "
             "for example {suggestion}",
}
BUDGET_WORDING = {
    "shape": "'{short}' is not a financial year: write it like 2011-12",
    "range": "'{cleaned}' is not a financial year: the first year must be 1900 to 9998",
    "order": "'{cleaned}' is not a financial year: did you mean {suggestion}?",
}


def _label(start: int) -> str:
    return f"{start}-{(start + 1) % 100:02d}"


@dataclass(frozen=True, order=True)
class FinancialYear:
    """One financial year, named by the calendar year it starts in."""

    start: int

    @classmethod
    def of(cls, day: date) -> "FinancialYear":
        """The year a day falls in: 31 March 2012 is in 2011-12, 1 April 2012 in 2012-13."""
        return cls(day.year if day.month >= 4 else day.year - 1)

    @classmethod
    def parse(cls, text: str | None, wording: dict[str, str] = FIGURES_WORDING) -> "FinancialYear":
        """'2011-12' (spaces around it ignored); BadPeriod, worded for the edge, when badly written."""
        cleaned = (text or "").strip()
        match = _PATTERN.match(cleaned)
        fault, start = None, None
        if not match:
            fault = "shape"
        else:
            start = int(match.group(1))
            if not 1900 <= start <= 9998:
                fault = "range"
            elif int(match.group(2)) != (start + 1) % 100:
                fault = "order"
        if fault:
            raise BadPeriod(wording[fault].format(text=text, cleaned=cleaned, short=cleaned[:20],
                                                  suggestion=_label(start) if start is not None else ""))
        return cls(start)

    @property
    def label(self) -> str:
        """'2011-12': as written in files, URLs and the database."""
        return _label(self.start)

    @property
    def first_day(self) -> date:
        return date(self.start, 4, 1)

    @property
    def last_day(self) -> date:
        return date(self.start + 1, 3, 31)

    @property
    def months(self) -> list[date]:
        """The first days of its twelve months, April first."""
        return [date(self.start + (month < 4), month, 1) for month in (*range(4, 13), 1, 2, 3)]

    def contains(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day

    def shifted(self, years: int) -> "FinancialYear":
        """The year some years before (negative) or after this one."""
        return FinancialYear(self.start + years)

    def __str__(self) -> str:
        return self.label
