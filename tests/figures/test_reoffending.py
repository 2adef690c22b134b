"""Offending before and after adoption, exactly as the contract defines it: the windows, days at
risk from custody intervals, the cohort's edges, rounding and the breakdowns."""
from datetime import date
from decimal import Decimal

import pytest

from iom.clients.models import Client, SchemePeriod
from iom.custody.models import CustodyEvent
from iom.extensions import db
from iom.figures.reoffending import before_and_after, per_100_years
from iom.offending.models import Offence, OffenceUnitCost

FIRST, LAST = date(2011, 4, 1), date(2012, 3, 31)
TODAY = date(2012, 9, 1)


def person(reference, *periods, programme="ppo", tier=None):
    client = Client(reference=reference, given_name="Test", family_name=reference, programme=programme, tier=tier)
    db.session.add(client)
    db.session.flush()
    for strand, joined, left in periods:
        db.session.add(SchemePeriod(client_id=client.id, strand=strand, joined_on=joined, left_on=left,
                                    exit_reason="other" if left else None))
    db.session.flush()
    return client


def custody(client, *events):
    for status, day in events:
        db.session.add(CustodyEvent(client_id=client.id, status=status, from_date=day,
                                    establishment=None if status == "community" else "HMP Example"))


def offences(client, *rows):
    for offence_type, day in rows:
        db.session.add(Offence(client_id=client.id, offence_type=offence_type, offence_on=day))


@pytest.fixture
def cohort(app):
    with app.app_context():
        one = person("R1", ("catch_convict", date(2011, 6, 1), None), tier="fixed")
        # before 2010-06-01..2011-05-31: custody 1 Jan to 28 Feb 2011 (59 days) -> 306 at risk;
        # after 2011-06-01..2012-05-30: on remand from 20 May 2012 (11 days) -> 354 at risk
        custody(one, ("custody", date(2011, 1, 1)), ("community", date(2011, 3, 1)), ("remand", date(2012, 5, 20)))
        offences(one, ("robbery", date(2010, 5, 31)),            # the day before the before window
                 ("domestic_burglary", date(2010, 6, 1)),          # its first day
                 ("shoplifting", date(2011, 5, 31)),               # its last day
                 ("robbery", date(2011, 6, 1)),                    # day A: after
                 ("theft_from_person", date(2012, 5, 30)),         # A+364: after
                 ("other", date(2012, 5, 31)))                     # A+365: neither
        two = person("R2", ("prevent_deter", date(2010, 1, 1), date(2010, 6, 30)),
                     ("resettle_rehabilitate", date(2011, 9, 1), date(2011, 10, 31)),
                     ("catch_convict", date(2011, 12, 1), None), programme="dip")
        # in custody since 2009 until 2 September 2010: one day (1 September 2010) of the before window
        custody(two, ("custody", date(2009, 1, 1)), ("community", date(2010, 9, 2)))
        person("R3", ("catch_convict", date(2012, 3, 31), None))     # the range's last day: not yet a year
        person("R4", ("catch_convict", date(2012, 4, 1), None))      # outside the range
        db.session.commit()
    return app


def test_the_contracts_figures(cohort):
    with cohort.app_context():
        result = before_and_after(FIRST, LAST, today=TODAY).as_json()
    assert {key: result[key] for key in ("from", "to", "clients", "not_yet_a_year")} == {
        "from": "2011-04-01", "to": "2012-03-31", "clients": 3, "not_yet_a_year": 1}
    assert result["before"] == {"clients": 2, "offences": 2, "clients_offending": 1, "serious_acquisitive": 1,
                                "neighbourhood": 1, "days_at_risk": 306 + 364,
                                "per_100_years_at_risk": 109.0, "cost_gbp": "5930.00"}
    assert result["after"] == {"clients": 2, "offences": 2, "clients_offending": 1, "serious_acquisitive": 1,
                               "neighbourhood": 2, "days_at_risk": 354 + 365,
                               "per_100_years_at_risk": 101.5, "cost_gbp": "12700.00"}


