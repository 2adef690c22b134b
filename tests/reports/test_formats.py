"""The four formats: CSV is the monthly table with a BOM and no live formulas; XLSX has a sheet per
section, each a real Excel table; the PDF is tagged (PDF/UA-1) and carries the page's charts and
tables; the command writes each and exits 0, and refuses a bad year with exit 1."""
import csv
import io
import json
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from iom.audit.models import AuditEntry
from iom.extensions import db
from iom.reports import formats
from iom.reports.pack import build_pack
from iom.years import FinancialYear
from tests.builders import FIRST, LAST, client, payment, sac

YEAR = "2011-12"
FY = FinancialYear.parse(YEAR)


@pytest.fixture
def pack(app):
    with app.app_context():
        person = client("A", [("catch_convict", FIRST, None)], custody=[("remand", date(2011, 9, 1))])
        client("B", [("resettle_rehabilitate", LAST, None)])
        payment(person, FIRST, "70.00")
        sac(FIRST, 50)
        sac(date(2012, 3, 1), 20)
        db.session.commit()
        yield build_pack(FY)


def test_csv_is_the_monthly_table_in_utf8_with_a_bom(pack):
    content = formats.as_csv(pack)
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert len(rows) == 12
    assert list(rows[0]) == ["month", "on_scheme", "counted_for_minimum", "in_custody_or_remand", "minimum",
                             "minimum_met", "serious_acquisitive_crimes", "clients_per_sac", "sac_per_10_clients",
                             "status", "cohort_serious_acquisitive_offences", "cohort_share_of_sac_percent"]
    assert rows[0] == {"month": "2011-04", "on_scheme": "1", "counted_for_minimum": "1", "in_custody_or_remand": "0",
                       "minimum": "70", "minimum_met": "false", "serious_acquisitive_crimes": "50",
                       "clients_per_sac": "0.02", "sac_per_10_clients": "500.0", "status": "ended",
                       "cohort_serious_acquisitive_offences": "0", "cohort_share_of_sac_percent": "0.0"}
    assert rows[5]["in_custody_or_remand"] == "1"
    assert rows[1]["serious_acquisitive_crimes"] == "" and rows[1]["clients_per_sac"] == ""
    assert rows[-1]["on_scheme"] == "2"


def test_csv_cells_cannot_become_formulas():
    for text in ("=HYPERLINK(\"x\")", "+1", "-2+3", "@SUM(A1)", "\tx"):
        assert formats.csv_cell(text).startswith("'")
    assert formats.csv_cell(-3) == "-3" and formats.csv_cell(None) == "" and formats.csv_cell(True) == "true"
    assert formats.csv_cell("2011-04") == "2011-04"


def test_xlsx_has_a_sheet_per_section_each_a_real_table(pack):
    book = load_workbook(io.BytesIO(formats.as_xlsx(pack)))
    assert book.sheetnames == ["Summary", "Months", "Scheme flow", "Cohort", "Custody", "Referrals", "Payments",
                               "Watch list", "Self-assessment", "Offending", "Cohort value for money",
                               "Area-wide estimate", "Data quality", "About"]
    for sheet in book.worksheets:
        assert sheet.tables, f"{sheet.title} has no Excel table"
    months = book["Months"]
    table = months.tables["Months"]
    assert table.ref == "A2:K14"
    assert [cell.value for cell in months[2]] == ["Month", "On the scheme", "Counted for the minimum",
                                                  "In custody or on remand", "Minimum", "Minimum met",
                                                  "Serious acquisitive crimes",
                                                  "Serious acquisitive crimes for every 10 clients", "Month ended",
                                                  "Serious acquisitive offences by clients on the scheme",
                                                  "Clients' share of the area's crimes (%)"]
    assert [cell.value for cell in months[3]] == [datetime(2011, 4, 1), 1, 1, 0, 70, "No", 50, 500, "Yes", 0, 0]
    assert months["A3"].is_date and months["A3"].number_format == "mmm yyyy"     # a real date
    summary = {row[0].value: row[1] for row in book["Summary"].iter_rows(min_row=3)}
    assert summary["From"].value == datetime(2011, 4, 1) and summary["From"].is_date
    assert summary["Support payments total (£)"].value == 70                      # a real number
    assert len(months._charts) == 2                                               # native Excel charts
    payments = book["Payments"]
    values = {row[0].value: row[1].value for row in payments.iter_rows(min_row=3, max_row=9)}
    assert values["Total (£)"] == 70 and values["Budget (£)"] == 1000
    assert payments["B4"].number_format == "#,##0.00"


