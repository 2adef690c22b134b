"""One CSV cell writer for every export a person opens in a spreadsheet: no cell runs as a formula.

Text a spreadsheet would take for a formula is led by an apostrophe (OWASP's CSV injection advice);
numbers are written as they are, so a negative count stays a number. Booleans are written the way
each file's readers already rely on: the monthly figures table says yes/no, the review pack true/false."""
import csv
import io
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
YES_NO = ("yes", "no")
TRUE_FALSE = ("true", "false")


def csv_cell(value, booleans: tuple[str, str] = TRUE_FALSE) -> str:
    """A value as CSV text: None empty, a boolean as one of `booleans`, formula-like text guarded."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return booleans[0] if value else booleans[1]
    text = str(value)
    if not isinstance(value, (int, Decimal)) and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def unguarded(text: str) -> str:
    """A cell as it was before csv_cell guarded it: the apostrophe before formula-like text taken off
    (so the caseload export reads back into the import unchanged)."""
    return text[1:] if text.startswith("'") and text[1:2] and text[1:].startswith(FORMULA_STARTS) else text


BOM = "\ufeff"  # first in a file, so a spreadsheet reads it as UTF-8


def csv_line(values, booleans: tuple[str, str] = TRUE_FALSE) -> str:
    """One CSV line of cells (CRLF-ended, quoted where needed), for files written a line at a time."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow([csv_cell(value, booleans) for value in values])
    return out.getvalue()
