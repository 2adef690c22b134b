"""The rules an offence and a unit cost of crime keep, whoever sends them: the client page's
forms and the import both call these, so a rule and its words are written once."""
import re
from datetime import date
from decimal import Decimal

from iom.clock import uk_date
from iom.money import MoneyError, check_amount
from iom.offending.models import ALCOHOL_INVOLVED, OFFENCE_OUTCOMES, OFFENCE_TYPES
from iom.rules import RuleBroken

CRIME_REFERENCE_LENGTH = 40
# A single offence costing more than this is a typo (the report's dearest figure, homicide, is
# about £3.2 million).
UNIT_COST_LIMIT = Decimal("10000000.00")
_PRICE_YEAR = re.compile(r"^(\d{4})-(\d{2})$")


OFFENCE_IN_FUTURE = "offence_in_future"
OFFENCE_BEFORE_BIRTH = "offence_before_birth"


def offence_date_problem(offence_on: date, *, today: date, date_of_birth: date | None) -> str | None:
    """Which rule the day an offence was committed breaks (in the future, before the person was
    born), or None; check_offence_date words it for a form, the import for a file."""
    if offence_on > today:
        return OFFENCE_IN_FUTURE
    if date_of_birth is not None and offence_on < date_of_birth:
        return OFFENCE_BEFORE_BIRTH
    return None


def check_offence_date(offence_on: date, *, today: date, date_of_birth: date | None) -> None:
    problem = offence_date_problem(offence_on, today=today, date_of_birth=date_of_birth)
    if problem == OFFENCE_IN_FUTURE:
        raise RuleBroken("Date the offence was committed must be today or in the past", "offence_on")
    if problem == OFFENCE_BEFORE_BIRTH:
        raise RuleBroken(f"Date the offence was committed must be on or after their date of birth "
                         f"({uk_date(date_of_birth)})", "offence_on")


def check_offence_type(offence_type: str | None) -> str:
    if offence_type not in OFFENCE_TYPES:
        raise RuleBroken("Select the type of offence", "offence_type")
    return offence_type


def check_outcome(outcome: str | None) -> str | None:
    outcome = outcome or None
    if outcome is not None and outcome not in OFFENCE_OUTCOMES:
        raise RuleBroken("Select the outcome: convicted, cautioned, charged or other", "outcome")
    return outcome


def check_alcohol_involved(value: str | None) -> str:
    value = value or "unknown"
    if value not in ALCOHOL_INVOLVED:
        raise RuleBroken("Select whether alcohol was involved: yes, no or not known", "alcohol_involved")
    return value


def check_crime_reference(text: str | None) -> str | None:
    text = (text or "").strip() or None
    if text is not None and len(text) > CRIME_REFERENCE_LENGTH:
        raise RuleBroken(f"Crime reference must be {CRIME_REFERENCE_LENGTH} characters or fewer", "crime_reference")
    return text


def check_unit_cost(cost_gbp) -> Decimal:
    """A positive amount of money (parse text with iom.money.parse_gbp first)."""
    try:
        check_amount(cost_gbp, noun="Cost of one offence", limit=UNIT_COST_LIMIT)
    except MoneyError as error:
        raise RuleBroken(str(error), "cost_gbp") from error
    return cost_gbp


def check_price_year(text: str | None) -> str:
    """A financial year written 2015-16 (2015/16 is accepted and stored as 2015-16)."""
    cleaned = (text or "").strip().replace("/", "-")
    match = _PRICE_YEAR.match(cleaned)
    if match is None or (int(match.group(1)) + 1) % 100 != int(match.group(2)) or int(match.group(1)) < 1990:
        raise RuleBroken("Price year must be a financial year written like 2015-16", "price_year")
    return cleaned
