"""sac.csv: the area's count of serious acquisitive crimes, one a month."""
from datetime import date

from sqlalchemy import select

from iom.extensions import db
from iom.figures.models import SacCount
from iom.imports.reading import Table
from iom.imports.validation.cells import parse_count, shown
from iom.imports.validation.collector import Checker, Parsed
from iom.imports.validation.dates import parse_month


def check_sac(checker: Checker, table: Table) -> None:
    seen: dict[date, int] = {}
    in_database = dict(db.session.execute(select(SacCount.month, SacCount.crimes)).tuples().all())
    for row in checker.rows(table):
        parsed = Parsed(row)
        month = checker.cell(table, parsed, "month", parse_month, required=True)
        count = checker.cell(table, parsed, "serious_acquisitive_crimes", parse_count, required=True)
        if month is None:
            continue
        if month in seen:
            checker.fault(table, row, "month", f"{shown(row['month'])} is also on row {seen[month]}: a month has one "
                          "count of serious acquisitive crimes, so keep one of the rows")
            continue
        seen[month] = row.number
        if count is None:
            continue
        saved = in_database.get(month)
        if saved is not None and saved != count:
            checker.fault(table, row, "serious_acquisitive_crimes", f"the database already records {saved} serious "
                          f"acquisitive crimes for {month:%Y-%m}: the import does not overwrite it, so change it "
                          "in the service or take this row out")
        elif saved is not None:
            checker.plan.unchanged["sac_months"] += 1
        else:
            checker.plan.sac.append({"month": month, "crimes": count})
