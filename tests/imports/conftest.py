"""Builders for import tests: files written as a partnership would save them, the command run
as the contract documents it, and the database's contents counted."""
import codecs
import re
import textwrap
from datetime import date

import pytest
from sqlalchemy import func, select

from iom.figures.models import SacCount
from iom.clients.models import Client, SchemePeriod
from iom.custody.models import CustodyEvent
from iom.extensions import db
from iom.form_fields import PNC_LETTERS
from iom.payments.models import Budget, SupportPayment
from iom.referrals.models import Referral, ReferralStatusChange
from iom.years import FinancialYear

CLIENTS = "reference,given_name,family_name,date_of_birth,pnc_id,strand,programme,joined_on,left_on,exit_reason," \
          "alcohol_related,ward"
CUSTODY = "reference,status,from_date"
REFERRALS = "reference,kind,referred_on,agency,status,closed_on"
PAYMENTS = "reference,paid_on,amount_gbp,purpose"
SAC = "month,serious_acquisitive_crimes"
BUDGETS = "financial_year,amount_gbp"
FAULT_LINE = re.compile(r"^[^:\s][^:]*:\d+: ")


def pnc(year: int, serial: int) -> str:
    """A PNC id with the right check letter: pnc(11, 123456) -> '11/123456?'."""
    return f"{year:02d}/{serial}{PNC_LETTERS[int(f'{year:02d}{serial:07d}') % 23]}"


def csv_text(header: str, *rows: str) -> str:
    return "\n".join([header, *rows]) + "\n"


def fault_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if FAULT_LINE.match(line)]


def table_counts() -> dict[str, int]:
    models = {"clients": Client, "periods": SchemePeriod, "custody": CustodyEvent, "referrals": Referral,
              "referral_history": ReferralStatusChange, "payments": SupportPayment, "sac": SacCount,
              "budgets": Budget}
    return {name: db.session.scalar(select(func.count()).select_from(model)) for name, model in models.items()}


EMPTY = {"clients": 0, "periods": 0, "custody": 0, "referrals": 0, "referral_history": 0, "payments": 0,
         "sac": 0, "budgets": 0}


@pytest.fixture
def write_files(tmp_path):
    """write_files({"clients.csv": text, ...}, folder="in", encoding="utf-8", bom=False, newline="\n")"""
    def write(files: dict[str, str | bytes], folder: str = "in", encoding: str = "utf-8", bom: bool = False,
              newline: str = "\n"):
        path = tmp_path / folder
        path.mkdir(exist_ok=True)
        for name, text in files.items():
            if isinstance(text, bytes):
                data = text
            else:
                data = textwrap.dedent(text).lstrip("\n").replace("\n", newline).encode(encoding)
                if bom:
                    data = codecs.BOM_UTF8 + data
            (path / name).write_bytes(data)
        return path
    return write


@pytest.fixture
def run_import(runner):
    def run(path, *args):
        return runner.invoke(args=["import", str(path), *args])
    return run


@pytest.fixture
def counts(app):
    def count():
        with app.app_context():
            return table_counts()
    return count


@pytest.fixture
def refuses(write_files, run_import, counts):
    """refuses({"clients.csv": ...}) -> the fault lines, having checked exit 1 and nothing written."""
    def check(files: dict, **options) -> list[str]:
        before = counts()
        result = run_import(write_files(files, **options))
        assert result.exit_code == 1, result.output
        assert counts() == before
        assert result.stderr.rstrip().splitlines()[-1].startswith("Nothing was imported")
        return fault_lines(result)
    return check


@pytest.fixture
def accepts(write_files, run_import):
    def check(files: dict, **options):
        result = run_import(write_files(files, **options))
        assert result.exit_code == 0, result.output
        return result
    return check


@pytest.fixture
def existing_client(app):
    """A client already in the database: existing_client('IOM-0001', pnc_id=..., custody=[(status, day)])"""
    def make(reference: str, *, pnc_id: str | None = None, custody=(), payments=()):
        with app.app_context():
            client = Client(reference=reference, given_name="Saved", family_name="Client", pnc_id=pnc_id,
                            programme="other", alcohol_related="unknown")
            db.session.add(client)
            db.session.flush()
            db.session.add(SchemePeriod(client_id=client.id, strand="catch_convict", joined_on=date(2011, 4, 1)))
            for status, day in custody:
                db.session.add(CustodyEvent(client_id=client.id, status=status, from_date=day))
            for paid_on, amount in payments:
                db.session.add(SupportPayment(client_id=client.id, amount_gbp=amount, paid_on=paid_on,
                                              financial_year="2011-12", purpose="other", detail="Saved",
                                              status="approved"))
            db.session.commit()
            return client.id
    return make


