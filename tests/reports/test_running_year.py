"""A year still running: only the months that have ended have figures (the pack, its formats and
pages), and value for money counts only ended months with a crime count. Made on fixed days, so
the suite's pinned today does not matter; a year wholly past and one wholly ahead for contrast."""
import csv
import io
import json
from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import delete

from iom.clock import LONDON
from iom.extensions import db
from iom.reports import formats
from iom.reports.models import UnitCost, ValueForMoneyBaseline
from iom.reports.pack import build_pack
from iom.years import FinancialYear
from tests.builders import client, sac
from tests.pages import post_form

YEAR = "2026-27"
FY = FinancialYear.parse(YEAR)
MADE_ON = date(2026, 12, 1)
CC = "catch_convict"
NOT_ENDED = ["2026-12", "2027-01", "2027-02", "2027-03"]
NULL_WHEN_NOT_ENDED = ("on_scheme", "counted_for_minimum", "in_custody_or_remand", "minimum_met")


def _running_year() -> None:
    """75 clients on a counted strand all year; a baseline of 200 crimes a month; counts for every
    month from April to November but July, and a count already typed for December."""
    for n in range(75):
        client(f"R{n}", [(CC, date(2025, 1, 1), None)])
    for month in range(4, 13):
        sac(date(2025, month, 1), 200)
    for month in range(1, 4):
        sac(date(2026, month, 1), 200)
    for month in (4, 5, 6, 8, 9, 10, 11):
        sac(date(2026, month, 1), 150)
    sac(date(2026, 12, 1), 44)                       # 1 December: a day's crimes, not a month's
    db.session.execute(delete(UnitCost))
    db.session.add(UnitCost(crime_type="Robbery", cost_gbp=Decimal("11320"), share_percent=Decimal("50"),
                            source="Home Office RR99 Table 1", price_year="2015/16"))
    db.session.add(ValueForMoneyBaseline(financial_year=YEAR, baseline_from=date(2025, 4, 1),
                                         baseline_to=date(2026, 3, 1)))
    db.session.commit()


@pytest.fixture
def running(app):
    with app.app_context():
        _running_year()
        yield build_pack(FY, today=MADE_ON)


def test_only_the_months_that_have_ended_have_figures(running):
    data = json.loads(formats.as_json(running))
    assert data["months_ended"] == 8
    assert data["months_minimum_met"] == 8
    months = {month["month"]: month for month in data["months"]}
    assert [month["month"] for month in data["months"] if not month["has_ended"]] == NOT_ENDED
    for text in NOT_ENDED:
        assert all(months[text][key] is None for key in NULL_WHEN_NOT_ENDED), text
        assert months[text]["status"] == "not yet ended" and months[text]["minimum"] == 70
    november = months["2026-11"]
    assert (november["on_scheme"], november["counted_for_minimum"], november["minimum_met"]) == (75, 75, True)
    assert november["status"] == "ended" and november["sac_per_10_clients"] == "20.0"
    # the count as entered stays (the contract), but nothing is worked out from it
    assert months["2026-12"]["serious_acquisitive_crimes"] == 44 and months["2026-12"]["sac_per_10_clients"] is None
    assert data["serious_acquisitive_crimes"] == {"total": 1050, "months_recorded": 7}
    assert data["average_in_custody_or_remand"] == "0.0"
    assert data["data_quality"]["missing"]["sac_count"] == 1      # July only: later months cannot be missing


def test_value_for_money_ignores_the_month_not_ended_and_the_month_without_a_count(running):
    vfm = running["value_for_money"]
    assert vfm["available"] is True
    assert vfm["year"]["months_counted"] == ["2026-04", "2026-05", "2026-06", "2026-08", "2026-09", "2026-10",
                                             "2026-11"]
    assert vfm["year"]["months_left_out"] == [{"month": "2026-07", "reason": "not_recorded"}] + [
        {"month": text, "reason": "not_ended"} for text in NOT_ENDED]
    assert (vfm["year"]["months_recorded"], vfm["year"]["sac_total"]) == (7, 1050)
    assert vfm["expected_sac_at_baseline_rate"] == "1400.00"
    assert vfm["crimes_avoided"] == "350.00"                       # 7 x 200 - 7 x 150, December not counted
    assert vfm["estimated_value_gbp"] == "1981000.00"              # 350 x 5,660
    note = vfm["year"]["months_counted_note"]
    assert note.startswith("The estimate counts 7 months: April 2026, May 2026, June 2026, August 2026,")
    assert "Left out, no serious acquisitive crime count recorded (a missing count is never filled in): " \
           "July 2026." in note
    assert "Left out, not yet ended (a month still running is only part of a month): December 2026, " \
           "January 2027, February 2027 and March 2027." in note


