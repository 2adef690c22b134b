"""The review pack's offending section and value for money on it: the before-and-after figures of the
adoptions of the year before the review year (their year after adoption has passed), offending in the
review year while on the scheme per 100 years at risk, the cost of crime, by cohort tier with small
counts suppressed and what would give them back withheld; value for money for both adoption years
with every input and its source; the area-wide estimate kept apart under its own name."""
import io
import json
from html import unescape
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook

from iom.extensions import db
from iom.offending.models import SchemeCost
from iom.reports import formats
from iom.reports.pack import build_pack
from iom.years import FinancialYear
from tests.builders import client, offence, payment

FY = FinancialYear.parse("2011-12")
TODAY = date(2012, 6, 1)


def adopted(reference, joined, tier=None, before=(), after=()):
    person = client(reference, [("catch_convict", joined, None)])
    person.tier = tier
    for day, kind in [*before, *after]:
        offence(person, day, kind)
    return person


def caseload():
    """Six fixed-tier clients adopted in 2010-11, each with a robbery the year before and none after;
    two flex-tier clients with a theft from a vehicle each after; one adopted in 2011-12."""
    for n in range(6):
        adopted(f"F{n}", date(2010, 6, 1), "fixed", before=[(date(2010, 1, 10 + n), "robbery")])
    for n in range(2):
        adopted(f"X{n}", date(2010, 9, 1), "flex", after=[(date(2011, 2, 1), "theft_from_vehicle")])
    later = adopted("L", date(2011, 7, 1), before=[(date(2011, 1, 1), "domestic_burglary")],
                    after=[(date(2011, 8, 1), "robbery")])
    payment(later, date(2010, 11, 1), "40.00")
    payment(later, date(2011, 11, 1), "60.00")
    db.session.add(SchemeCost(financial_year="2010-11", staff_costs_gbp=Decimal("50000.00"),
                              other_costs_gbp=Decimal("2000.00"), source="Partnership budget 2010-11"))
    db.session.flush()


def test_the_adoptions_of_the_year_before_by_tier_with_small_counts_suppressed(ctx):
    caseload()
    offending = build_pack(FY, today=TODAY)["offending"]
    adoptions = offending["adoptions"]
    assert (adoptions["financial_year"], adoptions["from"], adoptions["to"]) == ("2010-11", "2010-04-01", "2011-03-31")
    assert (adoptions["clients"], adoptions["not_yet_a_year"]) == (8, 0)
    assert adoptions["before"] == {"clients": 8, "offences": 6, "clients_offending": 6, "serious_acquisitive": 6,
                                   "neighbourhood": 6, "days_at_risk": 2920, "per_100_years_at_risk": 75.0,
                                   "cost_gbp": "67920.00"}
    assert adoptions["after"]["offences"] == 2 and adoptions["after"]["cost_gbp"] == "1740.00"
    assert adoptions["change_in_cost_gbp"] == "-66180.00"
    fixed, flex = adoptions["by_tier"]["fixed"], adoptions["by_tier"]["flex"]
    # 8 clients less the 6 fixed would give the 2 flex back: the 6 is withheld too ([c]), with its figures
    assert fixed["clients"] == "[c]" and fixed["before"]["clients"] == "[c]" and fixed["not_yet_a_year"] == "[c]"
    assert fixed["before"]["offences"] == 6 and fixed["before"]["cost_gbp"] is None
    assert fixed["after"]["offences"] == "[c]" and fixed["change_in_cost_gbp"] is None  # 2 less 0s gives 2 back
    assert flex["clients"] == "<5" and flex["after"]["offences"] == "<5"
    assert flex["after"]["days_at_risk"] is None and flex["after"]["cost_gbp"] is None
    assert flex["after"]["withheld"] == ["days_at_risk", "per_100_years_at_risk", "cost_gbp"]
    assert flex["change_in_cost_gbp"] is None
    assert set(adoptions["by_tier"]) == {"fixed", "flex", "free", "not_set"}


def test_a_tier_with_enough_clients_but_few_offences_withholds_the_rate_and_cost_only(ctx):
    for n in range(5):
        adopted(f"F{n}", date(2010, 6, 1), "free", after=[(date(2011, 1, 1), "robbery")] if n < 2 else [])
    row = build_pack(FY, today=TODAY)["offending"]["adoptions"]["by_tier"]["free"]["after"]
    assert (row["clients"], row["offences"], row["days_at_risk"]) == (5, "<5", 1825)
    assert row["per_100_years_at_risk"] is None and row["cost_gbp"] is None
    assert row["withheld"] == ["per_100_years_at_risk", "cost_gbp"]


