"""Value for money on the cohort's own offending: the fall in the cost of crime of the clients adopted
in a year (before and after adoption, as reoffending works it out) against what the scheme cost that
year (approved support payments, staff and other costs), the net figure and the break-even point."""
from datetime import date
from decimal import Decimal


from iom.extensions import db
from iom.figures.cohort_value import cohort_value_for_money
from iom.offending.models import SchemeCost
from iom.years import FinancialYear
from tests.builders import client, offence, payment

YEAR = FinancialYear.parse("2011-12")
LATER = date(2013, 6, 1)  # every 2011-12 adoption has had its year after


def adopted_in_june(costs=True):
    person = client("A", [("catch_convict", date(2011, 6, 1), None)])
    for day in (1, 2, 3):  # before: 1 June 2010 to 31 May 2011
        offence(person, date(2010, 9, day), "robbery")
    offence(person, date(2012, 5, 30), "theft_from_vehicle")  # after: the window's last day (A+364)
    offence(person, date(2012, 5, 31), "robbery")             # A+365: in neither window
    payment(person, date(2011, 10, 5), "70.00")
    payment(person, date(2012, 3, 31), "30.50")
    payment(person, date(2012, 4, 1), "500.00")               # next year's
    payment(person, date(2011, 11, 1), "99.00", status="requested")
    if costs:
        db.session.add(SchemeCost(financial_year="2011-12", staff_costs_gbp=Decimal("20000.00"),
                                  other_costs_gbp=Decimal("1000.00"), source="Budget report"))
    db.session.flush()
    return person


def test_the_net_figure_and_the_break_even_point(ctx):
    adopted_in_june()
    value = cohort_value_for_money(YEAR, today=LATER)
    assert (value.counted, value.complete_on, value.reason) == (1, None, None)
    assert value.reoffending.before.cost_gbp == Decimal("33960.00") and value.reoffending.after.cost_gbp == 870
    assert value.fall_in_cost_gbp == Decimal("33090.00") and value.fall_in_offences == 2
    assert (value.payments_gbp, value.payments_count) == (Decimal("100.50"), 2)
    assert value.scheme_cost_gbp == Decimal("21100.50")
    assert value.net_gbp == Decimal("11989.50")
    assert value.average_offence_cost_gbp == Decimal("11320.00")
    assert value.break_even_offences == 2  # 21,100.50 / 11,320 = 1.86, rounded up to a whole offence


def test_a_rise_in_the_cost_of_crime_gives_a_negative_net_figure(ctx):
    person = client("B", [("catch_convict", date(2011, 4, 1), None)])
    offence(person, date(2010, 12, 1), "theft_from_vehicle")
    offence(person, date(2011, 12, 1), "robbery")
    db.session.add(SchemeCost(financial_year="2011-12", staff_costs_gbp=Decimal("0"), other_costs_gbp=Decimal("0")))
    value = cohort_value_for_money(YEAR, today=LATER)
    assert value.fall_in_cost_gbp == Decimal("-10450.00") and value.net_gbp == Decimal("-10450.00")
    assert value.break_even_offences == 0  # the scheme cost nothing: no fall needed


def test_without_the_staff_costs_there_is_no_net_figure_and_it_says_why(ctx):
    adopted_in_june(costs=False)
    value = cohort_value_for_money(YEAR, today=LATER)
    assert value.scheme_cost_gbp is None and value.net_gbp is None and value.break_even_offences is None
    assert value.reason.startswith("The scheme's staff and other costs for 2011-12 have not been entered")
    assert value.fall_in_cost_gbp == Decimal("33090.00")  # the offending side is still known


def test_a_year_still_being_followed_is_provisional_until_its_last_adoption_is_a_year_old(ctx):
    adopted_in_june()
    client("late", [("catch_convict", date(2012, 3, 31), None)])
    value = cohort_value_for_money(YEAR, today=date(2012, 9, 1))
    assert (value.reoffending.clients, value.counted, value.reason) == (2, 1, None)
    assert value.complete_on == date(2013, 3, 31)
    assert cohort_value_for_money(YEAR, today=date(2013, 3, 30)).complete_on == date(2013, 3, 31)
    assert cohort_value_for_money(YEAR, today=date(2013, 3, 31)).complete_on is None
    early = cohort_value_for_money(YEAR, today=date(2012, 5, 30))  # June's after window ends that day
    assert (early.counted, early.net_gbp) == (0, None)
    assert early.reason == ("No client adopted in 2011-12 has yet had a full year since adoption, so there is "
                            "nothing to compare yet.")


def test_no_adoption_and_no_offence_before_say_so(ctx):
    assert cohort_value_for_money(YEAR, today=LATER).reason.startswith("No client was adopted in 2011-12")
    client("quiet", [("catch_convict", date(2011, 4, 1), None)])
    offence(client("x", [("catch_convict", date(2011, 5, 1), None)]), date(2011, 6, 1), "breach")
    value = cohort_value_for_money(YEAR, today=LATER)
    assert value.average_offence_cost_gbp is None and value.break_even_offences is None
    assert value.uncosted_offences == 1  # a breach counts but costs £0.00 until a figure is set
