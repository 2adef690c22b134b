"""The alcohol paper's figures (iom/figures/alcohol.py) and the disclosure rules the paper applies to
them (iom/reports/alcohol_paper.py)."""
from datetime import date
from decimal import Decimal

import pytest

from iom.clients.models import AlcoholScreening
from iom.extensions import db
from iom.figures.alcohol import alcohol_figures, band_of
from iom.offending.queries import unit_costs
from iom.reports.alcohol_paper import shown_figures
from iom.years import FinancialYear
from tests.builders import client, offence, referral

FY = FinancialYear.parse("2011-12")


def screen(person, day: date, answers: tuple[int, int, int]) -> None:
    db.session.add(AlcoholScreening(client_id=person.id, screened_on=day, drinking_frequency=answers[0],
                                    typical_units=answers[1], heavy_drinking_frequency=answers[2]))
    db.session.flush()


@pytest.fixture
def cohort(ctx):
    a = client("A", [("catch_convict", date(2011, 1, 1), None)], alcohol="yes")
    a.tier = "fixed"
    b = client("B", [("prevent_deter", date(2011, 4, 1), None)], alcohol="no")
    b.tier = "flex"
    c = client("C", [("catch_convict", date(2010, 6, 1), date(2011, 6, 30))], alcohol="unknown")
    d = client("D", [("catch_convict", date(2012, 5, 1), None)], alcohol="yes")  # not on the scheme in the year
    offence(a, date(2011, 5, 10), "violence_with_injury", alcohol_involved="yes")
    offence(a, date(2011, 11, 1), "criminal_damage", alcohol_involved="unknown")
    offence(b, date(2011, 7, 2), "shoplifting", alcohol_involved="no")
    offence(c, date(2011, 8, 1), "violence_with_injury", alcohol_involved="yes")  # after leaving: not counted
    offence(d, date(2011, 8, 1), "violence_with_injury", alcohol_involved="yes")  # not in the cohort
    screen(a, date(2010, 12, 1), (4, 4, 4))  # before the year
    screen(a, date(2011, 4, 10), (1, 1, 1))
    screen(a, date(2011, 9, 1), (2, 2, 2))   # the latest in the year: 6, positive
    screen(b, date(2011, 6, 1), (1, 1, 0))
    screen(d, date(2011, 6, 1), (4, 4, 4))   # not in the cohort
    referral(a, "alcohol", date(2011, 9, 5), "completed", date(2011, 10, 1), "treatment_started")
    referral(d, "alcohol", date(2011, 9, 5))
    db.session.flush()
    return a, b, c, d


def test_the_share_of_the_cohort_by_strand_tier_and_quarter(cohort):
    figures = alcohol_figures(FY)
    assert figures["cohort"] == {"clients": 3, "flagged_yes": 1, "flagged_unknown": 1, "with_alcohol_offence": 1}
    assert figures["by_strand"]["catch_convict"] == {"clients": 2, "flagged_yes": 1, "flagged_unknown": 1,
                                                     "with_alcohol_offence": 1}
    assert figures["by_strand"]["prevent_deter"]["clients"] == 1
    assert figures["by_tier"]["fixed"]["flagged_yes"] == 1 and figures["by_tier"]["not_set"]["clients"] == 1
    quarters = figures["by_quarter"]
    assert [q["quarter"] for q in quarters] == ["April to June 2011", "July to September 2011",
                                               "October to December 2011", "January to March 2012"]
    assert [q["clients"] for q in quarters] == [3, 2, 2, 2]
    assert [q["offences"] for q in quarters] == [1, 1, 1, 0]
    assert [q["alcohol_offences"] for q in quarters] == [1, 0, 0, 0]


def test_the_offences_and_their_cost_by_whether_alcohol_was_involved(cohort):
    figures = alcohol_figures(FY)["offences"]
    costs = unit_costs()
    assert figures["total"] == 3
    assert figures["by_involvement"]["yes"]["offences"] == 1
    assert figures["by_involvement"]["yes"]["cost_gbp"] == costs["violence_with_injury"].cost_gbp
    assert figures["cost_gbp"] == sum(costs[t].cost_gbp for t in ("violence_with_injury", "criminal_damage",
                                                                  "shoplifting"))
    assert figures["by_type"]["violence_with_injury"] == {"offences": 1, "alcohol_involved": 1}