def write_workbook(path, sheets: dict[str, list[list]]) -> None:
    """An .xlsx with a sheet per entry; cells keep their Python types (text, numbers, dates)."""
    import xlsxwriter
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    dates = workbook.add_format({"num_format": "dd/mm/yyyy"})
    for name, rows in sheets.items():
        sheet = workbook.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, date):
                    sheet.write_datetime(r, c, value, dates)
                elif isinstance(value, (int, float)):
                    sheet.write_number(r, c, value)
                else:
                    sheet.write_string(r, c, str(value))
    workbook.close()


def csv_rows(text: str) -> list[list[str]]:
    import csv
    import io
    return list(csv.reader(io.StringIO(text)))


def sample_files() -> dict[str, str]:
    """A small, valid caseload over two financial years, touching every file and rule."""
    return {
        "clients.csv": csv_text(
            CLIENTS,
            f"IOM-0001,Alder,Demo-Bittern,05/04/1990,{pnc(11, 123456)},catch_convict,ppo,2011-04-01,2011-06-30,"
            "completed,yes,Northfield",
            f"IOM-0001,Alder,Demo-Bittern,1990-04-05,{pnc(11, 123456)},resettle_rehabilitate,ppo,2011-08-01,,,yes,"
            "Northfield",
            "IOM-0002,Birch,Demo-Curlew,,,prevent_deter,dip,01/05/2011,31/10/2011,moved_away,no,",
            "IOM-0003,Cedar,Démo-Dunlin,1985-12-31,,catch_convict,youth,2011-10-31,,,unknown,Eastbrook",
            "IOM-0004,Elm,Demo-Heron,,,resettle_rehabilitate,,2012-03-31,2012-04-01,deceased,yes,",
        ),
        "custody.csv": csv_text(CUSTODY, "IOM-0001,remand,2011-05-01", "IOM-0001,community,2011-05-20",
                                "IOM-0003,custody,2011-10-31", "IOM-0002,remand,2010-01-01"),
        "referrals.csv": csv_text(REFERRALS, "IOM-0002,housing,2011-05-02,Council housing team,completed,2011-07-01",
                                  "IOM-0001,mental_health,2011-06-02,,open,",
                                  "IOM-0003,housing,2012-03-01,,accepted,",
                                  "IOM-0004,mental_health,2011-12-01,NHS trust,declined,2012-04-02"),
        "payments.csv": csv_text(PAYMENTS, "IOM-0001,2011-06-01,70.5,Bus fare to an interview",
                                 "IOM-0002,2012-03-31,£1.00,id_documents", "IOM-0003,2012-04-01,250,Work boots"),
        "sac.csv": csv_text(SAC, "2011-10,81", "2011-11,0", "2012-04,64"),
        "budgets.csv": csv_text(BUDGETS, "2011-12,1200", "2012-13,\"1,000.00\""),
    }


SAMPLE_YEARS = ("2010-11", "2011-12", "2012-13")


def figures_snapshot(years=SAMPLE_YEARS) -> dict:
    """Every figure the contract names, for each year: months, payments, referrals, alcohol."""
    from iom.figures import monthly
    parsed = {year: FinancialYear.parse(year) for year in years}
    return {year: {"months": [month.as_json() for month in monthly.year_figures(fy)],
                   "payments": monthly.payments(fy), "referrals": monthly.referrals(fy),
                   "alcohol_related": monthly.alcohol_related(fy)} for year, fy in parsed.items()}


def wipe_caseload() -> None:
    """Empty every table an import writes (the audit trail stays), as a fresh database would be."""
    from sqlalchemy import delete
    for model in (ReferralStatusChange, Referral, SupportPayment, CustodyEvent, SchemePeriod, Client, SacCount,
                  Budget):
        db.session.execute(delete(model))
    db.session.commit()
