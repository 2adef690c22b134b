"""Financial years run 1 April to 31 March, both days included (iom/years.py)."""
from datetime import date, timedelta

import pytest

from iom.years import BUDGET_WORDING, FIGURES_WORDING, BadPeriod, FinancialYear


# The names these tests had when payments kept its own years: each is one line over the one type.
def financial_year_of(day: date) -> str:
    return FinancialYear.of(day).label


def parse_financial_year(text) -> str:
    return FinancialYear.parse(text, BUDGET_WORDING).label


def year_bounds(text: str) -> tuple[date, date]:
    year = FinancialYear.parse(text, BUDGET_WORDING)
    return year.first_day, year.last_day


def shift_year(text: str, years: int) -> str:
    return FinancialYear.parse(text).shifted(years).label


@pytest.mark.parametrize("day, year", [
    (date(2012, 3, 31), "2011-12"),
    (date(2012, 4, 1), "2012-13"),
    (date(2011, 4, 1), "2011-12"),
    (date(2011, 3, 31), "2010-11"),
    (date(2011, 12, 31), "2011-12"),
    (date(2012, 1, 1), "2011-12"),
    (date(2012, 2, 29), "2011-12"),
    (date(1999, 4, 1), "1999-00"),
    (date(2000, 3, 31), "1999-00"),
    (date(2009, 6, 15), "2009-10"),
])
def test_the_year_a_day_falls_in(day, year):
    assert financial_year_of(day) == year


def test_bounds_are_the_first_and_last_days():
    assert year_bounds("2011-12") == (date(2011, 4, 1), date(2012, 3, 31))
    assert year_bounds("1999-00") == (date(1999, 4, 1), date(2000, 3, 31))
    first, last = year_bounds("2011-12")
    assert financial_year_of(first) == financial_year_of(last) == "2011-12"


def test_every_day_of_a_year_maps_back_to_it():
    first, last = year_bounds("2011-12")
    day = first - timedelta(days=1)
    assert financial_year_of(day) == "2010-11"
    while day < last:
        day += timedelta(days=1)
        assert financial_year_of(day) == "2011-12"
    assert financial_year_of(last + timedelta(days=1)) == "2012-13"


@pytest.mark.parametrize("text, message", [
    ("", "is not a financial year"),
    ("2011", "is not a financial year"),
    ("2011-2012", "is not a financial year"),
    ("2011/12", "is not a financial year"),
    ("11-12", "is not a financial year"),
    ("2011-13", "did you mean 2011-12"),
    ("2011-11", "did you mean 2011-12"),
    ("abcd-ef", "is not a financial year"),
    ("٢٠١١-١٢", "is not a financial year"),
    ("0999-00", "first year must be 1900 to 9998"),
    (None, "is not a financial year"),
])
def test_bad_years_are_refused_clearly(text, message):
    with pytest.raises(ValueError, match=message):
        parse_financial_year(text)
    if text:
        with pytest.raises(ValueError):
            year_bounds(text)


def test_spaces_around_a_year_are_ignored_and_years_step():
    assert parse_financial_year(" 2011-12 ") == "2011-12"
    assert shift_year("2011-12", -1) == "2010-11"
    assert shift_year("1999-00", 1) == "2000-01"
    assert shift_year("2000-01", -1) == "1999-00"


def test_a_year_knows_its_months_and_days():
    year = FinancialYear.parse("2011-12")
    assert (year.label, str(year), year.start) == ("2011-12", "2011-12", 2011)
    assert year.months[0] == date(2011, 4, 1) and year.months[-1] == date(2012, 3, 1) and len(year.months) == 12
    assert year.contains(date(2011, 4, 1)) and year.contains(date(2012, 3, 31))
    assert not year.contains(date(2011, 3, 31)) and not year.contains(date(2012, 4, 1))
    assert FinancialYear.of(date(2012, 2, 29)) == year and year.shifted(1) == FinancialYear.parse("2012-13")
    assert sorted([year.shifted(1), year]) == [year, year.shifted(1)]


@pytest.mark.parametrize("text, message", [
    ("2011-13", "'2011-13' is not a financial year: the second part must be the year after the first, "
                "for example 2011-12"),
    ("2011", "'2011' is not a financial year: write it as YYYY-YY, for example 2011-12"),
    ("0999-00", "'0999-00' is not a financial year: write it as YYYY-YY, for example 2011-12, "
                "with a first year from 1900 to 9998"),
])
def test_the_figures_wording_is_the_default(text, message):
    with pytest.raises(BadPeriod) as raised:
        FinancialYear.parse(text)
    assert str(raised.value) == message
    with pytest.raises(BadPeriod) as again:
        FinancialYear.parse(text, FIGURES_WORDING)
    assert str(again.value) == message
