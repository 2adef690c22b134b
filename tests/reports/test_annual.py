"""Each yearly section's figures on hand-built data, with rows on both ends of the year
(1 April and 31 March) and on the days either side of it."""
from datetime import date
from decimal import Decimal

from sqlalchemy import delete

from iom.figures import annual
from iom.reports import pack
from iom.extensions import db
from iom.reports.models import UnitCost, ValueForMoneyBaseline
from iom.years import FinancialYear
from tests.builders import AFTER, BEFORE, FIRST, LAST, client, note, old_timestamp, payment, referral, sac, watch

YEAR = "2011-12"
FY = FinancialYear.parse(YEAR)
CC = "catch_convict"


def test_scheme_flow_counts_adoptions_readoptions_and_leavers_to_the_day(ctx):
    client("A", [(CC, FIRST, None)])
    client("B", [(CC, BEFORE, FIRST, "desisted")])
    client("C", [(CC, date(2010, 1, 1), BEFORE), (CC, LAST, None)])
    client("D", [(CC, AFTER, None)])
    client("E", [(CC, date(2011, 6, 1), LAST, "moved_away")])
    client("F", [(CC, date(2011, 5, 1), date(2011, 5, 31), "deceased"), (CC, date(2011, 7, 1), date(2011, 8, 1))])
    client("G", [(CC, date(2010, 5, 1), AFTER, "transferred")])
    flow = annual.scheme_flow(FY)
    assert flow == {
        "on_scheme_at_start": 3,      # A joined on 1 April, B left on it, G
        "on_scheme_at_end": 4,        # A, C re-adopted on 31 March, E left on it, G
        "on_scheme_during_year": 6,
        "adopted": 5, "new_to_scheme": 3, "re_adopted": 2, "clients_adopted": 4,
        "left": 4,
        "left_by_reason": {"completed": 1, "desisted": 1, "moved_away": 1, "deselected": 0, "transferred": 0,
                           "deceased": 1, "other": 0},
    }


def test_cohort_age_bands_are_ages_on_the_last_day(ctx):
    on = [(CC, FIRST, None)]
    client("turns18", on, born=date(1994, 3, 31), programme="ppo")
    client("still17", on, born=date(1994, 4, 1), programme="youth")
    client("turns25", on, born=date(1987, 3, 31), programme="dip")
    client("still24", on, born=date(1987, 4, 1), alcohol="yes")
    client("turns56", on, born=date(1956, 3, 31), alcohol="no")
    client("unknown", on)
    client("next-year", [(CC, AFTER, None)], born=date(1990, 1, 1))
    result = annual.cohort(FY)
    assert result["clients"] == 6
    assert result["by_age_band"] == {"under_18": 1, "18_to_24": 2, "25_to_34": 1, "35_to_44": 0, "45_to_54": 0,
                                     "55_and_over": 1, "not_recorded": 1}
    assert result["by_programme"] == {"ppo": 1, "dip": 1, "youth": 1, "other": 3}
    assert result["by_alcohol_related"] == {"yes": 1, "no": 1, "unknown": 4}


def test_custody_counts_only_what_happens_while_on_the_scheme(ctx):
    client("P1", [(CC, date(2010, 1, 1), None)],
           custody=[("remand", BEFORE), ("custody", FIRST), ("community", LAST)])
    client("P2", [(CC, date(2011, 6, 1), None)], custody=[("remand", LAST)])
    client("P3", [(CC, FIRST, date(2011, 5, 31))], custody=[("custody", date(2011, 5, 31)), ("remand", date(2011, 7, 1))])
    client("P4", [(CC, FIRST, None)], custody=[("remand", AFTER)])
    client("P5", [(CC, date(2009, 1, 1), date(2010, 1, 1))], custody=[("custody", date(2011, 9, 1))])
    assert annual.custody(FY) == {
        "in_custody_or_remand_at_start": 1,   # P1, remanded the day before the year
        "in_custody_or_remand_at_end": 1,     # P2, remanded on the last day (P1 released on it)
        "remands_started": 1,                 # P2 (P3's remand came after they left the scheme)
        "custody_started": 2,                 # P1 from remand on 1 April, P3 on their leaving day
        "releases": 1,                        # P1 on 31 March
        "clients_in_custody_or_remand": 3,
        "days_in_custody_or_remand": 365 + 1 + 1,
    }


