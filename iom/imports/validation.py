"""Every rule an import must keep, checked before anything is written. All the faults are
collected, each tied to the file, the spreadsheet row and the column, in words the person who
keeps the spreadsheet can act on; a clean check yields the plan of rows to write."""
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache

from sqlalchemy import select

from iom.figures.models import SacCount
from iom.clients.models import ALCOHOL, EXIT_REASONS, PROGRAMMES, STRANDS, Client, match_key
from iom.custody.models import CUSTODY_STATUSES, CustodyEvent
from iom.extensions import db
from iom.form_fields import PNC_PATTERN, normalise_pnc_id, pnc_id_problem
from iom.imports.reading import Fault, ReadResult, Row, Source, Table
from iom.payments.models import PURPOSES, Budget, purpose_from_words
from iom.money import BUDGET_LIMIT, PAYMENT_LIMIT, gbp
from iom.payments.operations import lock_budget
from iom.payments.queries import year_positions
from iom.referrals.models import CLOSED_STATUSES, REFERRAL_KINDS, REFERRAL_STATUSES
from iom.years import BadPeriod, FinancialYear

PENNY = Decimal("0.01")
COUNT_LIMIT = 1_000_000                         # as the monthly figures' own form allows
REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00)?)?$")
_UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?: 00:00(?::00)?)?$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_AMOUNT = re.compile(r"^(\d{1,3}(?:,\d{3})+|\d*)(?:\.(\d*))?$")
_COUNT = re.compile(r"^(-)?(\d{1,3}(?:,\d{3})+|\d+)(\.\d*)?$")
IN_CLAUSE_CHUNK = 500

# What to enter when a required cell is empty, by (file, column).
REQUIRED_WHAT = {
    "reference": "the client's reference",
    "given_name": "the client's given name",
    "family_name": "the client's family name",
    "strand": "the strand (prevent_deter, catch_convict or resettle_rehabilitate)",
    "joined_on": "the date the client joined the scheme",
    ("custody", "status"): "the status from that day (community, remand or custody)",
    "from_date": "the date the custody status changed",
    "kind": "the kind of referral (housing or mental_health)",
    "referred_on": "the date the referral was made",
    ("referrals", "status"): "the referral's status (open, accepted, completed, declined or withdrawn)",
    "paid_on": "the date the payment was made",
    ("payments", "amount_gbp"): "the amount paid, in pounds and pence",
    "purpose": "what the payment was for",
    "month": "the month, as YYYY-MM",
    "serious_acquisitive_crimes": "the number of serious acquisitive crimes recorded that month",
    "financial_year": "the financial year, as YYYY-YY",
    ("budgets", "amount_gbp"): "the year's budget, in pounds and pence",
}
# The columns that describe the person rather than one period on the scheme: they must be the
# same on every row of a re-adopted client.
PERSONAL_DETAILS = ("given_name", "family_name", "date_of_birth", "pnc_id", "programme", "alcohol_related", "ward")


class Problem(ValueError):
    """A cell's value breaks a rule; the message completes 'FILE:ROW: column: '."""


def shown(text: str) -> str:
    """A cell's text as quoted in a message: on one line, not too long."""
    text = " ".join((text or "").split())
    return f"'{text[:57]}...'" if len(text) > 60 else f"'{text}'"


def as_shown(value) -> str:
    return "empty" if value in (None, "") else shown(value.isoformat() if isinstance(value, date) else str(value))


def either(options) -> str:
    options = list(options)
    return ", ".join(options[:-1]) + " or " + options[-1] if len(options) > 1 else options[0]


# --- single values ------------------------------------------------------------------------------

@lru_cache(maxsize=1 << 16)
def parse_date(text: str) -> date:
    """'2011-04-05' or the UK '05/04/2011' (what spreadsheets export) -> a real date."""
    if match := _ISO_DATE.match(text):
        year, month, day = (int(part) for part in match.groups())
    elif match := _UK_DATE.match(text):
        day, month, year = (int(part) for part in match.groups())
    else:
        raise Problem(f"{shown(text)} is not a date: write it as DD/MM/YYYY or YYYY-MM-DD, for example "
                      "27/03/2011 or 2011-03-27")
    try:
        value = date(year, month, day)
    except ValueError:
        raise Problem(f"{shown(text)} is not a real date") from None
    if year < 1900:
        raise Problem(f"{shown(text)} is before 1900: check the year")
    return value


