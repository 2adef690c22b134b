"""Offending in a financial year while on the scheme (the review pack's rate and cost of crime): days
on the scheme cut to the year, custody days taken out, offences counted only on days on the scheme,
per 100 years at risk half up, in all and by cohort tier; four queries whatever the caseload."""
from datetime import date
from decimal import Decimal


from iom.extensions import db
from iom.figures.year_offending import offending_in_year
from iom.years import FinancialYear
from tests.builders import client, offence, watch

YEAR = FinancialYear.parse("2011-12")  # 366 days: February 2012 has 29


def caseload():
    fixed = client("A", [("catch_convict", date(2011, 1, 1), None)],
                   custody=[("custody", date(2011, 6, 1)), ("community", date(2011, 7, 1))])  # 30 days inside
    fixed.tier = "fixed"
    offence(fixed, date(2011, 3, 31), "domestic_burglary")  # the day before the year
    offence(fixed, date(2011, 5, 1), "robbery")
    offence(fixed, date(2011, 6, 15), "shoplifting")        # in custody, but on the scheme: counted
    offence(fixed, date(2012, 4, 1), "robbery")             # the day after the year
    # 10 days (1-10 April) and 31 days (October) on the scheme; on remand 5 April to 14 October: 6 + 14 inside
    untiered = client("B", [("prevent_deter", date(2011, 3, 1), date(2011, 4, 10)),
                            ("catch_convict", date(2011, 10, 1), date(2011, 10, 31))],
                      custody=[("remand", date(2011, 4, 5)), ("community", date(2011, 10, 15))])
    offence(untiered, date(2011, 4, 10), "theft_from_vehicle")  # the leaving day
    offence(untiered, date(2011, 5, 1), "theft_from_vehicle")   # between the periods: not on the scheme
    offence(untiered, date(2011, 10, 31), "other")
    later = client("C", [("catch_convict", date(2012, 4, 1), None)])
    offence(later, date(2012, 3, 31), "robbery")                # never on the scheme in the year
    offence(None, date(2011, 8, 1), "robbery", watched=watch(date(2011, 5, 1)))
    db.session.flush()


def test_the_years_offences_days_at_risk_rate_and_cost(ctx):
    caseload()
    result = offending_in_year(YEAR)
    assert result.all.as_json() == {"clients": 2, "offences": 4, "clients_offending": 2, "serious_acquisitive": 2,
                                    "neighbourhood": 2, "days_at_risk": 336 + 21,
                                    "per_100_years_at_risk": 409.0,  # 4 x 36,500 / 357 = 408.96...
                                    "cost_gbp": "12190.00"}          # robbery 11,320 + theft from a vehicle 870
    assert result.by_tier["fixed"].as_json()["per_100_years_at_risk"] == 217.3   # 2 x 36,500 / 336
    assert result.by_tier[""].as_json() == {"clients": 1, "offences": 2, "clients_offending": 1,
                                            "serious_acquisitive": 1, "neighbourhood": 1, "days_at_risk": 21,
                                            "per_100_years_at_risk": 3476.2, "cost_gbp": "870.00"}
    assert result.by_tier["flex"].clients == 0 and result.by_tier["flex"].per_100_years_at_risk is None
    assert set(result.by_tier) == {"fixed", "flex", "free", ""}


def test_a_year_inside_all_along_has_no_day_at_risk(ctx):
    person = client("D", [("catch_convict", date(2011, 4, 1), None)], custody=[("custody", date(2010, 1, 1))])
    offence(person, date(2011, 9, 1), "breach")
    result = offending_in_year(YEAR)
    assert (result.all.offences, result.all.days_at_risk, result.all.per_100_years_at_risk) == (1, 0, None)
    assert result.all.cost_gbp == Decimal("0.00")  # a breach is not costed in the source


def test_four_queries_whatever_the_caseload(app, count_queries):
    def counted():
        with app.app_context(), count_queries() as counter:
            offending_in_year(YEAR)
        return counter.count
    with app.app_context():
        client("one", [("catch_convict", date(2011, 4, 1), None)])
        db.session.commit()
    few = counted()
    with app.app_context():
        for n in range(30):
            person = client(f"M{n}", [("catch_convict", date(2011, 5, 1), None)],
                            custody=[("remand", date(2011, 6, n % 28 + 1)), ("community", date(2011, 8, 1))])
            offence(person, date(2011, 9, n % 28 + 1), "robbery")
        db.session.commit()
    assert counted() == few == 4