def test_referrals_closed_in_the_year_with_median_days_outcomes_and_duty_to_refer(ctx):
    from iom.figures import monthly
    person = client("R", [(CC, date(2010, 1, 1), None)])
    referral(person, "housing", date(2011, 3, 1), "completed", FIRST, "settled_accommodation",
             duty_to_refer_made=True, duty_to_refer_on=date(2011, 3, 1), duty_to_refer_outcome="main_duty")
    referral(person, "housing", FIRST, "declined", LAST, duty_to_refer_made=True, duty_to_refer_on=FIRST,
             duty_to_refer_outcome="prevention_duty")
    referral(person, "housing", date(2011, 1, 1), "withdrawn", BEFORE, "no_change")
    referral(person, "housing", date(2012, 3, 1), duty_to_refer_made=True)
    referral(person, "housing", date(2012, 3, 1), "completed", AFTER, "other", duty_to_refer_made=False)
    referral(person, "housing", LAST)
    referral(person, "mental_health", date(2011, 5, 1), "completed", date(2011, 5, 11), "assessed")
    details = annual.referral_details(FY)
    housing, mental = details["housing"], details["mental_health"]
    assert housing["closed"] == 2
    assert housing["closed_by_status"] == {"completed": 1, "declined": 1, "withdrawn": 0}
    assert housing["median_days_to_close"] == 198   # of 31 and 365 days
    assert housing["outcomes"]["settled_accommodation"] == 1 and housing["outcomes"]["not_recorded"] == 1
    assert sum(housing["outcomes"].values()) == 2
    assert housing["duty_to_refer"]["made"] == 2
    assert housing["duty_to_refer"]["outcomes"]["prevention_duty"] == 1
    assert housing["duty_to_refer"]["outcomes"]["not_recorded"] == 1
    assert (mental["closed"], mental["median_days_to_close"], mental["outcomes"]["assessed"]) == (1, 10, 1)
    assert monthly.referrals(FY) == {"housing": {"made": 4, "completed": 1, "open_at_year_end": 3},
                                       "mental_health": {"made": 1, "completed": 1, "open_at_year_end": 0},
                                       "alcohol": {"made": 0, "completed": 0, "open_at_year_end": 0}}
    assert annual.data_quality(FY)["missing"]["duty_to_refer"] == 1
    assert annual.data_quality(FY)["missing"]["referral_outcome"] == 1


def test_median_of_an_even_count_can_be_a_half(ctx):
    person = client("R", [(CC, date(2010, 1, 1), None)])
    referral(person, "mental_health", FIRST, "completed", date(2011, 4, 2), "assessed")
    referral(person, "mental_health", FIRST, "withdrawn", date(2011, 4, 3))
    assert annual.referral_details(FY)["mental_health"]["median_days_to_close"] == 1.5


def test_payments_by_purpose_and_result_on_both_ends_of_the_year(ctx):
    from iom.figures import monthly
    from iom.payments.models import Budget
    one = client("Y1", [(CC, date(2010, 1, 1), None)])
    two = client("Y2", [(CC, date(2010, 1, 1), None)])
    db.session.add(Budget(financial_year=YEAR, amount_gbp=Decimal("500.00")))
    payment(one, FIRST, "10.50", "id_documents", achieved="id_obtained")
    payment(one, LAST, "20.00", "travel_to_interview")
    payment(one, BEFORE, "5.00")
    payment(one, AFTER, "7.00")
    payment(one, date(2011, 6, 1), "3.00", status="requested")
    payment(one, date(2011, 7, 1), "4.00", status="rejected")
    payment(two, date(2011, 8, 1), "1.25", "id_documents", achieved="job_obtained")
    assert monthly.payments(FY) == {"count": 3, "total_gbp": Decimal("31.75"), "budget_gbp": Decimal("500.00")}
    details = annual.payment_details(FY)
    assert details["by_purpose"]["id_documents"] == {"count": 2, "total_gbp": Decimal("11.75")}
    assert details["by_purpose"]["travel_to_interview"] == {"count": 1, "total_gbp": Decimal("20.00")}
    assert details["by_purpose"]["other"] == {"count": 0, "total_gbp": Decimal("0.00")}
    assert details["achieved"]["id_obtained"] == 1 and details["achieved"]["job_obtained"] == 1
    assert details["achieved"]["not_recorded"] == 1
    assert (details["clients_helped"], details["awaiting_decision"], details["rejected"]) == (2, 1, 1)
    assert annual.data_quality(FY)["missing"]["payment_result"] == 1


def test_watch_list_flow_balances(ctx):
    adopted_client = client("W", [(CC, LAST, None)])
    watch(BEFORE)
    watch(FIRST, LAST, "adopted", person=adopted_client)
    watch(date(2011, 1, 1), BEFORE, "moved_away")
    watch(date(2011, 1, 1), FIRST, "no_further_action")
    watch(LAST)
    watch(date(2011, 5, 1), AFTER, "moved_away")
    watch(AFTER)
    flow = annual.watch_flow(FY)
    assert {key: flow[key] for key in ("open_at_start", "added", "adopted", "closed_other", "closed", "open_at_end")} \
        == {"open_at_start": 2, "added": 3, "adopted": 1, "closed_other": 1, "closed": 2, "open_at_end": 3}
    assert flow["closed_other_by_outcome"] == {"no_further_action": 1, "referred_elsewhere": 0, "moved_away": 0,
                                               "other": 0}
    assert flow["open_at_start"] + flow["added"] - flow["closed"] == flow["open_at_end"]


def _costs(*rows):
    db.session.execute(delete(UnitCost))
    for crime_type, cost, share in rows:
        db.session.add(UnitCost(crime_type=crime_type, cost_gbp=Decimal(cost), share_percent=Decimal(share),
                                source="Home Office RR99 Table 1", price_year="2015/16"))
    db.session.flush()


def _months():
    from iom.figures import monthly
    return monthly.year_figures(FY)


