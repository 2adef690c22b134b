"""The cohort by tier for a month: how many of those on the scheme on its last day are fixed, flex,
free or not set, in one statement."""
from datetime import date

from iom.extensions import db
from iom.figures.tiers import TierCounts, month_tiers, tiers_on
from tests.builders import client

OCTOBER, LAST_DAY = date(2011, 10, 1), date(2011, 10, 31)


def tiered(reference, tier, periods):
    person = client(reference, periods)
    person.tier = tier
    db.session.flush()
    return person


def test_each_tier_is_counted_on_the_months_last_day(app, count_queries):
    with app.app_context():
        tiered("T-1", "fixed", [("catch_convict", date(2011, 4, 1), None)])
        tiered("T-2", "fixed", [("prevent_deter", date(2011, 4, 1), LAST_DAY)])     # the leaving day counts
        tiered("T-3", "flex", [("resettle_rehabilitate", date(2011, 10, 31), None)])  # joined that day
        tiered("T-4", "free", [("catch_convict", date(2011, 4, 1), date(2011, 10, 30))])  # left the day before
        tiered("T-5", None, [("catch_convict", date(2011, 4, 1), date(2011, 5, 1)),
                             ("catch_convict", date(2011, 9, 1), None)])             # two periods, counted once
        tiered("T-6", "free", [("catch_convict", date(2011, 11, 1), None)])          # not yet adopted
        db.session.commit()
        with count_queries() as counter:
            counts = month_tiers(OCTOBER)
    assert counter.count == 1
    assert counts == TierCounts(LAST_DAY, fixed=2, flex=1, free=0, not_set=1)
    assert counts.total == 4
    assert counts.as_json() == {"fixed": 2, "flex": 1, "free": 0, "not_set": 1}


def test_a_day_with_nobody_on_the_scheme_counts_nought_in_every_tier(app):
    with app.app_context():
        assert tiers_on(date(2011, 4, 1)).as_json() == {"fixed": 0, "flex": 0, "free": 0, "not_set": 0}
