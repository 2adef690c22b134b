"""The pack as a whole: the contract's JSON keys, money as strings, months at both ends of the
year, small-count suppression, pseudonyms, free text kept clear of identifiers, fixed query count."""
import json
import re
from datetime import date
from decimal import Decimal


from iom.figures.models import SchemeRule
from iom.extensions import db
from iom.reports import formats
from iom.reports.models import SelfAssessmentAnswer, SelfAssessmentQuestion
from iom.reports.pack import build_pack
from iom.reports.pseudonyms import Pseudonyms, find_client_id, pseudonym
from iom.years import FinancialYear
from tests.builders import AFTER, BEFORE, FIRST, LAST, client, payment, referral, sac

YEAR = "2011-12"
FY = FinancialYear.parse(YEAR)
CC = "catch_convict"
MONEY = re.compile(r"^-?\d+\.\d{2}$")


def test_json_has_the_contract_keys_with_money_as_strings(ctx):
    person = client("A", [(CC, FIRST, None)], alcohol="yes")
    client("B", [("prevent_deter", BEFORE, BEFORE)], alcohol="yes")
    payment(person, FIRST, "70.00")
    referral(person, "housing", LAST)
    sac(date(2011, 10, 1), 81)
    data = json.loads(formats.as_json(build_pack(FY)))
    contract = ["financial_year", "pseudonymised", "minimum_cohort", "months", "months_minimum_met", "months_ended",
                "payments", "referrals", "alcohol_related"]
    assert list(data)[:len(contract)] == contract
    assert data["financial_year"] == YEAR and data["pseudonymised"] is True and data["minimum_cohort"] == 70
    assert len(data["months"]) == 12
    assert [m["month"] for m in data["months"]] == [f"2011-{n:02d}" for n in range(4, 13)] + \
        [f"2012-{n:02d}" for n in range(1, 4)]
    for month in data["months"]:
        assert {"month", "on_scheme", "counted_for_minimum", "in_custody_or_remand", "minimum_met",
                "serious_acquisitive_crimes"} <= set(month)
        assert isinstance(month["minimum_met"], bool)
    october = data["months"][6]
    assert (october["serious_acquisitive_crimes"], october["clients_per_sac"]) == (81, "0.01")
    assert data["months"][0]["serious_acquisitive_crimes"] is None and data["months"][0]["clients_per_sac"] is None
    assert data["months_minimum_met"] == 0
    assert data["payments"] == {"count": 1, "total_gbp": "70.00", "budget_gbp": "1000.00"}
    assert data["referrals"] == {"housing": {"made": 1, "completed": 0, "open_at_year_end": 1},
                                 "mental_health": {"made": 0, "completed": 0, "open_at_year_end": 0},
                                 "alcohol": {"made": 0, "completed": 0, "open_at_year_end": 0}}
    assert data["alcohol_related"] == {"clients": 1, "of": 1}
    assert MONEY.match(data["payment_details"]["remaining_gbp"])
    assert data["payment_details"]["remaining_gbp"] == "930.00"


def test_an_empty_year_still_has_every_key(ctx):
    data = json.loads(formats.as_json(build_pack(FinancialYear.parse("1999-00"))))
    assert data["payments"] == {"count": 0, "total_gbp": "0.00", "budget_gbp": "1000.00"}
    assert data["alcohol_related"] == {"clients": 0, "of": 0}
    assert data["months"][0] == {"month": "1999-04", "on_scheme": 0, "counted_for_minimum": 0,
                                 "in_custody_or_remand": 0, "minimum": 70, "minimum_met": False,
                                 "serious_acquisitive_crimes": None, "clients_per_sac": None,
                                 "sac_per_10_clients": None, "has_ended": True, "status": "ended",
                                 "cohort_serious_acquisitive_offences": 0, "cohort_share_of_sac_percent": None}
    assert data["value_for_money"]["available"] is False and data["value_for_money"]["reason"]


