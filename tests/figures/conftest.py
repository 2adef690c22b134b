"""The figures pages' tests: a fixed 'today' (mid-November 2011: October is the latest complete
month, November is under way, December to March are still to come in the financial year 2011-12)."""
from datetime import date

import pytest

TODAY = date(2011, 11, 15)


@pytest.fixture
def today(monkeypatch):
    """Fix 'today' in London (the figures code reads it through iom.clock) at TODAY."""
    def set_today(day: date = TODAY) -> date:
        monkeypatch.setattr("iom.clock.today_in_london", lambda: day)
        return day
    set_today()
    return set_today


# --- offending before and after adoption: the contract's example, worked by hand ----------------

# Adoptions from 1 April 2011 to 31 March 2012, seen from 1 June 2013 (every after window has ended:
# the last, C12's, on 30 March 2013). Twelve clients reproduce the contract's `reoffending --json`
# example figure for figure.
CONTRACT_FIRST, CONTRACT_LAST, CONTRACT_TODAY = date(2011, 4, 1), date(2012, 3, 31), date(2013, 6, 1)
CONTRACT_JSON = {
    "from": "2011-04-01", "to": "2012-03-31", "clients": 12, "not_yet_a_year": 0,
    "before": {"clients": 12, "offences": 30, "clients_offending": 9, "serious_acquisitive": 11,
               "neighbourhood": 14, "days_at_risk": 3650, "per_100_years_at_risk": 300.0, "cost_gbp": "81340.00"},
    "after": {"clients": 12, "offences": 13, "clients_offending": 6, "serious_acquisitive": 4,
              "neighbourhood": 5, "days_at_risk": 3285, "per_100_years_at_risk": 144.4, "cost_gbp": "30210.00"},
}
DB, RB, TOV, TFV, TFP, VI = ("domestic_burglary", "robbery", "theft_of_vehicle", "theft_from_vehicle",
                             "theft_from_person", "vehicle_interference")
VWI, VWO, CD, SL, DO, BR = ("violence_with_injury", "violence_without_injury", "criminal_damage", "shoplifting",
                            "drug_offence", "breach")
CC, RR, PD = "catch_convict", "resettle_rehabilitate", "prevent_deter"

