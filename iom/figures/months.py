"""Months and financial years as the partnership counts them."""
import calendar
import re
from datetime import date

MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
YEAR_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


class BadPeriod(ValueError):
    """A month or financial year written the wrong way; the message says how to write it."""


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


def financial_year_of(day: date) -> str:
    """The financial year a day falls in: 1 April to 31 March, both included -> '2011-12'."""
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def parse_financial_year(text: str) -> tuple[date, date]:
    """'2011-12' -> (1 April 2011, 31 March 2012)."""
    match = YEAR_PATTERN.match((text or "").strip())
    if not match:
        raise BadPeriod(f"'{text}' is not a financial year: write it as YYYY-YY, for example 2011-12")
    start = int(match.group(1))
    if not 1900 <= start <= 9998:
        raise BadPeriod(f"'{text}' is not a financial year: write it as YYYY-YY, for example 2011-12, "
                        "with a first year from 1900 to 9998")
    if int(match.group(2)) != (start + 1) % 100:
        raise BadPeriod(f"'{text}' is not a financial year: the second part must be the year after the first, "
                        f"for example {start}-{(start + 1) % 100:02d}")
    return date(start, 4, 1), date(start + 1, 3, 31)


def months_of_year(text: str) -> list[date]:
    """The twelve months of a financial year, April first."""
    first, _ = parse_financial_year(text)
    return [add_months(first, n) for n in range(12)]