def test_months_at_both_ends_and_the_minimum_in_force_at_the_year_end(ctx):
    db.session.add(SchemeRule(effective_from=date(2012, 3, 1), minimum_cohort=2,
                              counted_strands="catch_convict,resettle_rehabilitate"))
    client("left-on-day-one", [(CC, date(2010, 1, 1), FIRST)])
    client("joined-on-the-last-day", [(CC, LAST, None)])
    client("joined-the-day-after", [(CC, AFTER, None)])
    client("whole-year", [(CC, BEFORE, None)])
    pack = build_pack(FY)
    assert pack["minimum_cohort"] == 2
    months = pack["months"]
    assert months[0]["on_scheme"] == 1 and months[0]["minimum"] == 70          # taken on 30 April
    assert months[-1]["on_scheme"] == 2 and months[-1]["minimum_met"] is True   # 31 March
    assert pack["months_minimum_met"] == 1
    assert pack["scheme_flow"]["on_scheme_at_start"] == 2
    assert pack["scheme_flow"]["on_scheme_at_end"] == 2


def test_small_counts_in_breakdowns_are_suppressed_and_headlines_are_not(ctx):
    for n in range(5):
        client(f"C{n}", [(CC, date(2010, 1, 1), date(2011, 6, 1), "completed")], programme="ppo")
    for n in range(3):
        client(f"D{n}", [(CC, date(2010, 1, 1), date(2011, 6, 1), "desisted")], programme="dip")
    pack = build_pack(FY)
    assert pack["scheme_flow"]["left"] == 8
    reasons = pack["scheme_flow"]["left_by_reason"]
    # 8 less the 5 completed would give the 3 desisted back, so the 5 is withheld too (secondary suppression)
    assert (reasons["completed"], reasons["desisted"], reasons["other"]) == ("[c]", "<5", 0)
    assert pack["cohort"]["by_programme"] == {"ppo": "[c]", "dip": "<5", "youth": 0, "other": 0}
    assert pack["months"][0]["on_scheme"] == 8 and pack["months"][2]["on_scheme"] == 0
    one = client("E", [(CC, date(2010, 1, 1), None)])
    payment(one, FIRST, "12.00", "other")
    pack = build_pack(FY)
    assert pack["payments"]["count"] == 1                                 # a headline
    # one payment of one purpose: the headline gives it back whatever is hidden, so every purpose is withheld
    assert {row["count"] for row in pack["payment_details"]["by_purpose"].values()} == {"[c]"}
    assert set(pack["payment_details"]["achieved"].values()) == {"[c]"}
    assert pack["months"][2]["on_scheme"] == 1                            # monthly totals never suppressed


def test_pseudonyms_are_keyed_stable_in_a_year_and_different_across_years(ctx):
    key = "k" * 40
    first = Pseudonyms(YEAR, [1, 2, 3], secret_key=key)
    assert re.match(r"^P-[0-9A-F]{10}$", first(1))
    assert first(1) == Pseudonyms(YEAR, [1], secret_key=key)(1) == pseudonym(1, YEAR, key)
    assert first(1) != first(2)
    assert first(1) != Pseudonyms("2012-13", secret_key=key)(1)
    assert first(1) != Pseudonyms(YEAR, secret_key="another key")(1)
    assert find_client_id(first(2).lower(), YEAR, [1, 2, 3], key) == 2
    assert find_client_id(first(2), "2012-13", [1, 2, 3], key) is None
    assert find_client_id("IOM-0001", YEAR, [1, 2, 3], key) is None


def test_a_stale_case_appears_only_as_its_pseudonym(ctx, app):
    person = client("IOM-0042", [(CC, date(2010, 1, 1), None)])
    pack = build_pack(FY)
    cases = pack["data_quality"]["stale_cases"]
    assert cases == [{"client": Pseudonyms(YEAR)(person.id), "days_since_update": (LAST - date(2010, 1, 1)).days}]
    assert build_pack(FinancialYear.parse("2012-13"))["data_quality"]["stale_cases"][0]["client"] != cases[0]["client"]
    assert build_pack(FY)["data_quality"]["stale_cases"] == cases
    assert "IOM-0042" not in formats.as_json(pack).decode()


def test_the_printed_pack_counts_the_stale_cases_and_lists_the_longest(ctx, app, monkeypatch):
    """The PDF lists formats.PRINTED_STALE_CASES of them and counts them all by how long; the page and the
    JSON list every one (a row each in the PDF grew with the caseload, in time and memory)."""
    people = [client(f"IOM-00{n}", [(CC, joined, None)])
              for n, joined in ((51, date(2008, 1, 1)), (52, date(2011, 1, 1)), (53, date(2011, 12, 1)))]
    monkeypatch.setattr(formats, "PRINTED_STALE_CASES", 2)
    pack = build_pack(FY)
    quality = pack["data_quality"]
    assert [case["days_since_update"] for case in quality["stale_cases"]] == [
        (LAST - date(2008, 1, 1)).days, (LAST - date(2011, 1, 1)).days, (LAST - date(2011, 12, 1)).days]
    assert quality["stale_by_days"] == {"90_to_179": 1, "180_to_364": 0, "365_to_729": 1, "730_or_more": 1}
    pseudonyms = [Pseudonyms(YEAR)(person.id) for person in people]
    printed = formats.render_html(pack, printing=True)
    assert pseudonyms[0] in printed and pseudonyms[1] in printed and pseudonyms[2] not in printed
    assert "The 2 cases longest without an update" in printed and "All 3 are listed by pseudonym" in printed
    assert "730 days or more (two years or more)" in printed


