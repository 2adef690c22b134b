"""The fault collector: the plan an import builds, and the checks every file's cells share
(required, too long, parsed, not in the future, a known reference), each fault tied to its file,
spreadsheet row and column."""
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from iom.clients.models import Client
from iom.extensions import db
from iom.imports.reading import Fault, ReadResult, Row, Source, Table
from iom.imports.validation.cells import Problem, parse_reference, shown

IN_CLAUSE_CHUNK = 500
PROGRESS_EVERY = 2000            # rows checked between reports of progress

# What to enter when a required cell is empty, by (file, column).
REQUIRED_WHAT = {
    "reference": "the client's reference",
    "given_name": "the client's given name",
    "family_name": "the client's family name",
    "strand": "the strand (prevent_deter, catch_convict or resettle_rehabilitate)",
    "joined_on": "the date the client joined the scheme",
    ("custody", "status"): "the status from that day (community, remand or custody)",
    "from_date": "the date the custody status changed",
    "kind": "the kind of referral (housing, mental_health or alcohol)",
    "referred_on": "the date the referral was made",
    ("referrals", "status"): "the referral's status (open, accepted, completed, declined or withdrawn)",
    "paid_on": "the date the payment was made",
    ("payments", "amount_gbp"): "the amount paid, in pounds and pence",
    "purpose": "what the payment was for",
    "month": "the month, as YYYY-MM",
    "serious_acquisitive_crimes": "the number of serious acquisitive crimes recorded that month",
    "financial_year": "the financial year, as YYYY-YY",
    ("budgets", "amount_gbp"): "the year's budget, in pounds and pence",
    "offence_on": "the date the offence was committed",
    "offence_type": "the type of offence (one of the codes listed in the help)",
    "cost_gbp": "the cost of one offence of this type, in pounds and pence",
    "price_year": "the financial year the cost is priced in, as YYYY-YY (for example 2015-16)",
}


def in_chunks(values: Iterable) -> Iterator[list]:
    """Sorted values in slices small enough for one IN (...) clause."""
    ordered = sorted(values)
    for start in range(0, len(ordered), IN_CLAUSE_CHUNK):
        yield ordered[start:start + IN_CLAUSE_CHUNK]


def clients_by(key, value, keys: Iterable) -> dict:
    """{key: value} of the clients whose `key` column is one of `keys` (Client.pnc_id -> Client.reference, say)."""
    found: dict = {}
    for chunk in in_chunks(keys):
        found.update(db.session.execute(select(key, value).where(key.in_(chunk))).tuples().all())
    return found


@dataclass
class Plan:
    """What a valid import writes, and every fault that stops it."""

    faults: list[Fault] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    rows_by_file: dict[str, int] = field(default_factory=dict)
    clients: list[dict] = field(default_factory=list)
    periods: list[dict] = field(default_factory=list)
    custody: list[dict] = field(default_factory=list)
    referrals: list[dict] = field(default_factory=list)
    payments: list[dict] = field(default_factory=list)
    sac: list[dict] = field(default_factory=list)
    budgets: list[dict] = field(default_factory=list)
    offences: list[dict] = field(default_factory=list)
    unit_costs: list[dict] = field(default_factory=list)
    birthdays: dict[str, date | None] = field(default_factory=dict)   # clients.csv's, by reference
    unchanged: dict[str, int] = field(default_factory=lambda: {"sac_months": 0, "budgets": 0})
    existing_ids: dict[str, int] = field(default_factory=dict)

    @property
    def is_valid(self) -> bool:
        return not self.faults

    @property
    def rows_to_write(self) -> int:
        return (len(self.clients) + len(self.periods) + len(self.custody) + 2 * len(self.referrals)
                + len(self.payments) + len(self.sac) + len(self.budgets) + len(self.offences)
                + len(self.unit_costs))

    def counts(self) -> dict:
        """What the import adds, for the preview, the command's summary and the audit entry."""
        return {
            "clients": len(self.clients),
            "periods": len(self.periods),
            "custody_events": len(self.custody),
            "referrals": len(self.referrals),
            "payments": len(self.payments),
            "payments_total_gbp": f"{sum((p['amount_gbp'] for p in self.payments), Decimal(0)):.2f}",
            "sac_months": len(self.sac),
            "budgets": len(self.budgets),
            "offences": len(self.offences),
            "unit_costs": len(self.unit_costs),
            "sac_months_already_recorded": self.unchanged["sac_months"],
            "budgets_already_set": self.unchanged["budgets"],
        }


