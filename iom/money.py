"""Money in pounds and pence: parsed from text without ever passing through a float."""
import re
from decimal import Decimal

PENNY = Decimal("0.01")
# A support payment comes from a budget of about £1,000 a year: anything near these is a typo.
PAYMENT_LIMIT = Decimal("100000.00")
BUDGET_LIMIT = Decimal("1000000.00")

# plain digits, or digits grouped in threes by commas; then an optional point and digits
_NUMBER = re.compile(r"^(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]*)(?:\.([0-9]*))?$")
_MINUS = ("-", "\u2212", "\u2013")


class MoneyError(ValueError):
    """Text that is not an amount we accept; the message is for the person at the screen."""


def _messages(noun: str, allow_zero: bool, limit: Decimal) -> dict[str, str]:
    return {
        "not_a_number": f"{noun} must be a number in pounds and pence, like 70 or 70.50",
        "too_precise": f"{noun} must be in pounds and pence, with no more than 2 numbers after the decimal point",
        "too_small": f"{noun} must be £0 or more" if allow_zero else f"{noun} must be more than £0",
        "too_large": f"{noun} must be {gbp(limit)} or less",
    }


def parse_gbp(text: str | None, *, noun: str = "Amount", allow_zero: bool = False,
              limit: Decimal = PAYMENT_LIMIT) -> Decimal:
    """'70', '70.5', '£70.00', '1,000.00' -> Decimal('70.00'); MoneyError says what is wrong."""
    cleaned = (text or "").strip().replace(" ", "")
    if not cleaned:
        raise MoneyError(f"Enter the {noun.lower()}")
    messages = _messages(noun, allow_zero, limit)
    negative = cleaned.startswith(_MINUS) or cleaned.startswith(tuple("£" + sign for sign in _MINUS))
    cleaned = cleaned.lstrip("".join(_MINUS)).removeprefix("£").lstrip("".join(_MINUS))
    match = _NUMBER.match(cleaned) if len(cleaned) <= 40 else None
    if match is None or not any(character.isdigit() for character in cleaned):
        raise MoneyError(messages["not_a_number"])
    number = Decimal(cleaned.replace(",", ""))
    if negative and number != 0:
        raise MoneyError(messages["too_small"])
    if len(match.group(1) or "") > 2:
        raise MoneyError(messages["too_precise"])
    if number > limit:  # before quantize: a 30-digit number is past Decimal's default precision
        raise MoneyError(messages["too_large"])
    amount = number.quantize(PENNY)
    check_amount(amount, noun=noun, allow_zero=allow_zero, limit=limit)
    return amount


def amount_problems(amount, *, allow_zero: bool = False, limit: Decimal = PAYMENT_LIMIT) -> list[str]:
    """Every rule an amount breaks, whoever sends it (form, import, command line), as the keys of
    its messages ("not_a_number", "too_small", "too_large", "too_precise") in check_amount's order.
    Exact for a number of any length: nothing here rounds."""
    if not isinstance(amount, Decimal) or not amount.is_finite():
        return ["not_a_number"]
    problems = []
    if amount < 0 or (amount == 0 and not allow_zero):
        problems.append("too_small")
    if amount > limit:
        problems.append("too_large")
    _, digits, exponent = amount.as_tuple()
    past_pence = -exponent - 2
    if past_pence > 0 and any(digits[-past_pence:]):
        problems.append("too_precise")
    return problems


def check_amount(amount, *, noun: str = "Amount", allow_zero: bool = False,
                 limit: Decimal = PAYMENT_LIMIT) -> None:
    """The rules an amount keeps; MoneyError words the first one broken."""
    if problems := amount_problems(amount, allow_zero=allow_zero, limit=limit):
        raise MoneyError(_messages(noun, allow_zero, limit)[problems[0]])


def gbp(amount: Decimal | None) -> str:
    """Decimal('1000') -> '£1,000.00'; a negative balance as '-£5.00'."""
    if amount is None:
        return ""
    amount = Decimal(amount).quantize(PENNY)
    return f"{'-' if amount < 0 else ''}£{abs(amount):,.2f}"


def money_text(amount: Decimal | None) -> str | None:
    """Decimal('70') -> '70.00': how money appears in JSON and in the audit trail."""
    return None if amount is None else f"{Decimal(amount).quantize(PENNY):.2f}"
