"""Months as the partnership counts them (financial years: iom/years.py)."""
import calendar
import re
from datetime import date

from iom.years import BadPeriod  # noqa: F401  (a month is written wrong the same way a year is)

MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(text: str) -> date:
    """'2011-10' -> date(2011, 10, 1)."""
    match = MONTH_PATTERN.match((text or "").strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or not 1900 <= int(match.group(1)) <= 9998:
        raise BadPeriod(f"'{text}' is not a month: write it as YYYY-MM, for example 2011-10")
    return date(int(match.group(1)), int(match.group(2)), 1)


def month_text(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def month_end(month: date) -> date:
    return date(month.year, month.month, calendar.monthrange(month.year, month.month)[1])


def has_ended(month: date, today: date) -> bool:
    """Whether a month (any day of it) has ended: its last day is before today."""
    return month_end(month) < today


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)