def test_breakdowns_add_up_to_the_cohort(cohort):
    with cohort.app_context():
        result = before_and_after(FIRST, LAST, today=TODAY)
    strands = result.by["strand"]
    assert strands["catch_convict"].clients == 2 and strands["catch_convict"].not_yet_a_year == 1
    # R2 is counted once, under the strand of the period that adopted them
    assert strands["resettle_rehabilitate"].clients == 1 and strands["prevent_deter"].clients == 0
    assert result.by["programme"]["dip"].before.days_at_risk == 364
    assert result.by["tier"]["fixed"].after.cost_gbp == Decimal("12700.00")
    assert result.by["tier"][""].clients == 2
    for groups in result.by.values():
        assert sum(group.clients for group in groups.values()) == result.clients
        assert sum(group.before.offences for group in groups.values()) == result.before.offences


def test_a_client_counts_once_the_after_window_has_ended(cohort):
    # R1's after window ends on 30 May 2012: on that day it has not ended, the next day it has
    with cohort.app_context():
        on_last_day = before_and_after(date(2011, 6, 1), date(2011, 6, 1), today=date(2012, 5, 30))
        next_day = before_and_after(date(2011, 6, 1), date(2011, 6, 1), today=date(2012, 5, 31))
    assert (on_last_day.clients, on_last_day.not_yet_a_year, on_last_day.before.clients) == (1, 1, 0)
    assert (next_day.clients, next_day.not_yet_a_year, next_day.before.clients) == (1, 0, 1)


def test_the_partnerships_own_unit_cost_replaces_the_published_one(cohort):
    with cohort.app_context():
        db.session.add(OffenceUnitCost(offence_type="shoplifting", cost_gbp=Decimal("150.00"), price_year="2015-16"))
        db.session.commit()
        result = before_and_after(FIRST, LAST, today=TODAY)
    assert result.before.cost_gbp == Decimal("6080.00")


def test_an_empty_cohort_has_no_rate(app):
    with app.app_context():
        result = before_and_after(FIRST, LAST, today=TODAY).as_json()
    assert result["clients"] == 0
    assert result["before"]["per_100_years_at_risk"] is None and result["before"]["cost_gbp"] == "0.00"


def test_a_whole_window_in_custody_has_no_rate(app):
    with app.app_context():
        client = person("R9", ("catch_convict", date(2011, 6, 1), None))
        custody(client, ("custody", date(2009, 1, 1)))
        db.session.commit()
        result = before_and_after(FIRST, LAST, today=TODAY)
    assert result.before.days_at_risk == 0 and result.after.days_at_risk == 0
    assert result.before.per_100_years_at_risk is None


@pytest.mark.parametrize(("offences_", "days", "rate"), [
    (1, 400, Decimal("91.3")),   # 91.25 rounds half up, not to even
    (3, 1095, Decimal("100.0")),
    (2, 3, Decimal("24333.3")),
    (0, 365, Decimal("0.0")),
    (5, 0, None),
])
def test_rate_per_100_years_at_risk(offences_, days, rate):
    assert per_100_years(offences_, days) == rate


@pytest.mark.parametrize(("day", "days", "moved"), [
    (date(2012, 2, 29), -365, date(2011, 3, 1)),
    (date(2012, 2, 29), 364, date(2013, 2, 27)),
    (date(2011, 3, 1), 364, date(2012, 2, 28)),
    (date(2011, 12, 31), 1, date(2012, 1, 1)),
])
def test_a_date_moved_by_days_in_the_database(app, day, days, moved):
    # the windows' edges are worked out in SQL (days_after), the same on SQLite and PostgreSQL
    from sqlalchemy import Integer, literal, select

    from iom.figures.reoffending import days_after
    with app.app_context():
        client = person("D1", ("catch_convict", day, None))
        shifted = db.session.scalar(select(days_after(SchemePeriod.joined_on, literal(days, Integer)))
                                    .where(SchemePeriod.client_id == client.id))
    assert (date.fromisoformat(shifted) if isinstance(shifted, str) else shifted) == moved


def test_custody_after_the_after_window_changes_nothing(app):
    # only the events up to the end of the after window are turned into intervals
    with app.app_context():
        client = person("R8", ("catch_convict", date(2011, 6, 1), None))
        custody(client, ("custody", date(2012, 5, 1)), ("community", date(2012, 7, 1)), ("remand", date(2013, 1, 1)))
        db.session.commit()
        result = before_and_after(FIRST, LAST, today=date(2013, 6, 1))
    assert (result.before.days_at_risk, result.after.days_at_risk) == (365, 365 - 30)  # 1 to 30 May 2012 inside
