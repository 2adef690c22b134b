"""clients.csv: one row per period on the scheme; the person's details the same on each."""
from collections import defaultdict
from datetime import date

from sqlalchemy import select

from iom.clients.models import ALCOHOL, COHORT_TIERS, EXIT_REASONS, PROGRAMMES, STRANDS, Client, match_key
from iom.clients.rules import (REASON_MISSING, REASON_WITHOUT_LEAVING, exit_reason_problem, left_before_joined,
                               periods_overlap)
from iom.extensions import db
from iom.form_fields import PNC_PATTERN, normalise_pnc_id, pnc_id_problem
from iom.imports.reading import Table
from iom.imports.validation.cells import Problem, as_shown, choice, either, shown
from iom.imports.validation.collector import Checker, Parsed, clients_by, in_chunks
from iom.imports.validation.dates import parse_date

# The choices' cell parsers, made once: each remembers the texts it has read
STRAND = choice(STRANDS, "a strand")
PROGRAMME = choice(PROGRAMMES, "a programme")
EXIT_REASON = choice(EXIT_REASONS, "an exit reason")
ALCOHOL_RELATED = choice(ALCOHOL, "an answer the service knows")
TIER = choice(COHORT_TIERS, "a cohort tier")

# The columns that describe the person rather than one period on the scheme: they must be the
# same on every row of a re-adopted client.
PERSONAL_DETAILS = ("given_name", "family_name", "date_of_birth", "pnc_id", "programme", "alcohol_related", "ward",
                    "tier")


def check_clients(checker: Checker, table: Table) -> set[str]:
    """Returns every reference the file names, so other files' rows are not refused in a cascade."""
    by_reference: dict[str, list[Parsed]] = defaultdict(list)
    names: set[str] = set()
    for row in checker.rows(table):
        parsed = Parsed(row)
        reference = checker.reference(table, parsed)
        if row["reference"]:
            names.add(row["reference"])
        _check_cells(checker, table, parsed)
        if reference is not None:
            by_reference[reference].append(parsed)
    existing = checker.plan.existing_ids
    database_pncs = clients_by(Client.pnc_id, Client.reference,
                               {p.values["pnc_id"] for rows in by_reference.values() for p in rows
                                if p.values.get("pnc_id")})
    pnc_owner: dict[str, tuple[str, int]] = {}
    for reference, rows in by_reference.items():
        if reference in existing:
            for parsed in rows:
                checker.fault(table, parsed.row, "reference", f"{reference} is already a client in the database: "
                              "the import only adds new clients and never overwrites one, so take this client's "
                              "rows out of clients.csv")
        _check_same_details(checker, table, reference, rows)
        _check_pncs(checker, table, reference, rows, database_pncs, pnc_owner)
        _check_overlaps(checker, table, reference, rows)
        if reference not in existing:
            _plan_client(checker, reference, rows)
    _check_same_people(checker, table, by_reference, existing)
    return names


def _check_cells(checker: Checker, table: Table, parsed: Parsed) -> None:
    row = parsed.row
    checker.cell(table, parsed, "given_name", required=True, max_length=100)
    checker.cell(table, parsed, "family_name", required=True, max_length=100)
    checker.cell(table, parsed, "date_of_birth", parse_date)
    dob = parsed.values.get("date_of_birth")
    if dob is not None and dob >= checker.today:
        checker.fault(table, row, "date_of_birth", f"{shown(row['date_of_birth'])} is not in the past: check "
                      "the date of birth")
        del parsed.values["date_of_birth"]
    checker.cell(table, parsed, "pnc_id", _pnc)
    checker.cell(table, parsed, "strand", STRAND, required=True)
    checker.cell(table, parsed, "programme", PROGRAMME)
    checker.cell(table, parsed, "joined_on", parse_date, required=True)
    checker.not_future(table, parsed, "joined_on", "the date a client joined the scheme")
    checker.cell(table, parsed, "left_on", parse_date)
    checker.cell(table, parsed, "exit_reason", EXIT_REASON)
    checker.cell(table, parsed, "alcohol_related", ALCOHOL_RELATED)
    checker.cell(table, parsed, "ward", max_length=100)
    checker.cell(table, parsed, "tier", TIER)
    if parsed.values.get("programme") is None and "programme" in parsed.values:
        parsed.values["programme"] = "other"
    if parsed.values.get("alcohol_related") is None and "alcohol_related" in parsed.values:
        parsed.values["alcohol_related"] = "unknown"
    _check_leaving(checker, table, parsed)