def test_xlsx_keeps_typed_text_as_text(app):
    with app.app_context():
        from iom.reports.models import SelfAssessmentAnswer, SelfAssessmentQuestion
        question = SelfAssessmentQuestion(principle="=1+1", text="@cmd", position=1)
        db.session.add(question)
        db.session.flush()
        db.session.add(SelfAssessmentAnswer(financial_year=YEAR, question_id=question.id, rating="weak",
                                            evidence="=HYPERLINK(\"http://example.invalid\",\"x\")"))
        db.session.commit()
        content = formats.as_xlsx(build_pack(FY))
    book = load_workbook(io.BytesIO(content))
    sheet = book["Self-assessment"]
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value]
    assert any(cell.value == "=1+1" and cell.data_type == "s" for cell in cells)
    assert not any(cell.data_type == "f" for cell in cells)


def test_pdf_is_tagged_and_holds_the_page(pack):
    content = formats.as_pdf(pack)
    assert content.startswith(b"%PDF-1.7")
    reader = PdfReader(io.BytesIO(content))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "en-GB"
    assert reader.metadata.title == "IOM end-of-year review 2011-12"
    assert b"pdfuaid" in root["/Metadata"].get_object().get_data()
    text = "\n".join(page.extract_text() for page in reader.pages)
    for heading in ("End-of-year review 2011-12", "The twelve months", "Clients counted for the minimum, by month",
                    "Serious acquisitive crimes recorded, by month", "Offending before and after adoption",
                    "Value for money on the cohort's own offending",
                    "Estimate from area-wide serious acquisitive crime", "Data quality",
                    "Self-assessment", "Watch list", "Support payments", "Custody and remand"):
        assert heading in text
    assert "£70.00" in text and "£1,000.00" in text


def test_the_printed_page_is_self_contained_and_without_the_web_parts(pack, app):
    with app.app_context():
        html = formats.render_html(pack, printing=True)
    assert html.count("<svg") == 2 and "src=" not in html and "<link" not in html and "href=\"http" not in html
    assert "Download as PDF" not in html and "<nav" not in html and "govuk-summary-list" in html


def test_the_command_writes_each_format_and_exits_0(app, runner, pack, tmp_path):
    for fmt in formats.FORMATS:
        path = tmp_path / f"out.{fmt}"
        result = runner.invoke(args=["annual-report", "--year", YEAR, "--format", fmt, "--output", str(path)])
        assert result.exit_code == 0, result.output
        assert f"Wrote the {YEAR} end-of-year review" in result.output
        assert path.stat().st_size > 0
    assert json.loads((tmp_path / "out.json").read_text())["financial_year"] == YEAR
    assert (tmp_path / "out.pdf").read_bytes().startswith(b"%PDF")
    assert (tmp_path / "out.xlsx").read_bytes().startswith(b"PK")
    assert (tmp_path / "out.csv").read_bytes().startswith(b"\xef\xbb\xbfmonth,")
    assert not list(tmp_path.glob(".annual-report-*"))
    with app.app_context():
        actions = db.session.scalars(db.select(AuditEntry.action).where(AuditEntry.action == "report.exported")).all()
    assert len(actions) == 4


@pytest.mark.parametrize("year", ["2011-13", "2011/12", "2011", "11-12", "", "2011-12-01"])
def test_a_bad_year_exits_1_with_a_clear_message(runner, tmp_path, year):
    path = tmp_path / "out.json"
    result = runner.invoke(args=["annual-report", "--year", year, "--format", "json", "--output", str(path)])
    assert result.exit_code == 1
    assert "is not a financial year" in result.output and "2011-12" in result.output
    assert not path.exists()


def test_an_unwritable_output_exits_1(runner, tmp_path):
    result = runner.invoke(args=["annual-report", "--year", YEAR, "--format", "csv",
                                 "--output", str(tmp_path / "no-such-folder" / "out.csv")])
    assert result.exit_code == 1 and "could not write" in result.output


def test_standard_output(runner):
    result = runner.invoke(args=["annual-report", "--year", YEAR, "--format", "json", "--output", "-"])
    assert result.exit_code == 0
    assert json.loads(result.stdout_bytes)["financial_year"] == YEAR