def test_the_csv_and_spreadsheet_say_not_yet_ended_in_words(running):
    rows = list(csv.DictReader(io.StringIO(formats.as_csv(running).decode("utf-8-sig"))))
    december = rows[8]
    assert december["month"] == "2026-12" and december["status"] == "not yet ended"
    assert (december["on_scheme"], december["minimum_met"], december["sac_per_10_clients"]) == ("", "", "")
    assert rows[7]["status"] == "ended" and rows[7]["on_scheme"] == "75"
    book = load_workbook(io.BytesIO(formats.as_xlsx(running)))
    months = [[cell.value for cell in row] for row in book["Months"].iter_rows(min_row=3, max_row=14)]
    assert months[7] == [datetime(2026, 11, 1), 75, 75, 0, 70, "Yes", 150, 20, "Yes", 0, 0]
    # a number column has no words: the month not yet ended has empty cells, each with a note saying why
    assert months[8] == [datetime(2026, 12, 1), None, None, None, 70, "Not yet ended", 44,
                         None, "No: not yet ended", None, None]
    note = book["Months"]["B11"].comment
    assert note is not None and "Not yet ended" in note.text
    summary = {row[0].value: row[1].value for row in book["Summary"].iter_rows(min_row=3)}
    assert summary["Months ended"] == 8 and summary["Months the minimum was met (of the months ended)"] == 8


def test_the_printed_pack_says_not_yet_ended_and_draws_no_bar_for_those_months(running, app):
    with app.app_context():
        html = formats.render_html(running, printing=True)
    assert "8 of the 8 months that have ended (4 not yet ended)" in html
    assert "12 of 12" not in html
    assert html.count("Not yet ended") >= 4 * 5          # four months, five figures each in the table
    assert "44 (month not yet ended)" in html
    counted, crimes = html.split("<svg")[1:3]
    assert counted.count('fill="#1d70b8"') == 8 and crimes.count('fill="#1d70b8"') == 7  # no bar for July either
    for chart in (counted, crimes):
        assert chart.count(">not ended</text>") == 4
        assert "month not yet ended, no figures" in chart
    assert "have no bar and are marked" in counted
    assert "The estimate counts 7 months" in html
    with app.app_context():
        pdf = PdfReader(io.BytesIO(formats.as_pdf(running)))
    text = " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)
    assert "Not yet ended" in text and "4 not yet ended" in text


def test_the_pack_page_made_on_1_december_2026(app, signed_in):
    with app.app_context():
        _running_year()
    with time_machine.travel(datetime(2026, 12, 1, 12, tzinfo=LONDON), tick=True):
        web, _ = signed_in("reviewer")
        page = web.get(f"/reports/{YEAR}")
        download = post_form(web, app, f"/reports/{YEAR}/download/json")
    assert page.status_code == 200
    assert "8 of the 8 months that have ended (4 not yet ended)" in page.text
    assert "£1,981,000.00" in page.text and "Left out, not yet ended" in page.text
    data = json.loads(download.data)
    assert data["months_ended"] == 8 and data["produced_on"] == "2026-12-01"


def test_a_year_wholly_past_is_unaffected(app):
    with app.app_context():
        client("P", [(CC, date(2010, 1, 1), None)])
        sac(date(2011, 10, 1), 81)
        data = json.loads(formats.as_json(build_pack(FinancialYear.parse("2011-12"), today=MADE_ON)))
    assert data["months_ended"] == 12 and data["months_minimum_met"] == 0
    assert all(month["has_ended"] and month["on_scheme"] == 1 for month in data["months"])
    assert data["months"][6]["sac_per_10_clients"] == "810.0"
    assert data["value_for_money"]["year"]["months_left_out"] == [
        {"month": month["month"], "reason": "not_recorded"} for month in data["months"] if month["month"] != "2011-10"]


def test_a_year_wholly_ahead_has_no_month_ended(app):
    with app.app_context():
        _running_year()
        db.session.add(ValueForMoneyBaseline(financial_year="2027-28", baseline_from=date(2026, 4, 1),
                                             baseline_to=date(2027, 3, 1)))
        db.session.commit()
        pack = build_pack(FinancialYear.parse("2027-28"), today=MADE_ON)
        html = formats.render_html(pack, printing=True)
    assert pack["months_ended"] == 0 and pack["months_minimum_met"] == 0
    assert all(month[key] is None for month in pack["months"] for key in NULL_WHEN_NOT_ENDED)
    assert pack["average_in_custody_or_remand"] is None
    vfm = pack["value_for_money"]
    assert vfm["available"] is False and vfm["reason"] == "No month of this year has ended yet, so no estimate is made."
    # the baseline's counts for months not ended (December 2026 on) are not counted either: April to
    # November 2026 but July
    assert vfm["baseline"]["months_recorded"] == 7 and vfm["baseline"]["sac_total"] == 1050
    assert "0 of the 0 months that have ended (12 not yet ended)" in html
    assert html.split("<svg")[1].count('fill="#1d70b8"') == 0
