"""Financial years: '2011-12' runs 1 April 2011 to 31 March 2012, both days included."""
import re
from datetime import date

_PATTERN = re.compile(r"^([0-9]{4})-([0-9]{2})$")


def financial_year_of(day: date) -> str:
    """The financial year a day falls in: 31 March 2012 is '2011-12', 1 April 2012 is '2012-13'."""
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def parse_financial_year(text: str | None) -> str:
    """'2011-12' (spaces around it ignored); ValueError with a message people can act on."""
    cleaned = (text or "").strip()
    match = _PATTERN.match(cleaned)
    if not match:
        raise ValueError(f"'{cleaned[:20]}' is not a financial year: write it like 2011-12")
    start, end = int(match.group(1)), int(match.group(2))
    if not 1900 <= start <= 9998:
        raise ValueError(f"'{cleaned}' is not a financial year: the first year must be 1900 to 9998")
    if end != (start + 1) % 100:
        raise ValueError(f"'{cleaned}' is not a financial year: did you mean {start}-{(start + 1) % 100:02d}?")
    return cleaned


def year_bounds(year: str) -> tuple[date, date]:
    """The first and last days of a financial year: '2011-12' -> (1 April 2011, 31 March 2012)."""
    start = int(parse_financial_year(year)[:4])
    return date(start, 4, 1), date(start + 1, 3, 31)


def shift_year(year: str, years: int) -> str:
    """The financial year some years before (negative) or after this one."""
    start = int(parse_financial_year(year)[:4]) + years
    return parse_financial_year(f"{start}-{(start + 1) % 100:02d}")
