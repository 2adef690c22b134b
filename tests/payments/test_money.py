"""Amounts typed as text become exact Decimals; every wrong amount says what is wrong."""
from decimal import Decimal

import pytest

from iom.money import BUDGET_LIMIT, MoneyError, check_amount, gbp, money_text, parse_gbp


@pytest.mark.parametrize("text, amount", [
    ("70", "70.00"), ("70.5", "70.50"), ("70.50", "70.50"), ("£70.00", "70.00"), ("1,000.00", "1000.00"),
    (" 45.10 ", "45.10"), ("£ 12", "12.00"), ("0.01", "0.01"), (".5", "0.50"), ("70.", "70.00"),
    ("12,345,678.90", "12345678.90"), ("100000", "100000.00"),
])
def test_accepted_amounts(text, amount):
    parsed = parse_gbp(text, limit=Decimal("99999999.99"))
    assert parsed == Decimal(amount) and str(parsed) == amount and isinstance(parsed, Decimal)


@pytest.mark.parametrize("text, message", [
    ("", "Enter the amount"),
    ("   ", "Enter the amount"),
    ("0", "Amount must be more than £0"),
    ("0.00", "Amount must be more than £0"),
    ("-0", "Amount must be more than £0"),
    ("-5", "Amount must be more than £0"),
    ("-£5.00", "Amount must be more than £0"),
    ("£-5", "Amount must be more than £0"),
    ("\u22125", "Amount must be more than £0"),
    ("70.123", "no more than 2 numbers after the decimal point"),
    ("70.500", "no more than 2 numbers after the decimal point"),
    ("abc", "Amount must be a number"),
    ("12abc", "Amount must be a number"),
    ("1e3", "Amount must be a number"),
    ("NaN", "Amount must be a number"),
    ("Infinity", "Amount must be a number"),
    ("1,00", "Amount must be a number"),
    ("1,0000.00", "Amount must be a number"),
    ("70,50", "Amount must be a number"),
    ("£", "Amount must be a number"),
    (".", "Amount must be a number"),
    ("7.0.0", "Amount must be a number"),
    ("٧٠", "Amount must be a number"),
    ("0x10", "Amount must be a number"),
    ("+5", "Amount must be a number"),
    ("100000.01", "Amount must be £100,000.00 or less"),
    ("9" * 30, "Amount must be £100,000.00 or less"),
    ("9" * 500, "Amount must be a number"),
])
def test_refused_amounts(text, message):
    with pytest.raises(MoneyError, match=message.replace("+", r"\+")):
        parse_gbp(text)


def test_a_budget_may_be_zero_but_not_negative_or_huge():
    assert parse_gbp("0", noun="Budget", allow_zero=True, limit=BUDGET_LIMIT) == Decimal("0.00")
    with pytest.raises(MoneyError, match="Budget must be £0 or more"):
        parse_gbp("-1", noun="Budget", allow_zero=True, limit=BUDGET_LIMIT)
    with pytest.raises(MoneyError, match="Budget must be £1,000,000.00 or less"):
        parse_gbp("1000000.01", noun="Budget", allow_zero=True, limit=BUDGET_LIMIT)


def test_check_amount_refuses_floats_and_fractions_of_a_penny():
    for bad in (70.0, 70, "70", Decimal("NaN"), Decimal("Infinity"), Decimal("0.001"), Decimal("0"), Decimal("-1")):
        with pytest.raises(MoneyError):
            check_amount(bad)
    check_amount(Decimal("70"))
    check_amount(Decimal("70.10"))


def test_money_is_shown_in_pounds_and_written_as_two_decimals():
    assert gbp(Decimal("1000")) == "£1,000.00"
    assert gbp(Decimal("930")) == "£930.00"
    assert gbp(Decimal("0.5")) == "£0.50"
    assert gbp(Decimal("-5")) == "-£5.00"
    assert money_text(Decimal("70")) == "70.00"
    assert money_text(Decimal("0.1")) == "0.10"
    assert money_text(None) is None