def _plan_client(checker: Checker, reference: str, rows: list[Parsed]) -> None:
    first = rows[0]
    details = {column: first.values.get(column) for column in PERSONAL_DETAILS}
    details["programme"] = details["programme"] or "other"
    details["alcohol_related"] = details["alcohol_related"] or "unknown"
    # the duplicate check's key, worked out once here for the check and the row alike
    details["match_key"] = match_key(details["given_name"], details["family_name"])
    checker.plan.clients.append({"reference": reference, **details})
    checker.plan.birthdays[reference] = details["date_of_birth"]
    for parsed in rows:
        checker.plan.periods.append({
            "reference": reference, "strand": parsed.values.get("strand"),
            "joined_on": parsed.values.get("joined_on"), "left_on": parsed.values.get("left_on"),
            "exit_reason": parsed.values.get("exit_reason")})


def _check_same_details(checker: Checker, table: Table, reference: str, rows: list[Parsed]) -> None:
    first = rows[0]
    for parsed in rows[1:]:
        for column in PERSONAL_DETAILS:
            if table.has(column) and first.ok(column) and parsed.ok(column) \
                    and parsed.values[column] != first.values[column]:
                checker.fault(table, parsed.row, column, f"{as_shown(parsed.row[column])} here but "
                              f"{as_shown(first.row[column])} on row {first.row.number} for {reference}: "
                              "a client's personal details must be the same on each of their rows")


def _check_pncs(checker: Checker, table: Table, reference: str, rows: list[Parsed], database_pncs: dict[str, str],
                pnc_owner: dict[str, tuple[str, int]]) -> None:
    for parsed in rows:
        pnc = parsed.values.get("pnc_id")
        if not pnc:
            continue
        owner = database_pncs.get(pnc)
        if owner is not None and owner != reference:
            checker.fault(table, parsed.row, "pnc_id", f"{pnc} is already recorded for client {owner} in the "
                          "database: one person has one PNC ID, so check which client this is")
        elif pnc in pnc_owner and pnc_owner[pnc][0] != reference:
            other, number = pnc_owner[pnc]
            checker.fault(table, parsed.row, "pnc_id", f"{pnc} is also the PNC ID of {other} on row {number}: "
                          "one person has one PNC ID, so two clients cannot share it")
        else:
            pnc_owner.setdefault(pnc, (reference, parsed.row.number))


def _check_same_people(checker: Checker, table: Table, by_reference: dict[str, list[Parsed]], existing) -> None:
    """A new client who is already a client under another reference, or is in this file twice
    under two: the same date of birth and the same name (ignoring case, accents and punctuation)."""
    people: dict[tuple[str, date], list[tuple[str, Parsed]]] = defaultdict(list)
    keys = {client["reference"]: client["match_key"] for client in checker.plan.clients}
    for reference, rows in by_reference.items():
        first = rows[0]
        if reference in existing or not first.ok("given_name", "family_name", "date_of_birth") \
                or first.values["date_of_birth"] is None:
            continue
        if key := keys[reference]:
            people[(key, first.values["date_of_birth"])].append((reference, first))
    in_database = _people_in_database({key for key, _ in people})
    for person, named in people.items():
        for number, (reference, parsed) in enumerate(named):
            who = (f"{shown(parsed.row['given_name'] + ' ' + parsed.row['family_name'])} born "
                   f"{parsed.values['date_of_birth'].isoformat()}")
            if clients := in_database.get(person):
                noun = "client" if len(clients) == 1 else "clients"
                checker.fault(table, parsed.row, "given_name", f"{who} is the same person as existing {noun} "
                              f"{', '.join(clients)} (same name and date of birth): take this person's rows out of "
                              f"clients.csv and use {clients[0]} in the other files. If they really are someone "
                              "else, add them on the Add a client page, which asks you to confirm that")
            if number:
                first_reference, first = named[0]
                checker.fault(table, parsed.row, "given_name", f"{who} is the same person as {first_reference} on "
                              f"row {first.row.number} (same name and date of birth): give all of one person's rows "
                              "the same reference")


