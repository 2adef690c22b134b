"""One cell's text: how it is quoted in a message, and the choices, counts and references it
may hold. A cell that breaks a rule raises Problem, whose words complete 'FILE:ROW: column: '."""
import re
from functools import lru_cache
from datetime import date
from decimal import Decimal

COUNT_LIMIT = 1_000_000                         # as the monthly figures' own form allows
REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
_COUNT = re.compile(r"^(-)?(\d{1,3}(?:,\d{3})+|\d+)(\.\d*)?$")


class Problem(ValueError):
    """A cell's value breaks a rule; the message completes 'FILE:ROW: column: '."""


def shown(text: str) -> str:
    """A cell's text as quoted in a message: on one line, not too long."""
    text = " ".join((text or "").split())
    return f"'{text[:57]}...'" if len(text) > 60 else f"'{text}'"


def as_shown(value) -> str:
    return "empty" if value in (None, "") else shown(value.isoformat() if isinstance(value, date) else str(value))


def either(options) -> str:
    options = list(options)
    return ", ".join(options[:-1]) + " or " + options[-1] if len(options) > 1 else options[0]


def parse_choice(text: str, options: dict, noun: str) -> str:
    value = text.strip().lower()
    if value not in options:
        raise Problem(f"{shown(text)} is not {noun}: use {either(options)}")
    return value


def choice(options: dict, noun: str):
    """A cell parser for one of `options` (in any case), named `noun` in its message."""
    known: dict[str, str] = {}        # the texts already read, and what they were read as

    def parse(text: str) -> str:
        try:
            return known[text]
        except KeyError:
            value = known[text] = parse_choice(text, options, noun)
            return value
    return parse


def parse_count(text: str) -> int:
    """A whole number of crimes, 0 or more: '81', '1,204' (and '81.0', as a spreadsheet may write it)."""
    cleaned = text.replace(" ", "").replace("\u2212", "-")
    match = _COUNT.match(cleaned)
    if not match:
        raise Problem(f"{shown(text)} is not a number: write the count as a whole number, like 81")
    value = Decimal(match.group(2).replace(",", "") + (match.group(3) or ""))
    if value != value.to_integral_value():
        raise Problem(f"{shown(text)} is not a whole number: write the count as a whole number, like 81")
    if match.group(1) and value != 0:
        raise Problem(f"{shown(text)} is less than 0: the count must be 0 or more")
    if value > COUNT_LIMIT:
        raise Problem(f"{shown(text)} is more than {COUNT_LIMIT:,}: check the number")
    return int(value)


@lru_cache(maxsize=1 << 16)
def parse_reference(text: str) -> str:
    """A client's reference as written (the same one recurs on every row about the client)."""
    if not REFERENCE.match(text):
        raise Problem(f"{shown(text)} is not a reference the service can use: use up to 32 letters, "
                      "numbers, hyphens (-), full stops or underscores, starting with a letter or number")
    return text