@dataclass(slots=True)
class Parsed:
    """A row whose cells have been checked: the typed values of the cells that passed."""

    row: Row
    values: dict = field(default_factory=dict)
    failed: set = field(default_factory=set)

    def ok(self, *columns: str) -> bool:
        values = self.values
        for column in columns:
            if column not in values:
                return False
        return True


class Checker:
    """Collects every fault of one import into its plan; each file's module checks its rows here."""

    def __init__(self, read: ReadResult, today: date, progress: Callable[[int], None] | None = None):
        self.read = read
        self.today = today
        self.plan = Plan(faults=list(read.faults), sources=read.sources)
        self.tables = read.tables
        self.progress = progress

    def rows(self, table: Table) -> Iterator[Row]:
        """A file's rows to check, one by one; `progress(n)` hears of every PROGRESS_EVERY rows checked."""
        if self.progress is None:
            yield from table.rows
            return
        for start in range(0, len(table.rows), PROGRESS_EVERY):
            yield from table.rows[start:start + PROGRESS_EVERY]
            self.progress(min(PROGRESS_EVERY, len(table.rows) - start))

    def fault(self, table: Table, row: Row | int, column: str | None, message: str) -> None:
        number = row if isinstance(row, int) else row.number
        self.plan.faults.append(Fault(table.label, number, column, message, table.kind, table.position(column)))

    def refuse(self, table: Table, parsed: "Parsed", column: str, message: str) -> None:
        """A fault on a cell that had parsed: its value is not used."""
        self.fault(table, parsed.row, column, message)
        parsed.values.pop(column, None)
        parsed.failed.add(column)

    def cell(self, table: Table, parsed: Parsed, column: str, parse=None, *, required: bool = False,
             max_length: int | None = None):
        """Check one cell; keep its typed value in parsed.values, or report why not. A column
        the file does not have is left out without a fault per row (the header fault says it)."""
        if column not in table.present:
            if required:
                parsed.failed.add(column)
            else:
                parsed.values[column] = None
            return None
        text = parsed.row[column]
        if not text:
            if required:
                what = REQUIRED_WHAT.get((table.kind, column)) or REQUIRED_WHAT[column]
                self.fault(table, parsed.row, column, f"is empty: enter {what}")
                parsed.failed.add(column)
                return None
            parsed.values[column] = None
            return None
        if max_length is not None and len(text) > max_length:
            self.fault(table, parsed.row, column, f"is {len(text)} characters long: it can be at most "
                       f"{max_length} characters")
            parsed.failed.add(column)
            return None
        try:
            value = parse(text) if parse else text
        except Problem as problem:
            self.fault(table, parsed.row, column, str(problem))
            parsed.failed.add(column)
            return None
        parsed.values[column] = value
        return value

    def not_future(self, table: Table, parsed: Parsed, column: str, what: str) -> None:
        value = parsed.values.get(column)
        if value is not None and value > self.today:
            self.refuse(table, parsed, column, f"{shown(parsed.row[column])} is in the future: {what} must be "
                        "today or earlier")

    def reference(self, table: Table, parsed: Parsed) -> str | None:
        return self.cell(table, parsed, "reference", parse_reference, required=True)

    def person_row(self, table: Table, row: Row, known: set[str]) -> Parsed:
        """A row about someone: its reference well written and known (in the database or clients.csv)."""
        parsed = Parsed(row)
        reference = self.cell(table, parsed, "reference", parse_reference, required=True)
        if reference is not None and reference not in known:
            clients = self.tables.get("clients")
            where = f"in {clients.label} of this import" if clients else "in a clients.csv imported with it"
            self.fault(table, parsed.row, "reference", f"{shown(reference)} is not a client in the database or "
                       f"{where}: check the reference, or add the client's rows to clients.csv")
        return parsed

    def all_references(self) -> set[str]:
        return {row["reference"] for table in self.tables.values() if table.has("reference")
                for row in table.rows if row["reference"]}

    @staticmethod
    def clients_in_database(references: set[str]) -> dict[str, int]:
        return clients_by(Client.reference, Client.id, references)
