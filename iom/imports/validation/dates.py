"""Days, months and financial years as a spreadsheet writes them."""
import re
from datetime import date
from functools import lru_cache

from iom.imports.validation.cells import Problem, shown
from iom.years import BadPeriod, FinancialYear

_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00)?)?$")
_UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?: 00:00(?::00)?)?$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


@lru_cache(maxsize=1 << 16)
def parse_date(text: str) -> date:
    """'2011-04-05' or the UK '05/04/2011' (what spreadsheets export) -> a real date."""
    if match := _ISO_DATE.match(text):
        year, month, day = (int(part) for part in match.groups())
    elif match := _UK_DATE.match(text):
        day, month, year = (int(part) for part in match.groups())
    else:
        raise Problem(f"{shown(text)} is not a date: write it as DD/MM/YYYY or YYYY-MM-DD, for example "
                      "27/03/2011 or 2011-03-27")
    try:
        value = date(year, month, day)
    except ValueError:
        raise Problem(f"{shown(text)} is not a real date") from None
    if year < 1900:
        raise Problem(f"{shown(text)} is before 1900: check the year")
    return value


def parse_month(text: str) -> date:
    match = _MONTH.match(text)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise Problem(f"{shown(text)} is not a month: write it as YYYY-MM, for example 2011-10")
    if int(match.group(1)) < 1900:
        raise Problem(f"{shown(text)} is before 1900: check the year")
    return date(int(match.group(1)), int(match.group(2)), 1)


def parse_year(text: str) -> FinancialYear:
    try:
        return FinancialYear.parse(text)
    except BadPeriod:
        start = text[:4]
        hint = f" (for {start} that is {start}-{(int(start) + 1) % 100:02d})" if start.isdigit() else ""
        raise Problem(f"{shown(text)} is not a financial year: write it as YYYY-YY, for example 2011-12"
                      f"{hint}") from None
