"""Reading an import: a folder of CSV files, one .xlsx workbook, or files uploaded on the web,
into tables of text cells numbered as a spreadsheet numbers its rows (the header is row 1).

Nothing here judges the values; it only finds the files, their header rows and their cells,
and reports what stops a file being read at all."""
import codecs
import csv
import gc
import hashlib
import io
import os
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time

from iom.csv_cells import unguarded
from iom.imports.limits import workbook_problem
from iom.imports.formats import FILE_NAMES, FORMATS, KIND_ORDER, MONTH_COLUMNS, kind_of

NOT_UTF8 = 'the file is not UTF-8 text: save it as "CSV UTF-8" and try again'
WORKBOOK_NAMES = ", ".join(f.kind for f in FORMATS.values())


@dataclass(frozen=True)
class Fault:
    """One thing wrong, as the contract prints it: FILE:ROW: column: message."""

    file: str
    row: int
    column: str | None
    message: str
    kind: str | None = field(default=None, compare=False)
    position: int = field(default=0, compare=False)

    def __str__(self) -> str:
        if self.column:
            return f"{self.file}:{self.row}: {self.column}: {self.message}"
        return f"{self.file}:{self.row}: {self.message}"

    @property
    def sort_key(self) -> tuple:
        return (KIND_ORDER.get(self.kind, -1) if self.kind else -1, self.file if not self.kind else "",
                self.row, self.position)


class Row(dict):
    """A data row: its cells by column name (stripped text; "" for a column the file lacks) and
    its spreadsheet row number."""

    __slots__ = ("number",)

    def __init__(self, number: int, cells: dict[str, str]):
        super().__init__(cells)
        self.number = number

    def __missing__(self, column: str) -> str:
        return ""

    @property
    def cells(self) -> dict[str, str]:
        return self


@dataclass
class Table:
    """One file or sheet of the import, read but not yet checked."""

    kind: str
    label: str                     # FILE as the error lines name it: clients.csv, or the sheet's name
    columns: list[str]             # the known columns it has, in its own order
    rows: list[Row]
    present: frozenset = field(init=False, repr=False, compare=False)   # the same columns, to look up

    def __post_init__(self):
        self.present = frozenset(self.columns)

    def has(self, column: str) -> bool:
        return column in self.present

    def position(self, column: str | None) -> int:
        """Where a column sits in the contract's order (for sorting a row's faults)."""
        columns = FORMATS[self.kind].columns
        return columns.index(column) + 1 if column in columns else 0


@dataclass
class Source:
    """A file as received: its name, size and SHA-256 (recorded in the audit trail)."""

    name: str
    sha256: str
    size: int


@dataclass
class ReadResult:
    tables: dict[str, Table] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)

    def fault(self, file: str, row: int, column: str | None, message: str, kind: str | None = None,
              position: int = 0) -> None:
        self.faults.append(Fault(file, row, column, message, kind, position))

    def add_source(self, name: str, content: bytes) -> None:
        self.sources.append(Source(name, hashlib.sha256(content).hexdigest(), len(content)))


@contextmanager
def collector_paused():
    """Python's cycle collector held off while an import's rows are read, checked or written. Tens of
    thousands of rows make hundreds of thousands of long-lived objects, and the collector's repeated
    passes over them took a third of the checking time, to find nothing: the rows hold no cycles, and
    reference counting still frees everything else at once. Switched on again only by the caller who
    switched it off, so it is never left off."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def column_letter(index: int) -> str:
    """0 -> 'A', 26 -> 'AA': how a spreadsheet names a column."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _is_blank(cells) -> bool:
    try:
        return not "".join(cells).strip()     # one join for the whole row: most rows are read this way
    except TypeError:                          # a None among the cells
        return all(not (cell or "").strip() for cell in cells)


def _heading(text: str) -> str:
    """'Reference', ' reference* ' -> 'reference': headings are matched without case or marks."""
    return (text or "").replace("\ufeff", "").strip().rstrip("*").strip().lower()


