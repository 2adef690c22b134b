"""The caseload written back out in the import format (a folder of CSV files, or one .xlsx
workbook), so that importing it into an empty database gives the same figures."""
import csv
import io
import os
import tempfile
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import exists, select

from iom.figures.models import SacCount
from iom.clients.models import Client, SchemePeriod
from iom.csv_cells import csv_cell
from iom.custody.models import CustodyEvent
from iom.extensions import db
from iom.imports.formats import FORMATS
from iom.offending.models import Offence, OffenceUnitCost
from iom.payments.models import Budget, SupportPayment, purpose_in_words
from iom.referrals.models import Agency, Referral


@dataclass
class Export:
    """The rows of each file, as Python values (dates, Decimals, ints, text or None)."""

    rows: dict[str, list[tuple]] = field(default_factory=dict)
    left_out: list[str] = field(default_factory=list)   # clients with no period: not expressible

    def counts(self) -> dict[str, int]:
        return {FORMATS[kind].file_name: len(rows) for kind, rows in self.rows.items()}


def collect() -> Export:
    """Read the caseload in the import's columns, in a stable order."""
    export = Export()
    has_period = exists().where(SchemePeriod.client_id == Client.id)
    # a record merged into another has no periods of its own, and is not lost: its rows are the kept one's
    export.left_out = list(db.session.scalars(select(Client.reference)
                                              .where(~has_period, Client.merged_into_id.is_(None))
                                              .order_by(Client.reference)))
    export.rows["clients"] = db.session.execute(
        select(Client.reference, Client.given_name, Client.family_name, Client.date_of_birth, Client.pnc_id,
               SchemePeriod.strand, Client.programme, SchemePeriod.joined_on, SchemePeriod.left_on,
               SchemePeriod.exit_reason, Client.alcohol_related, Client.ward, Client.tier)
        .join(SchemePeriod, SchemePeriod.client_id == Client.id)
        .order_by(Client.reference, SchemePeriod.joined_on)).tuples().all()
    export.rows["custody"] = db.session.execute(
        select(Client.reference, CustodyEvent.status, CustodyEvent.from_date)
        .join(Client, Client.id == CustodyEvent.client_id).where(has_period)
        .order_by(Client.reference, CustodyEvent.from_date)).tuples().all()
    export.rows["referrals"] = [
        (reference, kind, referred_on, agency_other or agency_name, status, closed_on)
        for reference, kind, referred_on, agency_other, agency_name, status, closed_on in db.session.execute(
            select(Client.reference, Referral.kind, Referral.referred_on, Referral.agency_other, Agency.name,
                   Referral.status, Referral.closed_on)
            .join(Client, Client.id == Referral.client_id).outerjoin(Agency, Agency.id == Referral.agency_id)
            .where(has_period).order_by(Client.reference, Referral.referred_on, Referral.id))]
    # Only approved payments are money spent; the import records what it reads as approved.
    export.rows["payments"] = [
        (reference, paid_on, amount, purpose_in_words(purpose, detail), purpose)
        for reference, paid_on, amount, purpose, detail in db.session.execute(
            select(Client.reference, SupportPayment.paid_on, SupportPayment.amount_gbp, SupportPayment.purpose,
                   SupportPayment.detail)
            .join(Client, Client.id == SupportPayment.client_id)
            .where(SupportPayment.status == "approved", has_period)
            .order_by(Client.reference, SupportPayment.paid_on, SupportPayment.id))]
    export.rows["sac"] = [(f"{month:%Y-%m}", crimes) for month, crimes in db.session.execute(
        select(SacCount.month, SacCount.crimes).order_by(SacCount.month))]
    export.rows["budgets"] = db.session.execute(
        select(Budget.financial_year, Budget.amount_gbp).order_by(Budget.financial_year)).tuples().all()
    # A client's offences (a watch-list person's are not the caseload's); the partnership's own costs
    # of crime only: a type without one costs the published figure, which needs no row.
    export.rows["offences"] = db.session.execute(
        select(Client.reference, Offence.offence_on, Offence.offence_type, Offence.outcome, Offence.crime_reference,
               Offence.alcohol_involved)
        .join(Client, Client.id == Offence.client_id).where(has_period)
        .order_by(Client.reference, Offence.offence_on, Offence.id)).tuples().all()
    export.rows["unit_costs"] = db.session.execute(
        select(OffenceUnitCost.offence_type, OffenceUnitCost.cost_gbp, OffenceUnitCost.price_year,
               OffenceUnitCost.source).order_by(OffenceUnitCost.offence_type)).tuples().all()
    return export


