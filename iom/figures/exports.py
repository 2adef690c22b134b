"""The monthly figures table as CSV, and offending before and after adoption as CSV and as a
workbook: UTF-8 with a byte-order mark (so Excel reads it as UTF-8), ISO months and dates, and no
cell a spreadsheet would run as a formula."""
import csv
import io
from datetime import date
from decimal import Decimal
from functools import partial

from iom.figures.queries import CLOSED_FIELDS, COMPLETE, IN_PROGRESS, MonthRow, YearPage
from iom.figures.reoffending import Reoffending
from iom.figures.reoffending_table import CAVEATS, FIGURES, NO_CHANGE, breakdown_rows, figure_rows, whole_cohort
from iom.clock import to_london
from iom.csv_cells import YES_NO, csv_cell
from iom.offending.models import OFFENCE_TYPES

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


# --- offending before and after adoption --------------------------------------------------------

def reoffending_table(result: Reoffending) -> tuple[list[str], list[list]]:
    """(header, rows): the whole cohort, then each group of each breakdown, one row each, with every
    figure before, after and the change (after minus before). The CSV and the workbook share it."""
    figures = [(name, kind) for name, _, kind in FIGURES]
    header = ["from", "to", "breakdown", "group", "group_name", "clients_adopted", "not_yet_a_year", "small_group"]
    for name, _ in figures:
        header += [f"before_{name}", f"after_{name}"] + ([] if name in NO_CHANGE else [f"change_{name}"])
    rows = []
    for group_row in [whole_cohort(result), *(row for rows in breakdown_rows(result).values() for row in rows)]:
        group = group_row.group
        cells = [result.first, result.last, group_row.breakdown, group_row.code or "not_set", group_row.label,
                 group.clients, group.not_yet_a_year, group_row.is_small]
        for figure in figure_rows(group):
            cells += [figure.before, figure.after] + ([] if figure.name in NO_CHANGE else [figure.change])
        rows.append(cells)
    return header, rows


def reoffending_notes(result: Reoffending) -> list[str]:
    """The caveats, then what the file holds, in words."""
    return ["Read these figures with care:", *CAVEATS,
            f"Clients adopted from {result.first.isoformat()} to {result.last.isoformat()}, as recorded on "
            f"{result.today.isoformat()}. The year before adoption is the 365 days before the day of adoption; "
            "the year after is the day of adoption and the 364 days after it. Clients whose year after adoption "
            "has not ended are counted in not_yet_a_year and left out of both years.",
            "Cost of crime: each offence costs its type's unit cost in force when the file was made "
            "(the workbook's Unit costs sheet lists them). Money in pounds; change is after minus before."]


def reoffending_csv(result: Reoffending) -> str:
    """The figures table, then a blank row and the notes, one to a row (UTF-8 with a byte-order mark)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    header, rows = reoffending_table(result)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(value.isoformat() if isinstance(value, date) else value, booleans=YES_NO)
                         for value in row])
    writer.writerow([])
    writer.writerows([csv_cell(note)] for note in reoffending_notes(result))
    return BOM + out.getvalue()


def unit_cost_rows(result: Reoffending) -> list[list]:
    """Each offence type's unit cost used, with its price year, source and the offences it priced."""
    rows = []
    for code, label in OFFENCE_TYPES.items():
        cost = result.unit_costs[code]
        rows.append([code, label, cost.cost_gbp, cost.price_year,
                     "published default" if cost.is_default else "the partnership's own figure", cost.source,
                     result.before.by_type.get(code, 0), result.after.by_type.get(code, 0)])
    return rows


UNIT_COST_HEADER = ["offence_type", "offence_type_name", "unit_cost_gbp", "price_year", "figure", "source",
                    "offences_before", "offences_after"]


def reoffending_xlsx(result: Reoffending) -> bytes:
    """A workbook: the figures table, the unit costs used, and the notes (caveats first)."""
    import xlsxwriter
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False,
                                            "strings_to_formulas": False, "strings_to_urls": False})
    workbook.set_properties({"title": "Offending before and after adoption", "author": "", "company": ""})
    formats = {"header": workbook.add_format({"bold": True}), "day": workbook.add_format({"num_format": "yyyy-mm-dd"}),
               "money": workbook.add_format({"num_format": "#,##0.00"}), "rate": workbook.add_format({"num_format": "0.0"}),
               "wrap": workbook.add_format({"text_wrap": True, "valign": "top"})}
    header, rows = reoffending_table(result)
    _sheet(workbook, "Figures", header, rows, formats)
    _sheet(workbook, "Unit costs", UNIT_COST_HEADER, unit_cost_rows(result), formats)
    notes = workbook.add_worksheet("Notes")
    notes.set_column(0, 0, 110)
    for number, note in enumerate(reoffending_notes(result)):
        notes.write_string(number, 0, note, formats["header"] if number == 0 else formats["wrap"])
    workbook.close()
    return buffer.getvalue()


def _sheet(workbook, name: str, header: list[str], rows: list[list], formats: dict) -> None:
    sheet = workbook.add_worksheet(name)
    sheet.write_row(0, 0, header, formats["header"])
    sheet.freeze_panes(1, 0)
    for index, column in enumerate(header):
        sheet.set_column(index, index, max(12, len(column) + 2))
    for number, row in enumerate(rows, start=1):
        for index, value in enumerate(row):
            column = header[index]
            if value is None:
                continue
            if isinstance(value, bool):
                sheet.write_string(number, index, YES_NO[0] if value else YES_NO[1])
            elif isinstance(value, date):
                sheet.write_datetime(number, index, value, formats["day"])
            elif isinstance(value, Decimal):
                kind = "rate" if column.endswith("per_100_years_at_risk") else "money"
                sheet.write_number(number, index, float(value), formats[kind])
            elif isinstance(value, int):
                sheet.write_number(number, index, value)
            else:
                sheet.write_string(number, index, str(value))