def parse_choice(text: str, options: dict, noun: str) -> str:
    value = text.strip().lower()
    if value not in options:
        raise Problem(f"{shown(text)} is not {noun}: use {either(options)}")
    return value


def parse_amount(text: str, *, allow_zero: bool) -> Decimal:
    """Pounds and pence: '70', '70.5', '£1,000.00'; more than 0 (or 0 or more), at most 2 decimals."""
    cleaned = text.replace(" ", "").replace("\u2212", "-")
    sign = 1
    for prefix in ("-£", "£-", "-"):
        if cleaned.startswith(prefix):
            cleaned, sign = cleaned[len(prefix):], -1
            break
    cleaned = cleaned.removeprefix("£")
    match = _AMOUNT.match(cleaned)
    if not match or not any(character.isdigit() for character in cleaned):
        raise Problem(f"{shown(text)} is not an amount of money: write pounds and pence, like 70 or 70.50")
    amount = sign * Decimal(f"{(match.group(1) or '0').replace(',', '')}.{match.group(2) or '0'}")
    limit = BUDGET_LIMIT if allow_zero else PAYMENT_LIMIT
    if amount > limit:  # before quantize, which cannot hold a number this long
        raise Problem(f"{shown(text)} is more than {gbp(limit)}, the most the service accepts for "
                      f"{'a budget' if allow_zero else 'a payment'}: check the amount")
    if len(match.group(2) or "") > 2:
        raise Problem(f"{shown(text)} has more than 2 numbers after the decimal point: give pounds and pence, "
                      "like 70.50")
    if allow_zero and amount < 0:
        raise Problem(f"{shown(text)} is less than £0: a budget must be £0 or more")
    if not allow_zero and amount <= 0:
        raise Problem(f"{shown(text)} is not more than £0: a payment must be for more than nothing")
    return amount.quantize(PENNY)


def parse_count(text: str) -> int:
    """A whole number of crimes, 0 or more: '81', '1,204' (and '81.0', as a spreadsheet may write it)."""
    cleaned = text.replace(" ", "").replace("\u2212", "-")
    match = _COUNT.match(cleaned)
    if not match:
        raise Problem(f"{shown(text)} is not a number: write the count as a whole number, like 81")
    value = Decimal(match.group(2).replace(",", "") + (match.group(3) or ""))
    if value != value.to_integral_value():
        raise Problem(f"{shown(text)} is not a whole number: write the count as a whole number, like 81")
    if match.group(1) and value != 0:
        raise Problem(f"{shown(text)} is less than 0: the count must be 0 or more")
    if value > COUNT_LIMIT:
        raise Problem(f"{shown(text)} is more than {COUNT_LIMIT:,}: check the number")
    return int(value)


def parse_month(text: str) -> date:
    match = _MONTH.match(text)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise Problem(f"{shown(text)} is not a month: write it as YYYY-MM, for example 2011-10")
    if int(match.group(1)) < 1900:
        raise Problem(f"{shown(text)} is before 1900: check the year")
    return date(int(match.group(1)), int(match.group(2)), 1)


def parse_year(text: str) -> FinancialYear:
    try:
        return FinancialYear.parse(text)
    except BadPeriod:
        start = text[:4]
        hint = f" (for {start} that is {start}-{(int(start) + 1) % 100:02d})" if start.isdigit() else ""
        raise Problem(f"{shown(text)} is not a financial year: write it as YYYY-YY, for example 2011-12"
                      f"{hint}") from None


# --- the plan -------------------------------------------------------------------------------------

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
    unchanged: dict[str, int] = field(default_factory=lambda: {"sac_months": 0, "budgets": 0})
    existing_ids: dict[str, int] = field(default_factory=dict)

    @property
    def is_valid(self) -> bool:
        return not self.faults

    @property
    def rows_to_write(self) -> int:
        return (len(self.clients) + len(self.periods) + len(self.custody) + 2 * len(self.referrals)
                + len(self.payments) + len(self.sac) + len(self.budgets))

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
            "sac_months_already_recorded": self.unchanged["sac_months"],
            "budgets_already_set": self.unchanged["budgets"],
        }


