"""The monthly figures table as CSV: UTF-8 with a byte-order mark (so Excel reads it as UTF-8),
ISO months and dates, and no cell a spreadsheet would run as a formula."""
import csv
import io
from functools import partial

from iom.figures.queries import CLOSED_FIELDS, COMPLETE, IN_PROGRESS, MonthRow, YearPage
from iom.clock import to_london
from iom.csv_cells import YES_NO, csv_cell

BOM = "\ufeff"
STATUS = {COMPLETE: "open", IN_PROGRESS: "in_progress"}
HEADER = ["month", "taken_on", "status", "on_scheme", "counted_for_minimum", "in_custody_or_remand", "minimum",
          "minimum_met", "serious_acquisitive_crimes", "clients_per_sac", "sac_per_10_clients", "counted_strands",
          "closed_on", "closed_by", *(f"closed_{name}" for name in CLOSED_FIELDS),
          # added after the rest, so a reader that goes by position keeps working
          "cohort_serious_acquisitive_offences", "cohort_share_of_sac_percent"]


safe_cell = partial(csv_cell, booleans=YES_NO)  # this table's booleans are yes/no


def status_of(row: MonthRow) -> str:
    """closed, open (ended, not yet closed), in_progress (this month, as known today) or not_started."""
    if row.is_closed:
        return "closed"
    return STATUS.get(row.state, "not_started")


def csv_row(row: MonthRow) -> list:
    result, closure = row.figures, row.closure
    cells = [result.month_text, result.taken_on.isoformat(), status_of(row)]
    if row.has_started:
        cells += [result.on_scheme, result.counted_for_minimum, result.in_custody_or_remand, result.minimum,
                  result.minimum_met, result.serious_acquisitive_crimes, result.clients_per_sac,
                  result.sac_per_10_clients, ";".join(result.counted_strands)]
    else:  # a month not started has no figures yet, only the rule it will be judged by
        cells += [None, None, None, result.minimum, None, result.serious_acquisitive_crimes, None, None,
                  ";".join(result.counted_strands)]
    if closure is not None:
        closer = closure.closed_by
        cells += [to_london(closure.closed_at).date().isoformat(), closer.display_name if closer else None]
        cells += [getattr(closure, name) for name in CLOSED_FIELDS]
    else:
        cells += [None] * (2 + len(CLOSED_FIELDS))
    if row.has_started:  # the clients' offences are counted live, never kept by a closure
        cells += [result.cohort_serious_acquisitive_offences, result.cohort_share_of_sac_percent]
    else:
        cells += [None, None]
    return cells


def monthly_csv(page: YearPage) -> str:
    """The twelve months of the year, April first, one row each."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in page.rows:
        writer.writerow([safe_cell(value) for value in csv_row(row)])
    return BOM + out.getvalue()
