"""How big a workbook the import will read, checked before any parser sees it.

An .xlsx file is a zip of XML. A small one can still hold a great deal: members that inflate a
thousandfold, thousands of sheets, or one cell in row 1,048,576 or column XFD, which the reader
then pads out with empty rows and cells (a 144 KB workbook once took 30 s and 323 MB). So before
openpyxl opens it: the file's own size, the members' declared uncompressed sizes and their number
(from the zip's directory, nothing inflated), then one streaming pass over the members that counts
sheets and rows and finds the highest row and column any cell names, never holding more than a
chunk in memory. Each limit is a setting (IMPORT_MAX_*) with the default below."""
import io
import re
import zipfile
from dataclasses import dataclass

from flask import current_app, has_app_context

DEFAULTS = {
    "IMPORT_MAX_WORKBOOK_BYTES": 10 * 1024 * 1024,
    "IMPORT_MAX_UNCOMPRESSED_BYTES": 50 * 1024 * 1024,
    "IMPORT_MAX_MEMBERS": 200,
    "IMPORT_MAX_SHEETS": 20,
    "IMPORT_MAX_ROWS": 100_000,
    "IMPORT_MAX_COLUMNS": 100,
    "IMPORT_MAX_CELLS": 2_000_000,
}
CHUNK = 256 * 1024
_PREFIX = rb"(?:[A-Za-z_][\w.-]*:)?"
_SHEET = re.compile(rb"<" + _PREFIX + rb"sheetData[\s>/]")
_ROW = re.compile(rb"<" + _PREFIX + rb"row(?=[\s>/])([^>]*)")
_ROW_NUMBER = re.compile(rb"""\sr\s*=\s*["'](\d{1,10})["']""")
_CELL = re.compile(rb"<" + _PREFIX + rb"c\s[^>]*?\br\s*=\s*[\"']\$?([A-Za-z]{1,4})\$?(\d{1,10})[\"']")


def limit(name: str) -> int:
    if has_app_context():
        return int(current_app.config.get(name, DEFAULTS[name]))
    return DEFAULTS[name]


def column_number(letters: bytes) -> int:
    """b'A' -> 1, b'XFD' -> 16384."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


@dataclass
class PartShape:
    """What one member of the zip holds, as far as the reader would pad it out."""
    sheets: int = 0        # sheetData elements: one in each worksheet
    rows: int = 0          # row elements
    last_row: int = 0      # the highest row number named (the reader pads up to it)
    last_column: int = 0   # the highest column any cell names (each row is padded up to its own last cell)
    inflated: int = 0      # bytes read out of the zip

    @property
    def height(self) -> int:
        return max(self.rows, self.last_row)

    @property
    def cells(self) -> int:
        return self.height * self.last_column


def scan(member, most_bytes: int) -> PartShape:
    """Stream one member, chunk by chunk, stopping once it has inflated past most_bytes. A tag is
    looked at only when the next '<' has arrived, so none is missed or counted twice at a chunk's edge."""
    shape = PartShape()
    tail = b""
    while shape.inflated <= most_bytes:
        chunk = member.read(CHUNK)
        shape.inflated += len(chunk)
        buffer = tail + chunk
        cut = buffer.rfind(b"<") if chunk else len(buffer)
        if cut <= 0 and chunk:
            cut = 0 if len(buffer) <= 2 * CHUNK else len(buffer)  # text with no tag in it: nothing to keep
        ready, tail = buffer[:cut], buffer[cut:]
        shape.sheets += len(_SHEET.findall(ready))
        for match in _ROW.finditer(ready):
            shape.rows += 1
            number = _ROW_NUMBER.search(match.group(1))
            if number:
                shape.last_row = max(shape.last_row, int(number.group(1)))
        for match in _CELL.finditer(ready):
            shape.last_column = max(shape.last_column, column_number(match.group(1)))
            shape.last_row = max(shape.last_row, int(match.group(2)))
        if not chunk:
            break
    return shape


def _size(number: int) -> str:
    return f"{number / (1024 * 1024):,.1f} MB" if number >= 1024 * 1024 else f"{number / 1024:,.0f} KB"


TOO_BIG = ("this workbook is too big to import at once: {what}. Split it into smaller workbooks, or delete "
           "what is not part of the import (other sheets, empty rows and columns far below or to the right)")


def workbook_problem(content: bytes) -> str | None:
    """Why this workbook must not be opened (the first limit it is over, in words); None when it may be.
    A file that is not a zip at all is left for the reader to report as it always has."""
    if len(content) > limit("IMPORT_MAX_WORKBOOK_BYTES"):
        return TOO_BIG.format(what=f"the file is {_size(len(content))}, and at most "
                                   f"{_size(limit('IMPORT_MAX_WORKBOOK_BYTES'))} can be read")
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    with archive:
        members = archive.infolist()
        if len(members) > limit("IMPORT_MAX_MEMBERS"):
            return TOO_BIG.format(what=f"it is made of {len(members):,} parts, and at most "
                                       f"{limit('IMPORT_MAX_MEMBERS'):,} can be read")
        most = limit("IMPORT_MAX_UNCOMPRESSED_BYTES")
        declared = sum(member.file_size for member in members)
        if declared > most:
            return TOO_BIG.format(what=f"it unpacks to {_size(declared)}, and at most {_size(most)} can be read")
        sheets = rows = cells = inflated = 0
        for member in members:
            try:
                with archive.open(member) as opened:
                    shape = scan(opened, most - inflated)
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, ValueError, EOFError):
                return None  # damaged or encrypted: the reader says so
            inflated += shape.inflated
            sheets, rows, cells = sheets + shape.sheets, rows + shape.height, cells + shape.cells
            if inflated > most:
                return TOO_BIG.format(what=f"it unpacks to more than {_size(most)}, the most that can be read")
            if shape.last_column > limit("IMPORT_MAX_COLUMNS"):
                return TOO_BIG.format(what=f"a sheet has a cell in column {shape.last_column:,}, and at most "
                                           f"{limit('IMPORT_MAX_COLUMNS'):,} columns can be read")
            for count, name, what in ((sheets, "IMPORT_MAX_SHEETS", "sheets"), (rows, "IMPORT_MAX_ROWS", "rows"),
                                      (cells, "IMPORT_MAX_CELLS", "cells")):
                if count > limit(name):
                    return TOO_BIG.format(what=f"it has more than {limit(name):,} {what}"
                                               + (" (counting the empty ones up to the last used)"
                                                  if what != "sheets" else ""))
    return None