@dataclass
class Parsed:
    """A row whose cells have been checked: the typed values of the cells that passed."""

    row: Row
    values: dict = field(default_factory=dict)
    failed: set = field(default_factory=set)

    def ok(self, *columns: str) -> bool:
        return all(column in self.values for column in columns)


class Checker:
    """Runs every rule over the tables read, reporting into one list of faults."""

    def __init__(self, read: ReadResult, today: date):
        self.read = read
        self.today = today
        self.plan = Plan(faults=list(read.faults), sources=read.sources)
        self.tables = read.tables

    # reporting
    def fault(self, table: Table, row: Row | int, column: str | None, message: str) -> None:
        number = row if isinstance(row, int) else row.number
        self.plan.faults.append(Fault(table.label, number, column, message, table.kind, table.position(column)))

    def cell(self, table: Table, parsed: Parsed, column: str, parse=None, *, required: bool = False,
             max_length: int | None = None):
        """Check one cell; keep its typed value in parsed.values, or report why not. A column
        the file does not have is left out without a fault per row (the header fault says it)."""
        if not table.has(column):
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
            self.fault(table, parsed.row, column, f"{shown(parsed.row[column])} is in the future: {what} must be "
                       "today or earlier")
            del parsed.values[column]
            parsed.failed.add(column)

    def reference(self, table: Table, parsed: Parsed) -> str | None:
        def parse(text):
            if not REFERENCE.match(text):
                raise Problem(f"{shown(text)} is not a reference the service can use: use up to 32 letters, "
                              "numbers, hyphens (-), full stops or underscores, starting with a letter or number")
            return text
        return self.cell(table, parsed, "reference", parse, required=True)

    # the run
    def run(self) -> Plan:
        if not self.tables and not self.plan.faults:
            label = self.read.sources[0].name if self.read.sources else "import"
            self.plan.faults.append(Fault(label, 1, None, "there is nothing to import: every file given is empty"))
        for kind, table in self.tables.items():
            self.plan.rows_by_file[table.label] = len(table.rows)
        references = self._all_references()
        self.plan.existing_ids = self._clients_in_database(references)
        known = set(self.plan.existing_ids)
        if "clients" in self.tables:
            known |= self.check_clients(self.tables["clients"])
        if "custody" in self.tables:
            self.check_custody(self.tables["custody"], known)
        if "referrals" in self.tables:
            self.check_referrals(self.tables["referrals"], known)
        budgets = self.check_budgets(self.tables["budgets"]) if "budgets" in self.tables else {}
        if "payments" in self.tables:
            self.check_payments(self.tables["payments"], known, budgets)
        elif budgets:
            self.check_budgets_cover_spending(budgets)
        if "sac" in self.tables:
            self.check_sac(self.tables["sac"])
        self.plan.faults.sort(key=lambda fault: fault.sort_key)
        return self.plan

    def _all_references(self) -> set[str]:
        return {row["reference"] for table in self.tables.values() if table.has("reference")
                for row in table.rows if row["reference"]}

    def _clients_in_database(self, references: set[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        ordered = sorted(references)
        for start in range(0, len(ordered), IN_CLAUSE_CHUNK):
            chunk = ordered[start:start + IN_CLAUSE_CHUNK]
            found.update(db.session.execute(select(Client.reference, Client.id)
                                            .where(Client.reference.in_(chunk))).tuples().all())
        return found

    def person_row(self, table: Table, row: Row, known: set[str]) -> Parsed:
        """A row about someone: its reference well written and known (in the database or clients.csv)."""
        parsed = Parsed(row)
        self.reference(table, parsed)
        self.unknown_reference(table, parsed, known)
        return parsed

    def unknown_reference(self, table: Table, parsed: Parsed, known: set[str]) -> bool:
        reference = parsed.values.get("reference")
        if reference is not None and reference not in known:
            clients = self.tables.get("clients")
            where = f"in {clients.label} of this import" if clients else "in a clients.csv imported with it"
            self.fault(table, parsed.row, "reference", f"{shown(reference)} is not a client in the database or "
                       f"{where}: check the reference, or add the client's rows to clients.csv")
            return True
        return False

    # clients.csv -----------------------------------------------------------------------------
    def check_clients(self, table: Table) -> set[str]:
        """Returns every reference the file names, so other files' rows are not refused in a cascade."""
        by_reference: dict[str, list[Parsed]] = defaultdict(list)
        names: set[str] = set()
        for row in table.rows:
            parsed = Parsed(row)
            reference = self.reference(table, parsed)
            if row["reference"]:
                names.add(row["reference"])
            self.cell(table, parsed, "given_name", required=True, max_length=100)
            self.cell(table, parsed, "family_name", required=True, max_length=100)
            self.cell(table, parsed, "date_of_birth", parse_date)
            dob = parsed.values.get("date_of_birth")
            if dob is not None and dob >= self.today:
                self.fault(table, row, "date_of_birth", f"{shown(row['date_of_birth'])} is not in the past: check "
                           "the date of birth")
                del parsed.values["date_of_birth"]
            self.cell(table, parsed, "pnc_id", self._pnc)
            self.cell(table, parsed, "strand", lambda text: parse_choice(text, STRANDS, "a strand"), required=True)
            self.cell(table, parsed, "programme", lambda text: parse_choice(text, PROGRAMMES, "a programme"))
            self.cell(table, parsed, "joined_on", parse_date, required=True)
            self.not_future(table, parsed, "joined_on", "the date a client joined the scheme")
            self.cell(table, parsed, "left_on", parse_date)
            self.cell(table, parsed, "exit_reason", lambda text: parse_choice(text, EXIT_REASONS, "an exit reason"))
            self.cell(table, parsed, "alcohol_related",
                      lambda text: parse_choice(text, ALCOHOL, "an answer the service knows"))
            self.cell(table, parsed, "ward", max_length=100)
            if parsed.values.get("programme") is None and "programme" in parsed.values:
                parsed.values["programme"] = "other"
            if parsed.values.get("alcohol_related") is None and "alcohol_related" in parsed.values:
                parsed.values["alcohol_related"] = "unknown"
            self._check_leaving(table, parsed)
            if reference is not None:
                by_reference[reference].append(parsed)
        existing = self.plan.existing_ids
        pnc_owner: dict[str, tuple[str, int]] = {}
        database_pncs = self._pncs_in_database({p.values["pnc_id"] for rows in by_reference.values() for p in rows
                                                if p.values.get("pnc_id")})
        for reference, rows in by_reference.items():
            if reference in existing:
                for parsed in rows:
                    self.fault(table, parsed.row, "reference", f"{reference} is already a client in the database: "
                               "the import only adds new clients and never overwrites one, so take this client's "
                               "rows out of clients.csv")
            first = rows[0]
            for parsed in rows[1:]:
                for column in PERSONAL_DETAILS:
                    if table.has(column) and first.ok(column) and parsed.ok(column) \
                            and parsed.values[column] != first.values[column]:
                        self.fault(table, parsed.row, column, f"{as_shown(parsed.row[column])} here but "
                                   f"{as_shown(first.row[column])} on row {first.row.number} for {reference}: "
                                   "a client's personal details must be the same on each of their rows")
            for parsed in rows:
                pnc = parsed.values.get("pnc_id")
                if not pnc:
                    continue
                owner = database_pncs.get(pnc)
                if owner is not None and owner != reference:
                    self.fault(table, parsed.row, "pnc_id", f"{pnc} is already recorded for client {owner} in the "
                               "database: one person has one PNC ID, so check which client this is")
                elif pnc in pnc_owner and pnc_owner[pnc][0] != reference:
                    other, number = pnc_owner[pnc]
                    self.fault(table, parsed.row, "pnc_id", f"{pnc} is also the PNC ID of {other} on row {number}: "
                               "one person has one PNC ID, so two clients cannot share it")
                else:
                    pnc_owner.setdefault(pnc, (reference, parsed.row.number))
            self._check_overlaps(table, reference, rows)
            if reference not in existing:
                details = {column: first.values.get(column) for column in PERSONAL_DETAILS}
                details["programme"] = details["programme"] or "other"
                details["alcohol_related"] = details["alcohol_related"] or "unknown"
                self.plan.clients.append({"reference": reference, **details})
                for parsed in rows:
                    self.plan.periods.append({
                        "reference": reference, "strand": parsed.values.get("strand"),
                        "joined_on": parsed.values.get("joined_on"), "left_on": parsed.values.get("left_on"),
                        "exit_reason": parsed.values.get("exit_reason")})
        self._check_same_people(table, by_reference, existing)
        return names

    def _check_same_people(self, table: Table, by_reference: dict[str, list[Parsed]], existing) -> None:
        """A new client who is already a client under another reference, or is in this file twice
        under two: the same date of birth and the same name (ignoring case, accents and punctuation)."""
        people: dict[tuple[str, date], list[tuple[str, Parsed]]] = defaultdict(list)
        for reference, rows in by_reference.items():
            first = rows[0]
            if reference in existing or not first.ok("given_name", "family_name", "date_of_birth") \
                    or first.values["date_of_birth"] is None:
                continue
            if key := match_key(first.values["given_name"], first.values["family_name"]):
                people[(key, first.values["date_of_birth"])].append((reference, first))
        in_database = self._people_in_database({key for key, _ in people})
        for person, named in people.items():
            for number, (reference, parsed) in enumerate(named):
                who = (f"{shown(parsed.row['given_name'] + ' ' + parsed.row['family_name'])} born "
                       f"{parsed.values['date_of_birth'].isoformat()}")
                if clients := in_database.get(person):
                    noun = "client" if len(clients) == 1 else "clients"
                    self.fault(table, parsed.row, "given_name", f"{who} is the same person as existing {noun} "
                               f"{', '.join(clients)} (same name and date of birth): take this person's rows out of "
                               f"clients.csv and use {clients[0]} in the other files. If they really are someone "
                               "else, add them on the Add a client page, which asks you to confirm that")
                if number:
                    first_reference, first = named[0]
                    self.fault(table, parsed.row, "given_name", f"{who} is the same person as {first_reference} on "
                               f"row {first.row.number} (same name and date of birth): give all of one person's rows "
                               "the same reference")

    def _people_in_database(self, keys: set[str]) -> dict[tuple[str, date], list[str]]:
        """Records not merged away, by (match key, date of birth), for these keys."""
        found: dict[tuple[str, date], list[str]] = defaultdict(list)
        ordered = sorted(keys)
        for start in range(0, len(ordered), IN_CLAUSE_CHUNK):
            for key, born, reference in db.session.execute(
                    select(Client.match_key, Client.date_of_birth, Client.reference)
                    .where(Client.match_key.in_(ordered[start:start + IN_CLAUSE_CHUNK]),
                           Client.date_of_birth.is_not(None), Client.merged_into_id.is_(None))
                    .order_by(Client.reference)):
                found[(key, born)].append(reference)
        return found

    @staticmethod
    def _pnc(text: str) -> str:
        pnc = normalise_pnc_id(text)
        if pnc_id_problem(pnc) is None:
            return pnc
        if not PNC_PATTERN.match(pnc):
            raise Problem(f"{shown(text)} is not a PNC ID: write it like 11/123456H (the year, a slash, the "
                          "serial number and the check letter), or leave it empty")
        raise Problem(f"{shown(text)} has the wrong check letter for its numbers, so it is probably mistyped: "
                      "copy the PNC ID exactly from the record")

    def _pncs_in_database(self, pncs: set[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        ordered = sorted(pncs)
        for start in range(0, len(ordered), IN_CLAUSE_CHUNK):
            found.update(db.session.execute(select(Client.pnc_id, Client.reference)
                                            .where(Client.pnc_id.in_(ordered[start:start + IN_CLAUSE_CHUNK])))
                         .tuples().all())
        return found

    def _check_leaving(self, table: Table, parsed: Parsed) -> None:
        row, values = parsed.row, parsed.values
        joined, left = values.get("joined_on"), values.get("left_on")
        if joined is not None and left is not None and left < joined:
            self.fault(table, row, "left_on", f"{shown(row['left_on'])} is before joined_on "
                       f"({row['joined_on']}): the day a client leaves must be on or after the day they joined")
            del values["left_on"]
        if table.has("left_on") and row["left_on"] and not row["exit_reason"] and "exit_reason" in values:
            self.fault(table, row, "exit_reason", f"is empty, but left_on is given: enter why the client left "
                       f"({either(EXIT_REASONS)})")
            del values["exit_reason"]
        elif row["exit_reason"] and not row["left_on"] and "left_on" in values and table.has("exit_reason"):
            self.fault(table, row, "exit_reason", f"{shown(row['exit_reason'])} is given, but left_on is empty: "
                       "enter the day the client left, or empty this cell if they are still on the scheme")
            del values["exit_reason"]

    def _check_overlaps(self, table: Table, reference: str, rows: list[Parsed]) -> None:
        periods = sorted((p for p in rows if p.ok("joined_on", "left_on")),
                         key=lambda p: (p.values["joined_on"], p.row.number))
        latest: Parsed | None = None     # the period seen so far that ends last
        for parsed in periods:
            if latest is not None:
                end = latest.values["left_on"]
                if end is None or parsed.values["joined_on"] <= end:
                    self.fault(table, parsed.row, "joined_on", f"this period ({_span(parsed)}) overlaps the period "
                               f"on row {latest.row.number} ({_span(latest)}) for {reference}: periods on the "
                               "scheme cannot overlap, and the leaving day counts as a day on the scheme")
            if latest is None or latest.values["left_on"] is not None and (
                    parsed.values["left_on"] is None or parsed.values["left_on"] > latest.values["left_on"]):
                latest = parsed

    # custody.csv -----------------------------------------------------------------------------
    def check_custody(self, table: Table, known: set[str]) -> None:
        rows: list[Parsed] = []
        for row in table.rows:
            parsed = self.person_row(table, row, known)
            self.cell(table, parsed, "status", lambda text: parse_choice(text, CUSTODY_STATUSES, "a custody status"),
                      required=True)
            self.cell(table, parsed, "from_date", parse_date, required=True)
            self.not_future(table, parsed, "from_date", "the date of a custody change")
            rows.append(parsed)
        existing = self._custody_days_in_database()
        first_on_day: dict[tuple[str, date], int] = {}
        for parsed in rows:
            if not parsed.ok("reference", "from_date"):
                continue
            reference, day = parsed.values["reference"], parsed.values["from_date"]
            if (reference, day) in first_on_day:
                self.fault(table, parsed.row, "from_date", f"{reference} has another custody change on the same day "
                           f"on row {first_on_day[reference, day]}: only one change a day can be recorded, so "
                           "keep one of the rows")
                continue
            first_on_day[reference, day] = parsed.row.number
            if (reference, day) in existing:
                self.fault(table, parsed.row, "from_date", f"{reference} already has a custody change on "
                           f"{shown(parsed.row['from_date'])} in the database ({existing[reference, day]}): only "
                           "one change a day can be recorded, so take this row out")
                continue
            if parsed.ok("status"):
                self.plan.custody.append({"reference": reference, "status": parsed.values["status"],
                                          "from_date": day})

    def _custody_days_in_database(self) -> dict[tuple[str, date], str]:
        by_id = {client_id: reference for reference, client_id in self.plan.existing_ids.items()}
        found: dict[tuple[str, date], str] = {}
        ids = sorted(by_id)
        for start in range(0, len(ids), IN_CLAUSE_CHUNK):
            rows = db.session.execute(select(CustodyEvent.client_id, CustodyEvent.from_date, CustodyEvent.status)
                                      .where(CustodyEvent.client_id.in_(ids[start:start + IN_CLAUSE_CHUNK])))
            for client_id, day, status in rows:
                found[by_id[client_id], day] = status
        return found

    # referrals.csv ---------------------------------------------------------------------------
    def check_referrals(self, table: Table, known: set[str]) -> None:
        for row in table.rows:
            parsed = self.person_row(table, row, known)
            self.cell(table, parsed, "kind", lambda text: parse_choice(text, REFERRAL_KINDS, "a kind of referral"),
                      required=True)
            self.cell(table, parsed, "referred_on", parse_date, required=True)
            self.cell(table, parsed, "agency", max_length=120)
            status = self.cell(table, parsed, "status",
                               lambda text: parse_choice(text, REFERRAL_STATUSES, "a referral status"), required=True)
            closed = self.cell(table, parsed, "closed_on", parse_date)
            referred = parsed.values.get("referred_on")
            if status in CLOSED_STATUSES and not row["closed_on"] and "closed_on" not in parsed.failed:
                self.fault(table, row, "closed_on", f"is empty, but the referral is {status}: enter the date it was "
                           f"{status}")
                parsed.failed.add("closed_on")
            elif status is not None and status not in CLOSED_STATUSES and row["closed_on"]:
                self.fault(table, row, "closed_on", f"{shown(row['closed_on'])} is given, but the referral is still "
                           f"{status}: empty this cell, or change the status to completed, declined or withdrawn")
                parsed.failed.add("closed_on")
            elif closed is not None and referred is not None and closed < referred:
                self.fault(table, row, "closed_on", f"{shown(row['closed_on'])} is before referred_on "
                           f"({row['referred_on']}): a referral cannot close before it was made")
                parsed.failed.add("closed_on")
            if not parsed.failed:
                self.plan.referrals.append({
                    "reference": parsed.values["reference"], "kind": parsed.values["kind"],
                    "referred_on": referred, "agency_other": parsed.values.get("agency"), "status": status,
                    "closed_on": closed if status in CLOSED_STATUSES else None})

    # budgets.csv and payments.csv ------------------------------------------------------------
    def check_budgets(self, table: Table) -> dict[FinancialYear, tuple[Decimal | None, Row]]:
        """{financial year: (the budget in the file, or None when its row is faulty; its row)}."""
        years: dict[FinancialYear, tuple[Decimal | None, Row]] = {}
        in_database = dict(db.session.execute(select(Budget.financial_year, Budget.amount_gbp)).tuples().all())
        for row in table.rows:
            parsed = Parsed(row)
            year = self.cell(table, parsed, "financial_year", parse_year, required=True)
            amount = self.cell(table, parsed, "amount_gbp", lambda text: parse_amount(text, allow_zero=True),
                               required=True)
            if year is None:
                continue
            if year in years:
                self.fault(table, row, "financial_year", f"{shown(row['financial_year'])} is also on row "
                           f"{years[year][1].number}: a year "
                           "has one budget, so keep one of the rows")
                continue
            years[year] = (amount, row)
            if amount is None:
                continue
            saved = in_database.get(year.label)
            if saved is not None and Decimal(saved).quantize(PENNY) != amount:
                self.fault(table, row, "amount_gbp", f"the budget for {year} is already set to "
                           f"{gbp(Decimal(saved))} in the database: the import does not overwrite it, so change it "
                           "in the service or take this row out")
                years[year] = (None, row)
            elif saved is not None:
                self.plan.unchanged["budgets"] += 1
            else:
                self.plan.budgets.append({"financial_year": year.label, "amount_gbp": amount})
        return years

    def _budget_and_spending(self, years: set[FinancialYear],
                             budgets: dict) -> dict[FinancialYear, tuple[Decimal, Decimal]]:
        """{year: (its budget, approved payments already in the database)} for the years to check.

        Takes each year's budget lock first (iom/payments/operations.py, as approvals do), held
        until the import commits or rolls back: nothing can spend from those years between this
        check and the writes. A year nobody set has no row and the £1,000.00 default."""
        for year in sorted(years):
            lock_budget(year)
        result = {}
        for year, position in year_positions(years).items():
            budget = budgets[year][0] if year in budgets else position.budget
            if budget is not None:
                result[year] = (Decimal(budget).quantize(PENNY), position.approved.quantize(PENNY))
        return result

    def check_budgets_cover_spending(self, budgets: dict) -> None:
        table = self.tables["budgets"]
        for year, (budget, spent) in self._budget_and_spending(set(budgets), budgets).items():
            if spent > budget:
                self.fault(table, budgets[year][1], "amount_gbp", f"{year}'s budget of {gbp(budget)} is less than "
                           f"the {gbp(spent)} already paid that year in the database: the budget must cover what "
                           "has been paid")

    def check_payments(self, table: Table, known: set[str], budgets: dict) -> None:
        payments: list[tuple[Parsed, dict, FinancialYear]] = []
        for row in table.rows:
            parsed = self.person_row(table, row, known)
            self.cell(table, parsed, "paid_on", parse_date, required=True)
            self.cell(table, parsed, "amount_gbp", lambda text: parse_amount(text, allow_zero=False), required=True)
            self.cell(table, parsed, "purpose", required=True, max_length=10_000)
            self.cell(table, parsed, "purpose_category",
                      lambda text: parse_choice(text, PURPOSES, "a purpose category"))
            if parsed.failed:
                continue
            category, description = purpose_from_words(parsed.values["purpose"], parsed.values["purpose_category"])
            paid_on = parsed.values["paid_on"]
            year = FinancialYear.of(paid_on)
            payments.append((parsed, {
                "reference": parsed.values["reference"], "paid_on": paid_on,
                "amount_gbp": parsed.values["amount_gbp"], "financial_year": year.label,
                "purpose": category, "detail": description}, year))
        years = {year for _, _, year in payments} | set(budgets)
        limits = self._budget_and_spending(years, budgets)
        running = {year: spent for year, (_, spent) in limits.items()}
        crossed: dict[FinancialYear, Parsed] = {}
        for parsed, payment, year in payments:
            self.plan.payments.append(payment)
            if year not in limits:
                continue    # the year's budget row is faulty: that fault is reported already
            running[year] += payment["amount_gbp"]
            if running[year] > limits[year][0] and year not in crossed:
                crossed[year] = parsed
        for year, parsed in crossed.items():
            budget, spent = limits[year]
            already = f", counting {gbp(spent)} already paid in the database" if spent else ""
            self.fault(table, parsed.row, "amount_gbp", f"payments in {year} come to {gbp(running[year])}{already}, "
                       f"over that year's budget of {gbp(budget)} by {gbp(running[year] - budget)}; this is the "
                       "payment that first goes over: take out or reduce payments, or raise the budget in "
                       "budgets.csv")
        for year, (amount, row) in budgets.items():
            if year in limits and year not in crossed and limits[year][1] > limits[year][0]:
                budget, spent = limits[year]
                self.fault(self.tables["budgets"], row, "amount_gbp", f"{year}'s budget of {gbp(budget)} is less "
                           f"than the {gbp(spent)} already paid that year in the database: the budget must cover "
                           "what has been paid")

    # sac.csv -----------------------------------------------------------------------------------
    def check_sac(self, table: Table) -> None:
        seen: dict[date, int] = {}
        in_database = dict(db.session.execute(select(SacCount.month, SacCount.crimes)).tuples().all())
        for row in table.rows:
            parsed = Parsed(row)
            month = self.cell(table, parsed, "month", parse_month, required=True)
            count = self.cell(table, parsed, "serious_acquisitive_crimes", parse_count, required=True)
            if month is None:
                continue
            if month in seen:
                self.fault(table, row, "month", f"{shown(row['month'])} is also on row {seen[month]}: a month has one "
                           "count of serious acquisitive crimes, so keep one of the rows")
                continue
            seen[month] = row.number
            if count is None:
                continue
            saved = in_database.get(month)
            if saved is not None and saved != count:
                self.fault(table, row, "serious_acquisitive_crimes", f"the database already records {saved} serious "
                           f"acquisitive crimes for {month:%Y-%m}: the import does not overwrite it, so change it "
                           "in the service or take this row out")
            elif saved is not None:
                self.plan.unchanged["sac_months"] += 1
            else:
                self.plan.sac.append({"month": month, "crimes": count})


def _span(parsed: Parsed) -> str:
    joined, left = parsed.row["joined_on"], parsed.row["left_on"]
    return f"{joined} to {left}" if left else f"from {joined}, with no leaving date"


def check(read: ReadResult, today: date) -> Plan:
    """Every rule over everything read; the plan says what would be written, or why not."""
    return Checker(read, today).run()
