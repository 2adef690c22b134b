"""Pounds and pence as a spreadsheet writes them; the rules are iom.money's, worded for the import."""
import re
from decimal import Decimal

from iom.imports.validation.cells import Problem, shown
from iom.money import BUDGET_LIMIT, PAYMENT_LIMIT, PENNY, amount_problems, gbp

_AMOUNT = re.compile(r"^(\d{1,3}(?:,\d{3})+|\d*)(?:\.(\d*))?$")
# The import names one rule a cell breaks: the one it has always named first.
_FIRST_NAMED = ("too_large", "too_precise", "too_small")
_MORE_THAN_NOTHING = {"a payment": "for more than nothing"}


def parse_amount(text: str, *, allow_zero: bool, limit: Decimal | None = None, what: str | None = None) -> Decimal:
    """Pounds and pence: '70', '70.5', '£1,000.00'; more than 0 (or 0 or more), at most 2 decimals and at
    most `limit` (a budget's or a payment's by default). `what` names the amount in the messages."""
    cleaned = text.replace(" ", "").replace("\u2212", "-")
    sign = 1
    for prefix in ("-£", "£-", "-"):
        if cleaned.startswith(prefix):
            cleaned, sign = cleaned[len(prefix):], -1
            break
    cleaned = cleaned.removeprefix("£")
    match = _AMOUNT.match(cleaned)
    if not match or not any(character.isdigit() for character in cleaned):
        raise Problem(f"{shown(text)} is not an amount of money: write pounds and pence, like 70 or 70.50")
    amount = sign * Decimal(f"{(match.group(1) or '0').replace(',', '')}.{match.group(2) or '0'}")
    limit = limit or (BUDGET_LIMIT if allow_zero else PAYMENT_LIMIT)
    what = what or ("a budget" if allow_zero else "a payment")
    problems = amount_problems(amount, allow_zero=allow_zero, limit=limit)
    problem = next((key for key in _FIRST_NAMED if key in problems), None)
    if problem == "too_large":
        raise Problem(f"{shown(text)} is more than {gbp(limit)}, the most the service accepts for "
                      f"{what}: check the amount")
    if problem == "too_precise":
        raise Problem(f"{shown(text)} has more than 2 numbers after the decimal point: give pounds and pence, "
                      "like 70.50")
    if problem == "too_small":
        if allow_zero:
            raise Problem(f"{shown(text)} is less than £0: {what} must be £0 or more")
        must = _MORE_THAN_NOTHING.get(what, "more than £0")
        raise Problem(f"{shown(text)} is not more than £0: {what} must be {must}")
    return amount.quantize(PENNY)
