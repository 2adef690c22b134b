"""Financial years run 1 April to 31 March, both days included."""
from datetime import date

import pytest

from iom.payments.years import financial_year_of, parse_financial_year, shift_year, year_bounds


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
    from datetime import timedelta
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