# reference: (scheme periods, programme, tier, custody events, offences as (type, day))
# Before: 30 offences by 9 clients, 8 DB + RB + TOV + TFV = 11 serious acquisitive, + 3 TFP = 14
# neighbourhood; cost 8 x 5,930 + 11,320 + 10,290 + 870 + 3 x 1,380 + 5,930 (VWO) + 1,350 (CD) = 81,340.
# After: 13 offences by 6 clients, 4 TFV serious acquisitive, + VI = 5 neighbourhood;
# cost 4 x 870 + 14,050 (VWI) + 5,930 (VWO) + 5 x 1,350 (CD) = 30,210.
# Days at risk before: 12 x 365 - (C04 365 + C05 165 + C08 200) = 3,650 -> 30 x 36,500 / 3,650 = 300.0;
# after: 12 x 365 - (C09 365 + C10 200 + C11 165 + C12 365) = 3,285 -> 13 x 36,500 / 3,285 = 144.44 -> 144.4.
CONTRACT_COHORT = {
    # adopted on the range's first day: offences on A-366 (outside), A-365 (first day before), A (first day
    # after), A+364 (last day after) and A+365 (outside)
    "C01": ([(CC, date(2011, 4, 1), None)], "ppo", "fixed", [],
            [(RB, date(2010, 3, 31)), (DB, date(2010, 4, 1)), (DB, date(2010, 12, 1)), (SL, date(2011, 2, 1)),
             (SL, date(2011, 3, 31)), (TFV, date(2011, 4, 1)), (TFV, date(2012, 3, 30)), (SL, date(2012, 3, 31))]),
    "C02": ([(CC, date(2011, 5, 16), None)], "ppo", "fixed", [],
            [(DB, date(2010, 9, 9)), (TFP, date(2011, 1, 5)), (SL, date(2011, 5, 15)),
             (TFV, date(2011, 8, 1)), (VI, date(2011, 12, 24))]),
    "C03": ([(RR, date(2011, 6, 30), None)], "dip", "flex", [],
            [(DB, date(2010, 7, 1)), (RB, date(2010, 11, 11)), (SL, date(2011, 2, 2)), (DO, date(2011, 6, 1)),
             (TFV, date(2011, 6, 30)), (CD, date(2011, 10, 1)), (CD, date(2012, 6, 28))]),
    # in custody for the whole year before: 2010-07-01 to 2011-06-30, 365 days
    "C04": ([(RR, date(2011, 7, 1), None)], "dip", "flex", [("custody", date(2010, 1, 1)), ("community", date(2011, 7, 1))],
            [(VWI, date(2011, 9, 9)), (CD, date(2012, 1, 2))]),
    # on remand 27 January 2011, sentenced 18 March, released 11 July: 165 days of the year before inside
    "C05": ([(CC, date(2011, 8, 15), None)], "youth", None,
            [("remand", date(2011, 1, 27)), ("custody", date(2011, 3, 18)), ("community", date(2011, 7, 11))],
            [(DB, date(2010, 9, 1)), (TOV, date(2010, 10, 10)), (SL, date(2011, 8, 14))]),
    # adopted before (2009), left, adopted again in the range: counted from 1 September 2011, on that strand
    "C06": ([(PD, date(2009, 1, 1), date(2009, 12, 31)), (CC, date(2011, 9, 1), None)], "ppo", "free", [],
            [(DB, date(2010, 9, 1)), (TFV, date(2010, 10, 1)), (TFP, date(2010, 11, 1)), (SL, date(2011, 1, 1)),
             (BR, date(2011, 8, 31)), (VWO, date(2011, 9, 1)), (CD, date(2012, 8, 30))]),
    # adopted twice in the range: counted once, from the first
    "C07": ([(CC, date(2011, 10, 3), date(2011, 12, 31)), (RR, date(2012, 2, 1), None)], "other", None, [],
            [(DB, date(2010, 10, 3)), (TFP, date(2011, 3, 3)), (VWO, date(2011, 10, 2))]),
    # in custody the 200 days before adoption (14 May to 29 November 2011)
    "C08": ([(RR, date(2011, 11, 30), None)], "dip", "fixed", [("custody", date(2011, 5, 14)), ("community", date(2011, 11, 30))],
            [(DB, date(2010, 12, 25)), (SL, date(2011, 2, 14)), (DO, date(2011, 4, 4))]),
    # adopted in custody, released after the year after: 365 days inside
    "C09": ([(RR, date(2012, 1, 9), None)], "youth", "flex", [("custody", date(2012, 1, 9)), ("community", date(2013, 1, 8))],
            [(CD, date(2011, 1, 9)), (SL, date(2011, 5, 5)), (DO, date(2011, 8, 8)), (BR, date(2012, 1, 8))]),
    # adopted on a leap day; remand 8 June 2012, sentenced 8 July, released 25 December: 200 days inside
    "C10": ([(CC, date(2012, 2, 29), None)], "other", "free",
            [("remand", date(2012, 6, 8)), ("custody", date(2012, 7, 8)), ("community", date(2012, 12, 25))],
            [(BR, date(2011, 12, 1))]),
    # in custody from 17 September 2012 to the end: 165 days of the year after inside
    "C11": ([(PD, date(2012, 3, 1), None)], "ppo", None, [("custody", date(2012, 9, 17))],
            [(CD, date(2012, 4, 1)), (SL, date(2012, 9, 16))]),
    # adopted on the range's last day, in custody for the whole year after
    "C12": ([(PD, date(2012, 3, 31), None)], "youth", None, [("custody", date(2012, 3, 31)), ("community", date(2013, 5, 5))],
            []),
    # adopted the day before the range and the day after it: neither counts, nor their offences
    "X1": ([(CC, date(2011, 3, 31), None)], "ppo", "fixed", [("custody", date(2011, 1, 1))],
           [(DB, date(2010, 6, 1)), (RB, date(2011, 6, 1))]),
    "X2": ([(CC, date(2012, 4, 1), None)], "ppo", "fixed", [], [(DB, date(2011, 6, 1)), (RB, date(2012, 6, 1))]),
}


def add_contract_cohort() -> None:
    """CONTRACT_COHORT into the tables, inside the caller's app context, committed."""
    from iom.extensions import db
    from iom.offending.models import Offence
    from tests.builders import client
    for reference, (periods, programme, tier, custody, offences) in CONTRACT_COHORT.items():
        person = client(reference, periods, programme=programme, custody=custody)
        person.tier = tier
        for offence_type, day in offences:
            db.session.add(Offence(client_id=person.id, offence_type=offence_type, offence_on=day))
    db.session.commit()


@pytest.fixture
def contract_cohort(app):
    with app.app_context():
        add_contract_cohort()
    return app
