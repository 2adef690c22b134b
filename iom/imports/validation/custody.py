"""custody.csv: a client's custody status from a day on; one change a day."""
from collections import defaultdict
from datetime import date

from sqlalchemy import select

from iom.custody.models import CUSTODY_STATUSES, CustodyEvent
from iom.custody.rules import change_on_day
from iom.extensions import db
from iom.imports.reading import Table
from iom.imports.validation.cells import choice, shown
from iom.imports.validation.collector import Checker, Parsed, in_chunks
from iom.imports.validation.dates import parse_date

# The choices' cell parsers, made once: each remembers the texts it has read
STATUS = choice(CUSTODY_STATUSES, "a custody status")


def check_custody(checker: Checker, table: Table, known: set[str]) -> None:
    rows: list[Parsed] = []
    for row in checker.rows(table):
        parsed = checker.person_row(table, row, known)
        checker.cell(table, parsed, "status", STATUS, required=True)
        checker.cell(table, parsed, "from_date", parse_date, required=True)
        checker.not_future(table, parsed, "from_date", "the date of a custody change")
        rows.append(parsed)
    in_database = _custody_days_in_database(checker.plan.existing_ids)
    in_file: dict[str, dict[date, int]] = defaultdict(dict)     # {reference: {day: its first row}}
    for parsed in rows:
        values = parsed.values
        if "reference" not in values or "from_date" not in values:
            continue
        reference, day = values["reference"], values["from_date"]
        if (row_number := change_on_day(in_file[reference], day)) is not None:
            checker.fault(table, parsed.row, "from_date", f"{reference} has another custody change on the same day "
                          f"on row {row_number}: only one change a day can be recorded, so keep one of the rows")
            continue
        in_file[reference][day] = parsed.row.number
        recorded = in_database.get(reference)
        if recorded and (status := change_on_day(recorded, day)) is not None:
            checker.fault(table, parsed.row, "from_date", f"{reference} already has a custody change on "
                          f"{shown(parsed.row['from_date'])} in the database ({status}): only "
                          "one change a day can be recorded, so take this row out")
            continue
        if "status" in values:
            checker.plan.custody.append({"reference": reference, "status": values["status"], "from_date": day})


def _custody_days_in_database(existing_ids: dict[str, int]) -> dict[str, dict[date, str]]:
    """{reference: {day: the status recorded from that day}} for the clients already in the database."""
    by_id = {client_id: reference for reference, client_id in existing_ids.items()}
    found: dict[str, dict[date, str]] = defaultdict(dict)
    for chunk in in_chunks(by_id):
        rows = db.session.execute(select(CustodyEvent.client_id, CustodyEvent.from_date, CustodyEvent.status)
                                  .where(CustodyEvent.client_id.in_(chunk)))
        for client_id, day, status in rows:
            found[by_id[client_id]][day] = status
    return found