def build_table(result: ReadResult, kind: str, label: str, records) -> None:
    """Turn (row number, [cell text]) records into a Table, reporting header and shape faults."""
    fmt = FORMATS[kind]
    records = iter(records)
    first = next(records, None)
    if first is None or _is_blank(first[1]):
        # An empty file is taken as no rows; one whose data starts lower down has lost its header.
        if any(not _is_blank(cells) for _, cells in records):
            result.fault(label, 1, None, f"the first row must name the columns ({fmt.column_list()}), "
                         "but it is empty", kind)
        return
    _, header = first
    columns: dict[int, str] = {}
    unnamed: list[int] = []
    for index, raw in enumerate(header):
        name = _heading(raw)
        if not name:
            unnamed.append(index)
        elif name in fmt.columns:
            if name in columns.values():
                earlier = next(i for i, n in columns.items() if n == name)
                result.fault(label, 1, name, f"this column appears twice (columns {column_letter(earlier)} and "
                             f"{column_letter(index)}): delete one of them", kind, fmt.columns.index(name) + 1)
            else:
                columns[index] = name
        else:
            shown = (raw or "").strip()[:60]
            result.fault(label, 1, shown, f"{label} has no column of this name: check the spelling, or delete "
                         f"the column (its columns are {fmt.column_list()})", kind, 100 + index)
    for name in fmt.columns:
        if name in fmt.required and name not in columns.values():
            result.fault(label, 1, name, "this column is missing, and every row needs it: add a column "
                         f"headed {name}", kind, fmt.columns.index(name) + 1)
    rows: list[Row] = []
    unnamed_with_data: dict[int, int] = {}
    width = len(header)
    named = list(columns.items())
    needed = max(columns, default=-1) + 1      # a row this long has every named column's cell
    for number, cells in records:
        if _is_blank(cells):
            continue  # blank rows (trailing ones above all) are not data
        if unnamed:
            for index in unnamed:
                if index < len(cells) and (cells[index] or "").strip():
                    unnamed_with_data.setdefault(index, number)
        extra = [i for i in range(width, len(cells)) if (cells[i] or "").strip()] if len(cells) > width else None
        if extra:
            result.fault(label, number, None, f"this row has a value in column {column_letter(extra[0])}, past "
                         "the last column named in the first row: move it into the right column or delete it",
                         kind, 99)
        if len(cells) >= needed:
            rows.append(Row(number, {name: (cells[index] or "").strip() for index, name in named}))
        else:
            rows.append(Row(number, {name: (cells[index] or "").strip() if index < len(cells) else ""
                                     for index, name in named}))
    for index, number in sorted(unnamed_with_data.items()):
        result.fault(label, 1, f"column {column_letter(index)}", f"has values (from row {number}) but no name "
                     f"in the first row: name it as one of {fmt.column_list()}, or delete it", kind, 100 + index)
    ordered = [columns[index] for index in sorted(columns)]
    result.tables[kind] = Table(kind, label, ordered, rows)


# --- CSV ---------------------------------------------------------------------------------------

def read_csv(result: ReadResult, kind: str, label: str, content: bytes) -> None:
    """A UTF-8 CSV (byte-order mark, Windows or old Mac line endings all accepted)."""
    if content.startswith(codecs.BOM_UTF8):
        content = content[len(codecs.BOM_UTF8):]
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as error:
        result.fault(label, content[:error.start].count(b"\n") + 1, None, NOT_UTF8, kind)
        return
    if "\x00" in text:
        result.fault(label, text[:text.index("\x00")].count("\n") + 1, None, NOT_UTF8, kind)
        return
    reader = csv.reader(io.StringIO(text, newline=""))

    def records():
        number = 0
        try:
            for number, cells in enumerate(reader, start=1):
                # only a row with an apostrophe somewhere can hold a guarded cell
                yield number, [unguarded(cell) for cell in cells] if "'" in "".join(cells) else cells
        except csv.Error as error:
            result.fault(label, number + 1, None, f"this row cannot be read as CSV ({error}): check its quote "
                         "marks, or save the file again from the spreadsheet as CSV UTF-8", kind, 99)

    build_table(result, kind, label, records())


# --- workbooks ---------------------------------------------------------------------------------

def cell_text(value, column: str | None = None) -> str:
    """A workbook cell as the text a CSV export would hold: dates as 2011-04-05, 70.5 as '70.5'."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        if value.time() != time(0, 0):
            return value.isoformat(sep=" ")
        value = value.date()
    if isinstance(value, date):
        if column in MONTH_COLUMNS and value.day == 1:
            return f"{value.year:04d}-{value.month:02d}"
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return str(value)


def read_workbook(result: ReadResult, label: str, content: bytes) -> None:
    """Each sheet named like a file of the import is read as that file."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    too_big = workbook_problem(content)  # before any parser: a small file can unpack into a great deal
    if too_big:
        result.fault(label, 1, None, too_big)
        return
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        result.fault(label, 1, None, "this file cannot be read as an Excel workbook: save it from the "
                     'spreadsheet as "Excel Workbook (.xlsx)" and try again (a password-protected workbook '
                     "cannot be read)")
        return
    try:
        seen: dict[str, str] = {}
        for sheet_name in workbook.sheetnames:
            sheet = workbook[sheet_name]
            if not hasattr(sheet, "iter_rows"):
                continue  # a chart sheet holds no rows
            sheet.reset_dimensions()  # some programs write a wrong size: read every row there is
            kind = kind_of(sheet_name)
            if kind is None:
                if any(not _is_blank([cell_text(v) for v in row]) for row in sheet.iter_rows(values_only=True)):
                    result.fault(sheet_name, 1, None, f"the import has no sheet of this name: rename it to one "
                                 f"of {WORKBOOK_NAMES}, or delete it")
                continue
            if kind in seen:
                result.fault(sheet_name, 1, None, f"the workbook has two sheets for {kind} ('{seen[kind]}' and "
                             f"'{sheet_name}'): keep one", kind)
                continue
            seen[kind] = sheet_name
            build_table(result, kind, sheet_name, _sheet_records(sheet))
        if not seen and not result.faults:
            result.fault(label, 1, None, f"there is nothing to import: the workbook has no sheet named "
                         f"{WORKBOOK_NAMES}")
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        result.fault(label, 1, None, "this workbook is damaged and cannot be read: save it again from the "
                     'spreadsheet as "Excel Workbook (.xlsx)" and try again')
    finally:
        workbook.close()


