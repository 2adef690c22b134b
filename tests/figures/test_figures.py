"""The figures, to the day: month ends, leaving days, re-adoption, strands, custody boundaries,
SAC counts, rules by month; and a cross-check against a plain day-by-day count on random data."""
import json
import random
from datetime import date, timedelta
from decimal import Decimal

import pytest

from iom.figures import monthly
from iom.figures.models import SacCount, SchemeRule
from iom.figures.months import BadPeriod, month_end, parse_month
from iom.extensions import db
from iom.years import FinancialYear
from tests.builders import client

OCT = date(2011, 10, 1)
OCT_END = date(2011, 10, 31)


def october():
    return monthly.month_figures(OCT)


def test_months_and_years():
    assert parse_month("2011-10") == OCT
    assert month_end(date(2012, 2, 1)) == date(2012, 2, 29)
    assert FinancialYear.of(date(2012, 3, 31)).label == "2011-12"
    assert FinancialYear.of(date(2012, 4, 1)).label == "2012-13"
    year = FinancialYear.parse("2011-12")
    assert (year.first_day, year.last_day) == (date(2011, 4, 1), date(2012, 3, 31))
    assert year.months[0] == date(2011, 4, 1) and year.months[-1] == date(2012, 3, 1)
    century = FinancialYear.parse("1999-00")
    assert (century.first_day, century.last_day) == (date(1999, 4, 1), date(2000, 3, 31))
    for bad in ("2011-13", "2011/10", "11-10", "2011-1", "", "2011-10-01"):
        with pytest.raises(BadPeriod):
            parse_month(bad)
    for bad in ("2011-13", "2011-2012", "2011", "2011-12-01"):
        with pytest.raises(BadPeriod):
            FinancialYear.parse(bad)


def test_joining_on_the_last_day_counts_and_the_day_after_does_not(ctx):
    client("A", [("catch_convict", OCT_END, None)])
    client("B", [("catch_convict", OCT_END + timedelta(days=1), None)])
    assert october().on_scheme == 1


def test_leaving_on_the_last_day_still_counts_and_the_day_before_does_not(ctx):
    client("A", [("catch_convict", date(2011, 4, 1), OCT_END)])
    client("B", [("catch_convict", date(2011, 4, 1), OCT_END - timedelta(days=1))])
    result = october()
    assert result.on_scheme == 1 and result.counted_for_minimum == 1


def test_readoption_counts_once_in_the_right_months(ctx):
    client("A", [("catch_convict", date(2011, 4, 1), date(2011, 6, 15)),
                 ("resettle_rehabilitate", date(2011, 8, 1), None)])
    months = {f.month_text: f for f in monthly.year_figures(FinancialYear.parse("2011-12"))}
    assert months["2011-05"].on_scheme == 1
    assert months["2011-06"].on_scheme == 0 and months["2011-07"].on_scheme == 0
    assert months["2011-08"].on_scheme == 1 and months["2011-08"].by_strand == {"resettle_rehabilitate": 1}


def test_every_strand_is_on_the_scheme_but_only_two_count(ctx):
    client("P", [("prevent_deter", date(2011, 4, 1), None)])
    client("C", [("catch_convict", date(2011, 4, 1), None)])
    client("R", [("resettle_rehabilitate", date(2011, 4, 1), None)])
    result = october()
    assert (result.on_scheme, result.counted_for_minimum) == (3, 2)


def test_custody_starting_on_the_last_day_counts_and_the_day_after_does_not(ctx):
    client("A", [("catch_convict", date(2011, 4, 1), None)], custody=[("remand", OCT_END)])
    client("B", [("catch_convict", date(2011, 4, 1), None)], custody=[("custody", OCT_END + timedelta(days=1))])
    client("C", [("catch_convict", date(2011, 4, 1), None)],
           custody=[("custody", date(2011, 5, 1)), ("community", OCT_END)])
    client("D", [("catch_convict", date(2011, 4, 1), None)],
           custody=[("custody", date(2011, 5, 1)), ("community", OCT_END + timedelta(days=1))])
    assert october().in_custody_or_remand == 2  # A (remand from the last day) and D (released the day after)


def test_custody_of_people_not_on_the_scheme_is_not_counted(ctx):
    client("A", [("catch_convict", date(2011, 4, 1), date(2011, 5, 1))], custody=[("custody", date(2011, 9, 1))])
    client("B", [("catch_convict", date(2011, 11, 1), None)], custody=[("remand", date(2011, 9, 1))])
    assert october().in_custody_or_remand == 0


def test_minimum_met_at_exactly_the_minimum(ctx):
    db.session.add(SchemeRule(effective_from=date(2011, 4, 1), minimum_cohort=2,
                              counted_strands="catch_convict,resettle_rehabilitate"))
    client("A", [("catch_convict", date(2011, 4, 1), None)])
    client("B", [("resettle_rehabilitate", date(2011, 4, 1), None)])
    assert october().minimum_met is True
    client("C", [("prevent_deter", date(2011, 4, 1), None)])
    db.session.add(SchemeRule(effective_from=date(2011, 10, 1), minimum_cohort=3,
                              counted_strands="catch_convict,resettle_rehabilitate"))
    result = october()
    assert (result.counted_for_minimum, result.minimum, result.minimum_met) == (2, 3, False)