def test_offending_in_the_review_year_while_on_the_scheme(ctx):
    caseload()
    in_year = build_pack(FY, today=TODAY)["offending"]["in_year"]
    # 2011-12 has 366 days; L joined on 1 July 2011 (275 days); the robbery on 1 August 2011 is its only offence
    assert in_year["clients"] == 9 and in_year["offences"] == 1 and in_year["days_at_risk"] == 8 * 366 + 275
    assert in_year["per_100_years_at_risk"] == 11.4 and in_year["cost_gbp"] == "11320.00"
    # the one offence is the whole total: every tier's count of offences is withheld, not only the "<5"
    assert {row["offences"] for row in in_year["by_tier"].values()} == {"[c]"}
    assert in_year["by_tier"]["fixed"]["days_at_risk"] == 6 * 366


def test_value_for_money_for_both_adoption_years_with_every_input(ctx):
    caseload()
    section = build_pack(FY, today=TODAY)["cohort_value_for_money"]
    assert section["label"] == "Value for money on the cohort's own offending"
    previous, this = section["years"]
    assert previous["financial_year"] == "2010-11" and previous["available"] is True
    assert (previous["support_payments_gbp"], previous["staff_costs_gbp"], previous["other_costs_gbp"]) == \
        ("40.00", "50000.00", "2000.00")
    assert previous["costs_source"] == "Partnership budget 2010-11"
    assert previous["scheme_cost_gbp"] == "52040.00" and previous["fall_in_cost_of_crime_gbp"] == "66180.00"
    assert previous["net_gbp"] == "14140.00"
    assert (previous["average_offence_cost_gbp"], previous["break_even_offences"]) == ("11320.00", 5)
    assert previous["break_even_fall_in_cost_gbp"] == "52040.00"
    # 2011-12's one adoption (1 July 2011): its year after ends on 29 June 2012 (2012 is a leap year)
    assert (this["clients"], this["not_yet_a_year"], this["complete_on"]) == (1, 1, "2012-06-30")
    assert this["available"] is False and "has yet had a full year since adoption" in this["reason"]
    assert this["staff_costs_gbp"] is None and this["support_payments_gbp"] == "60.00"


def test_the_area_wide_estimate_keeps_its_keys_under_its_own_name(ctx):
    vfm = build_pack(FY, today=TODAY)["value_for_money"]
    assert vfm["label"] == "Estimate from area-wide serious acquisitive crime"
    assert vfm["is_estimate"] is True and "crimes_avoided" in vfm


def test_every_format_shows_the_section(ctx, app):
    caseload()
    pack = build_pack(FY, today=TODAY)
    data = json.loads(formats.as_json(pack))
    assert data["offending"]["adoptions"]["by_tier"]["flex"]["clients"] == "<5"
    html = unescape(formats.render_html(pack, printing=True))
    for words in ("10. Offending before and after adoption", "11. Value for money on the cohort's own offending",
                  "12. Estimate from area-wide serious acquisitive crime", "13. Data quality",
                  "regression to the mean", "not a controlled comparison", "Withheld",
                  "Partnership budget 2010-11", "Not costed in the source: counted at £0.00",
                  "the fall in the cost of crime more than paid for what the scheme cost, by £14,140.00",
                  "the figure is complete from 30 June 2012"):
        assert words in html, words
    book = load_workbook(io.BytesIO(formats.as_xlsx(pack)))
    costs = {row[0].value: [cell.value for cell in row[1:]] for row in book["Cohort value for money"].iter_rows()
             if row[0].value}
    assert costs["Net: the fall in the cost of crime less what the scheme cost"][:2] == [14140, None]
    assert costs["Where the staff and other costs come from"] == ["Partnership budget 2010-11", "Not entered", None]
    flex = [[cell.value for cell in row[1:]] for row in book["Offending"].iter_rows() if row[0].value == "Flex"]
    # no "<5" or "Withheld" in a number column: the cell is empty, with a note saying why
    assert flex[0] == [None, 0, None] + [None] * 4        # adopted in 2010-11, by tier
    assert flex[1][:5] == [None] * 5                      # in 2011-12, by tier
    notes = [cell.comment.text for row in book["Offending"].iter_rows() if row[0].value == "Flex"
             for cell in row[1:] if cell.comment]
    assert any("a count of 1 to 4" in note for note in notes) and any("worked out from the total" in note
                                                                      for note in notes)
    assert any("would give a count of 1 to 4 back" in note for note in notes)
    strings = [cell.value for sheet in book.worksheets for row in sheet.iter_rows() for cell in row
               if cell.value in ("<5", "[c]", "Withheld")]
    assert strings == []
    assert set(book["Offending"].tables) == {"AdoptionsBeforeAfter", "AdoptionsByTier", "OffendingInYear",
                                             "OffendingInYearByTier", "OffenceUnitCosts"}


def test_the_months_carry_the_clients_offences_and_a_month_not_ended_has_none(ctx):
    person = client("M", [("catch_convict", date(2011, 4, 1), None)])
    offence(person, date(2011, 10, 3), "robbery")
    offence(person, date(2012, 3, 3), "robbery")
    months = {month["month"]: month for month in build_pack(FY, today=date(2012, 3, 15))["months"]}
    assert months["2011-10"]["cohort_serious_acquisitive_offences"] == 1
    assert months["2012-03"]["cohort_serious_acquisitive_offences"] is None  # not yet ended