def test_the_page_lists_every_stale_case(app, signed_in, monkeypatch):
    with app.app_context():
        people = [client(f"IOM-00{n}", [(CC, date(2008, 1, n - 50), None)]) for n in (51, 52, 53)]
        db.session.commit()
        pseudonyms = [Pseudonyms(YEAR)(person.id) for person in people]
    monkeypatch.setattr(formats, "PRINTED_STALE_CASES", 2)
    web, _ = signed_in("reviewer")
    page = web.get(f"/reports/{YEAR}").text
    assert all(name in page for name in pseudonyms) and "All 3 are listed" not in page
    assert "730 days or more (two years or more)" in page


def _question(principle="All partners tackling offenders together", active=True, position=1):
    question = SelfAssessmentQuestion(principle=principle, text="Do partners work together?", position=position,
                                      is_active=active)
    db.session.add(question)
    db.session.flush()
    return question


def test_self_assessment_shows_the_years_answers_and_scrubs_identifiers(ctx):
    db.session.query(SelfAssessmentQuestion).delete()
    person = client("IOM-0007", [(CC, FIRST, None)], given="Ottoline", family="Brackenbury",
                    born=date(1985, 2, 3), pnc="11/123456H", ward="Quillbrook")
    asked = _question()
    _question("Retired, never answered", active=False, position=2)
    retired = _question("Retired after answering", active=False, position=3)
    # bypassing the page's check, as an old answer or a later-added client would
    db.session.add(SelfAssessmentAnswer(financial_year=YEAR, question_id=asked.id, rating="strong",
                                        evidence="Weekly meeting. Ottoline Brackenbury (11/123456H, born 03/02/1985, "
                                                 "Quillbrook, IOM-0007) discussed; Ottoline engaged."))
    db.session.add(SelfAssessmentAnswer(financial_year=YEAR, question_id=retired.id, rating="weak", evidence="None"))
    db.session.add(SelfAssessmentAnswer(financial_year="2010-11", question_id=asked.id, rating="weak", evidence="x"))
    db.session.flush()
    section = build_pack(FY)["self_assessment"]
    assert (section["answered"], section["questions"]) == (2, 2)
    first, second = section["items"]
    assert (first["rating"], first["rating_label"]) == ("strong", "Strong")
    assert first["evidence"] == ("Weekly meeting. [removed] ([removed], born [removed], [removed], [removed]) "
                                 "discussed; [removed] engaged.")
    assert second["principle"] == "Retired after answering"
    assert person.id


def test_the_pack_runs_a_fixed_number_of_queries(app, count_queries):
    with app.app_context():
        client("only", [(CC, FIRST, None)])
        db.session.commit()
    with app.app_context(), count_queries() as few:
        build_pack(FY)
    with app.app_context():
        for n in range(40):
            person = client(f"M{n}", [(CC, date(2010, 1, 1), date(2011, 7, 1)), ("resettle_rehabilitate", LAST, None)],
                            custody=[("remand", date(2011, 5, n % 28 + 1))])
            payment(person, date(2011, 9, 1), "1.00")
            referral(person, "housing", date(2011, 9, 1))
        db.session.commit()
    with app.app_context(), count_queries() as many:
        build_pack(FY)
    assert many.count == few.count
    assert few.count <= 60  # 38 before the offending: with it the before-and-after figures (4 each) of two years


def test_money_keeps_its_pence_exactly(ctx):
    person = client("A", [(CC, FIRST, None)])
    for _ in range(3):
        payment(person, FIRST, "0.10")
    pack = build_pack(FY)
    assert pack["payments"]["total_gbp"] == "0.30"
    assert Decimal(pack["payment_details"]["remaining_gbp"]) == Decimal("999.70")