CENTS = Decimal("0.01")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


def _guarded(value) -> str:
    """A cell through the one CSV cell writer: text a spreadsheet would run as a formula is led by an
    apostrophe (the import reads it back without); numbers, money and dates as the import reads them."""
    if isinstance(value, Decimal):
        return csv_cell(value.quantize(CENTS))
    return csv_cell(value.isoformat() if isinstance(value, date) else value)


def csv_bytes(kind: str, rows: list[tuple], *, guard_formulas: bool = True) -> bytes:
    """One file of the export; with guard_formulas=False every cell exactly as stored (raw text)."""
    cell = _guarded if guard_formulas else _text
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(FORMATS[kind].columns)
    writer.writerows([cell(value) for value in row] for row in rows)
    return buffer.getvalue().encode("utf-8")


def workbook_bytes(export: Export) -> bytes:
    """One sheet per file, named as the file without .csv; dates and money as real cells."""
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False,
                                            "strings_to_formulas": False, "strings_to_urls": False})
    bold = workbook.add_format({"bold": True})
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    money = workbook.add_format({"num_format": "0.00"})
    for kind, rows in export.rows.items():
        columns = FORMATS[kind].columns
        sheet = workbook.add_worksheet(kind)
        sheet.write_row(0, 0, columns, bold)
        sheet.freeze_panes(1, 0)
        for index, column in enumerate(columns):
            sheet.set_column(index, index, max(12, len(column) + 2))
        for number, row in enumerate(rows, start=1):
            for index, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, date) and value.year >= 1900:
                    sheet.write_datetime(number, index, value, day)
                elif isinstance(value, Decimal):
                    sheet.write_number(number, index, float(value), money)
                elif isinstance(value, int):
                    sheet.write_number(number, index, value)
                else:
                    sheet.write_string(number, index, _text(value))
    workbook.close()
    return buffer.getvalue()


class ExportProblem(ValueError):
    """The path cannot take an export; the message says why."""


def _write_private(path: str, content: bytes) -> None:
    """Write a file readable by its owner only, replacing any earlier one in a single step."""
    folder = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".export-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def write_export(export: Export, path: str, *, guard_formulas: bool = True) -> str:
    """A .xlsx workbook when the path ends .xlsx, else a folder of the CSV files (all of them are
    written, header only when empty, so an earlier export in the folder is wholly replaced; their
    formula-like cells guarded unless guard_formulas is False). Returns 'xlsx' or 'csv'."""
    if path.lower().endswith(".xlsx"):
        if os.path.isdir(path):
            raise ExportProblem(f"{path} is a folder: give a file name ending .xlsx, or a folder without .xlsx")
        if not os.path.isdir(os.path.dirname(os.path.abspath(path))):
            raise ExportProblem(f"there is no folder {os.path.dirname(os.path.abspath(path))} to write {path} in")
        _write_private(path, workbook_bytes(export))
        return "xlsx"
    if os.path.exists(path) and not os.path.isdir(path):
        raise ExportProblem(f"{path} is a file: give a folder for the CSV files, or a file name ending .xlsx")
    os.makedirs(path, mode=0o700, exist_ok=True)
    for kind, rows in export.rows.items():
        _write_private(os.path.join(path, FORMATS[kind].file_name), csv_bytes(kind, rows, guard_formulas=guard_formulas))
    return "csv"