def _sheet_records(sheet):
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        return
    names = [_heading(cell_text(value)) for value in header]
    yield 1, [cell_text(value) for value in header]
    for number, values in enumerate(rows, start=2):
        yield number, [cell_text(value, names[index] if index < len(names) else None)
                       for index, value in enumerate(values)]


# --- where the files come from -----------------------------------------------------------------

def _is_lock_or_hidden(name: str) -> bool:
    return name.startswith((".", "~$"))


def read_folder(path: str) -> ReadResult:
    """Every .csv file in the folder; one of another name is reported (a misspelt name would
    otherwise leave its rows out without a word)."""
    with collector_paused():
        return _read_folder(path)


def _read_folder(path: str) -> ReadResult:
    result = ReadResult()
    seen: dict[str, str] = {}
    names = sorted(name for name in os.listdir(path)
                   if name.lower().endswith(".csv") and not _is_lock_or_hidden(name)
                   and os.path.isfile(os.path.join(path, name)))
    for name in names:
        kind = kind_of(name)
        if kind is None:
            result.fault(name, 1, None, f"the import has no file of this name: rename it to one of {FILE_NAMES}, "
                         "or move it out of the folder")
            continue
        if kind in seen:
            result.fault(name, 1, None, f"the folder has two files for {kind} ('{seen[kind]}' and '{name}'): "
                         "keep one", kind)
            continue
        seen[kind] = name
        with open(os.path.join(path, name), "rb") as handle:
            content = handle.read()
        result.add_source(name, content)
        read_csv(result, kind, name, content)
    if not names:
        result.fault(os.path.basename(os.path.normpath(path)) or path, 1, None,
                     f"there is nothing to import: the folder has none of {FILE_NAMES}")
    return result


def read_named_files(files: list[tuple[str, bytes]]) -> ReadResult:
    """Files given by name and content (the web upload, or one file named on the command line):
    one .xlsx workbook on its own, or CSV files named like the import's files."""
    with collector_paused():
        return _read_named_files(files)


def _read_named_files(files: list[tuple[str, bytes]]) -> ReadResult:
    result = ReadResult()
    names = [os.path.basename(name.replace("\\", "/")).strip() for name, _ in files]
    workbooks = [name for name in names if name.lower().endswith(".xlsx")]
    if workbooks and len(files) > 1:
        result.fault(workbooks[0], 1, None, "give one workbook on its own, or CSV files, not both and not "
                     "several workbooks")
        return result
    if not files:
        result.fault("upload", 1, None, f"there is nothing to import: choose a workbook or some of {FILE_NAMES}")
        return result
    seen: dict[str, str] = {}
    for name, (_, content) in zip(names, files):
        result.add_source(name, content)
        if name.lower().endswith(".xlsx"):
            read_workbook(result, name, content)
            continue
        if name.lower().endswith((".xls", ".ods", ".numbers")):
            result.fault(name, 1, None, 'this kind of spreadsheet cannot be read: save it as "Excel Workbook '
                         '(.xlsx)" or as CSV UTF-8 files, and try again')
            continue
        kind = kind_of(name) if name.lower().endswith(".csv") else None
        if kind is None:
            result.fault(name, 1, None, f"the import has no file of this name: give a workbook (.xlsx) or files "
                         f"named {FILE_NAMES}")
            continue
        if kind in seen:
            result.fault(name, 1, None, f"two files for {kind} were given ('{seen[kind]}' and '{name}'): keep one",
                         kind)
            continue
        seen[kind] = name
        read_csv(result, kind, name, content)
    return result


class PathProblem(ValueError):
    """The path given to the command is not something the import can read."""


def read_path(path: str) -> ReadResult:
    """A folder of CSV files, one .xlsx workbook, or (as a convenience) one CSV file."""
    if os.path.isdir(path):
        return read_folder(path)
    if not os.path.exists(path):
        raise PathProblem(f"there is no file or folder at {path}")
    if not path.lower().endswith((".xlsx", ".csv", ".xls", ".ods")):
        raise PathProblem(f"{path} is not a folder of CSV files or an Excel workbook (.xlsx)")
    with open(path, "rb") as handle:
        content = handle.read()
    return read_named_files([(os.path.basename(path), content)])
