"""Pounds and pence as a spreadsheet writes them."""
import re
from decimal import Decimal

from iom.imports.validation.cells import Problem, shown
from iom.money import BUDGET_LIMIT, PAYMENT_LIMIT, PENNY, gbp

_AMOUNT = re.compile(r"^(\d{1,3}(?:,\d{3})+|\d*)(?:\.(\d*))?$")


def parse_amount(text: str, *, allow_zero: bool) -> Decimal:
    """Pounds and pence: '70', '70.5', '£1,000.00'; more than 0 (or 0 or more), at most 2 decimals."""
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
    limit = BUDGET_LIMIT if allow_zero else PAYMENT_LIMIT
    if amount > limit:  # before quantize, which cannot hold a number this long
        raise Problem(f"{shown(text)} is more than {gbp(limit)}, the most the service accepts for "
                      f"{'a budget' if allow_zero else 'a payment'}: check the amount")
    if len(match.group(2) or "") > 2:
        raise Problem(f"{shown(text)} has more than 2 numbers after the decimal point: give pounds and pence, "
                      "like 70.50")
    if allow_zero and amount < 0:
        raise Problem(f"{shown(text)} is less than £0: a budget must be £0 or more")
    if not allow_zero and amount <= 0:
        raise Problem(f"{shown(text)} is not more than £0: a payment must be for more than nothing")
    return amount.quantize(PENNY)