def test_the_audit_c_picture_counts_each_clients_latest_screening_in_the_year(cohort):
    audit_c = alcohol_figures(FY)["audit_c"]
    assert (audit_c["screenings"], audit_c["clients_screened"], audit_c["not_screened"]) == (3, 2, 1)
    assert (audit_c["positive"], audit_c["negative"]) == (1, 1)
    assert audit_c["by_score"][6] == 1 and audit_c["by_score"][2] == 1 and sum(audit_c["by_score"].values()) == 2
    assert audit_c["by_band"] == {"lower_risk": 1, "increasing_risk": 1, "higher_risk": 0, "possible_dependence": 0}
    assert (audit_c["positive_flagged_yes"], audit_c["positive_referred"], audit_c["positive_not_referred"]) == (1, 1, 0)


def test_the_alcohol_referrals_made_and_their_outcomes(cohort):
    referrals = alcohol_figures(FY)["referrals"]
    assert (referrals["made"], referrals["completed"], referrals["clients_referred"]) == (2, 1, 1)
    assert referrals["outcomes"]["treatment_started"] == 1 and referrals["closed"] == 1


@pytest.mark.parametrize("score, band", [(0, "lower_risk"), (4, "lower_risk"), (5, "increasing_risk"),
                                         (8, "higher_risk"), (11, "possible_dependence"), (12, "possible_dependence")])
def test_score_bands(score, band):
    assert band_of(score) == band


def test_small_counts_are_suppressed_and_what_would_give_them_back_withheld(cohort):
    shown = shown_figures(alcohol_figures(FY))
    assert shown["cohort"]["clients"] == 3  # a headline total
    assert shown["cohort"]["flagged_yes"] == "<5" and shown["cohort"]["flagged_yes_percent"] is None
    assert shown["by_strand"]["catch_convict"]["clients"] == "<5"
    assert shown["by_strand"]["resettle_rehabilitate"] == {
        "clients": 0, "flagged_yes": 0, "flagged_unknown": 0, "with_alcohol_offence": 0,
        "flagged_yes_percent": None, "with_alcohol_offence_percent": None}
    assert shown["offences"]["total"] == 3
    assert shown["offences"]["by_involvement"]["yes"] == {"offences": "<5", "offences_percent": None,
                                                          "cost_gbp": None, "cost_percent": None, "uncosted": 0}
    assert shown["audit_c"]["positive"] == "<5" and shown["audit_c"]["by_score"]["6"] == "<5"
    assert shown["audit_c"]["by_score"]["0"] == 0
    assert shown["referrals"]["made"] == 2 and shown["referrals"]["outcomes"]["treatment_started"] == "<5"


def test_counts_of_5_or_more_are_shown_with_their_shares(ctx):
    people = [client(f"P{n}", [("catch_convict", date(2011, 1, 1), None)], alcohol="yes" if n < 6 else "no")
              for n in range(8)]
    for person in people:
        offence(person, date(2011, 5, 1), "robbery", alcohol_involved="yes")
        screen(person, date(2011, 5, 2), (2, 2, 2))
    shown = shown_figures(alcohol_figures(FY))
    assert shown["cohort"]["flagged_yes"] == 6 and shown["cohort"]["flagged_yes_percent"] == "75.0"
    assert shown["by_strand"]["catch_convict"]["with_alcohol_offence_percent"] == "100.0"
    yes = shown["offences"]["by_involvement"]["yes"]
    assert yes["offences"] == 8 and yes["offences_percent"] == "100.0" and yes["cost_percent"] == "100.0"
    assert Decimal(yes["cost_gbp"]) == 8 * unit_costs()["robbery"].cost_gbp
    assert shown["audit_c"]["positive"] == 8 and shown["audit_c"]["positive_percent"] == "100.0"