def test_rules_apply_from_their_month_and_past_months_keep_theirs(ctx):
    client("P", [("prevent_deter", date(2011, 4, 1), None)])
    db.session.add(SchemeRule(effective_from=date(2011, 10, 1), minimum_cohort=50,
                              counted_strands="prevent_deter"))
    months = {f.month_text: f for f in monthly.year_figures(FinancialYear.parse("2011-12"))}
    assert (months["2011-09"].minimum, months["2011-09"].counted_for_minimum) == (70, 0)
    assert (months["2011-10"].minimum, months["2011-10"].counted_for_minimum) == (50, 1)
    assert months["2012-03"].minimum == 50


def test_sac_counts_and_months_without_one(ctx):
    db.session.add(SacCount(month=date(2011, 4, 1), crimes=122))
    db.session.add(SacCount(month=OCT, crimes=81))
    db.session.add(SacCount(month=date(2011, 11, 1), crimes=0))
    client("A", [("catch_convict", date(2011, 4, 1), None)])
    months = {f.month_text: f for f in monthly.year_figures(FinancialYear.parse("2011-12"))}
    assert months["2011-04"].serious_acquisitive_crimes == 122
    assert months["2011-10"].serious_acquisitive_crimes == 81
    assert months["2011-05"].serious_acquisitive_crimes is None
    assert months["2011-05"].clients_per_sac is None
    assert months["2011-11"].serious_acquisitive_crimes == 0 and months["2011-11"].clients_per_sac is None
    assert months["2011-04"].clients_per_sac == Decimal("0.01")


def test_json_has_the_contract_keys_in_order(ctx):
    db.session.add(SacCount(month=OCT, crimes=81))
    data = october().as_json()
    assert list(data) == ["month", "on_scheme", "counted_for_minimum", "in_custody_or_remand", "minimum",
                          "minimum_met", "serious_acquisitive_crimes", "cohort_serious_acquisitive_offences"]
    assert json.loads(json.dumps(data)) == {"month": "2011-10", "on_scheme": 0, "counted_for_minimum": 0,
                                            "in_custody_or_remand": 0, "minimum": 70, "minimum_met": False,
                                            "serious_acquisitive_crimes": 81, "cohort_serious_acquisitive_offences": 0}


def test_alcohol_share_counts_anyone_on_the_scheme_on_any_day_of_the_year(ctx):
    client("first-day", [("catch_convict", date(2010, 1, 1), date(2011, 4, 1))], alcohol="yes")
    client("last-day", [("catch_convict", date(2012, 3, 31), None)], alcohol="yes")
    client("before", [("catch_convict", date(2010, 1, 1), date(2011, 3, 31))], alcohol="yes")
    client("after", [("catch_convict", date(2012, 4, 1), None)], alcohol="yes")
    client("no", [("prevent_deter", date(2011, 6, 1), date(2011, 6, 1))], alcohol="no")
    client("twice", [("catch_convict", date(2011, 4, 1), date(2011, 5, 1)),
                     ("catch_convict", date(2011, 7, 1), None)], alcohol="unknown")
    assert monthly.alcohol_related(FinancialYear.parse("2011-12")) == {"clients": 2, "of": 4}


def test_year_of_twelve_months_runs_few_statements(app, count_queries):
    with app.app_context():
        for n in range(30):
            client(f"C{n}", [("catch_convict", date(2011, 4, 1), None)], custody=[("remand", date(2011, 6, n % 28 + 1))])
        db.session.commit()
    with app.app_context(), count_queries() as counter:
        monthly.year_figures(FinancialYear.parse("2011-12"))
    assert counter.count <= 4


def naive_counts(people, day, counted):
    on = cnt = inside = 0
    for periods, custody in people:
        period = next((p for p in periods if p[1] <= day and (p[2] is None or day <= p[2])), None)
        if period is None:
            continue
        on += 1
        cnt += period[0] in counted
        latest = max((c for c in custody if c[1] <= day), key=lambda c: c[1], default=None)
        inside += latest is not None and latest[0] in ("remand", "custody")
    return on, cnt, inside


def test_matches_a_plain_day_by_day_count_on_random_histories(ctx):
    rng = random.Random(20111031)
    strands = ["prevent_deter", "catch_convict", "resettle_rehabilitate"]
    people = []
    for n in range(150):
        periods, start = [], date(2010, 1, 1) + timedelta(days=rng.randrange(0, 400))
        for _ in range(rng.randrange(1, 4)):
            length = rng.randrange(0, 300)
            left = start + timedelta(days=length) if rng.random() < 0.7 else None
            periods.append((rng.choice(strands), start, left))
            if left is None:
                break
            start = left + timedelta(days=rng.randrange(1, 120))
        custody, day = [], date(2010, 1, 1) + timedelta(days=rng.randrange(0, 500))
        for _ in range(rng.randrange(0, 5)):
            custody.append((rng.choice(["remand", "custody", "community"]), day))
            day += timedelta(days=rng.randrange(1, 200))
        client(f"R{n}", periods, custody=custody)
        people.append((periods, custody))
    for result in monthly.year_figures(FinancialYear.parse("2011-12")):
        expected = naive_counts(people, result.taken_on, {"catch_convict", "resettle_rehabilitate"})
        assert (result.on_scheme, result.counted_for_minimum, result.in_custody_or_remand) == expected, \
            result.month_text