def _people_in_database(keys: set[str]) -> dict[tuple[str, date], list[str]]:
    """Records not merged away, by (match key, date of birth), for these keys."""
    found: dict[tuple[str, date], list[str]] = defaultdict(list)
    for chunk in in_chunks(keys):
        for key, born, reference in db.session.execute(
                select(Client.match_key, Client.date_of_birth, Client.reference)
                .where(Client.match_key.in_(chunk), Client.date_of_birth.is_not(None),
                       Client.merged_into_id.is_(None))
                .order_by(Client.reference)):
            found[(key, born)].append(reference)
    return found


def _pnc(text: str) -> str:
    pnc = normalise_pnc_id(text)
    if pnc_id_problem(pnc) is None:
        return pnc
    if not PNC_PATTERN.match(pnc):
        raise Problem(f"{shown(text)} is not a PNC ID: write it like 11/123456H (the year, a slash, the "
                      "serial number and the check letter), or leave it empty")
    raise Problem(f"{shown(text)} has the wrong check letter for its numbers, so it is probably mistyped: "
                  "copy the PNC ID exactly from the record")


def _check_leaving(checker: Checker, table: Table, parsed: Parsed) -> None:
    row, values = parsed.row, parsed.values
    if left_before_joined(values.get("joined_on"), values.get("left_on")):
        checker.fault(table, row, "left_on", f"{shown(row['left_on'])} is before joined_on "
                      f"({row['joined_on']}): the day a client leaves must be on or after the day they joined")
        del values["left_on"]
    # Whether each cell was written, read or not: an unreadable one has its own fault already, and
    # a reason not in the list is worded by its cell's own check.
    problem = exit_reason_problem(row["exit_reason"], has_left=bool(row["left_on"]))
    if problem == REASON_MISSING:
        checker.fault(table, row, "exit_reason", f"is empty, but left_on is given: enter why the client left "
                      f"({either(EXIT_REASONS)})")
        values.pop("exit_reason", None)
    elif problem == REASON_WITHOUT_LEAVING:
        checker.fault(table, row, "exit_reason", f"{shown(row['exit_reason'])} is given, but left_on is empty: "
                      "enter the day the client left, or empty this cell if they are still on the scheme")
        values.pop("exit_reason", None)


def _check_overlaps(checker: Checker, table: Table, reference: str, rows: list[Parsed]) -> None:
    periods = sorted((p for p in rows if p.ok("joined_on", "left_on")),
                     key=lambda p: (p.values["joined_on"], p.row.number))
    latest: Parsed | None = None     # the period seen so far that ends last
    for parsed in periods:
        if latest is not None and periods_overlap(parsed.values["joined_on"], parsed.values["left_on"],
                                                  latest.values["joined_on"], latest.values["left_on"]):
            checker.fault(table, parsed.row, "joined_on", f"this period ({_span(parsed)}) overlaps the period "
                          f"on row {latest.row.number} ({_span(latest)}) for {reference}: periods on the "
                          "scheme cannot overlap, and the leaving day counts as a day on the scheme")
        if latest is None or latest.values["left_on"] is not None and (
                parsed.values["left_on"] is None or parsed.values["left_on"] > latest.values["left_on"]):
            latest = parsed


def _span(parsed: Parsed) -> str:
    joined, left = parsed.row["joined_on"], parsed.row["left_on"]
    return f"{joined} to {left}" if left else f"from {joined}, with no leaving date"