def test_value_for_money_says_why_it_cannot_estimate(ctx):
    _costs(("Robbery", "11320", "0"))
    result = pack.value_for_money(FY, _months())
    assert (result["available"], result["estimated_value_gbp"]) == (False, None)
    assert "No baseline" in result["reason"]
    db.session.add(ValueForMoneyBaseline(financial_year=YEAR, baseline_from=date(2010, 4, 1),
                                         baseline_to=date(2011, 3, 1)))
    db.session.flush()
    assert "baseline period" in pack.value_for_money(FY, _months())["reason"]
    sac(date(2010, 4, 1), 100)
    assert "this year" in pack.value_for_money(FY, _months())["reason"]
    sac(FIRST, 80)
    assert "share" in pack.value_for_money(FY, _months())["reason"]
    assert pack.value_for_money(FY, _months())["is_estimate"] is True


def test_value_for_money_estimate_from_the_baseline_rate_and_weighted_costs(ctx):
    _costs(("Robbery", "11320", "10"), ("Theft of a vehicle", "10290", "20"), ("Theft from a vehicle", "870", "50"))
    db.session.add(ValueForMoneyBaseline(financial_year=YEAR, baseline_from=date(2010, 4, 1),
                                         baseline_to=date(2011, 3, 1)))
    for month in range(4, 10):
        sac(date(2010, month, 1), 100)
    sac(date(2010, 3, 1), 999)   # before the baseline: ignored
    sac(FIRST, 80)
    sac(date(2011, 5, 1), 90)
    result = pack.value_for_money(FY, _months())
    assert result["available"] is True
    assert result["baseline"]["months"] == 12 and result["baseline"]["months_recorded"] == 6
    assert result["baseline"]["average_sac_per_month"] == Decimal("100.00")
    assert result["expected_sac_at_baseline_rate"] == Decimal("200.00")
    assert result["crimes_avoided"] == Decimal("30.00")
    assert result["shares_total_percent"] == Decimal("80.00")
    assert result["weighted_unit_cost_gbp"] == Decimal("3625.00")   # 1,132 + 2,058 + 435
    assert result["estimated_value_gbp"] == Decimal("108750.00")
    assert result["price_years"] == ["2015/16"]
    sac(date(2011, 6, 1), 400)   # crime rose: a negative estimate, never hidden
    result = pack.value_for_money(FY, _months())
    assert result["crimes_avoided"] == Decimal("-270.00")
    assert result["estimated_value_gbp"] == Decimal("-978750.00")


def test_data_quality_flags_cases_with_no_update_in_90_days_or_more(ctx, make_user):
    from iom.referrals.models import ReferralStatusChange
    author_id, _ = make_user("officer")
    stale = client("Q1", [(CC, date(2011, 1, 1), None)], custody=[("remand", date(2012, 1, 1))])  # 90 days
    fresh = client("Q2", [(CC, date(2011, 1, 1), None)], born=date(1980, 1, 1), pnc="11/123456H", ward="Ward",
                   alcohol="no", risk="low")
    note(fresh, date(2012, 1, 2), author_id)                                                     # 89 days
    client("Q3", [(CC, date(2011, 1, 1), date(2012, 2, 1))])                                     # not open
    client("Q4", [(CC, date(2012, 3, 1), None)])
    paid = client("Q5", [(CC, date(2010, 1, 1), None)])
    payment(paid, LAST, "1.00", achieved="other")
    changed = client("Q6", [(CC, date(2010, 1, 1), None)])
    ref = referral(changed, "mental_health", date(2011, 1, 1))
    db.session.add(ReferralStatusChange(referral_id=ref.id, from_status="open", to_status="accepted",
                                        changed_on=date(2012, 2, 15)))
    db.session.flush()
    result = annual.data_quality(FY)
    assert result["checked_on"] == LAST
    assert result["open_cases"] == 5
    assert result["stale"] == [(stale.id, 90)]
    assert result["clients_checked"] == 6
    missing = result["missing"]
    assert (missing["date_of_birth"], missing["pnc_id"], missing["ward"], missing["alcohol_related"],
            missing["risk_level"], missing["offender_manager"]) == (5, 5, 5, 5, 5, 6)
    assert missing["sac_count"] == 12


def test_data_quality_of_the_running_year_is_checked_today(ctx):
    client("N", [(CC, date(2011, 1, 1), None)], updated=old_timestamp())
    result = annual.data_quality(FY, today=date(2011, 10, 1))
    assert result["checked_on"] == date(2011, 10, 1)
    assert result["stale"][0][1] == (date(2011, 10, 1) - date(2011, 1, 1)).days


def test_years_run_from_the_first_record_to_the_current_year(ctx):
    assert [year.label for year in annual.years_with_data(today=date(2013, 5, 1))] == ["2013-14"]
    client("old", [(CC, date(2010, 1, 1), None)])
    assert [year.label for year in annual.years_with_data(today=date(2013, 5, 1))] == [
        "2013-14", "2012-13", "2011-12", "2010-11", "2009-10"]
    assert annual.years_with_data(today=date(2012, 3, 31))[0].label == "2011-12"
