"""A workbook that would exhaust a worker is refused before any parser sees it (issue 14, item 6):
one that unpacks far beyond its size (a zip bomb), too many parts or sheets, or a cell far down or
far to the right (which the reader pads out with empty rows and cells). Refused with a clear message,
audited, nothing written: on the web and on the command line. The check itself only streams."""
import io
import zipfile

import openpyxl
import pytest
from sqlalchemy import select

from iom.audit.models import AuditEntry
from iom.extensions import db
from iom.imports.limits import workbook_problem
from iom.imports.reading import read_named_files
from tests.builders import EMPTY, csv_rows, sample_files, write_workbook
from tests.pages import csrf_token


def good_workbook(tmp_path) -> bytes:
    path = tmp_path / "caseload.xlsx"
    write_workbook(path, {name.removesuffix(".csv"): csv_rows(text) for name, text in sample_files().items()})
    return path.read_bytes()


def rewritten(content: bytes, replace: dict[str, bytes] = None, add: dict[str, bytes] = None) -> bytes:
    """The workbook with some members' content replaced and others added, deflated as Excel does."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            target.writestr(member.filename, (replace or {}).get(member.filename, source.read(member)))
        for name, data in (add or {}).items():
            target.writestr(name, data)
    return out.getvalue()


SHEET = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
         b'spreadsheetml/2006/main"><sheetData>%s</sheetData></worksheet>')


def sheet_with(cells: bytes) -> dict[str, bytes]:
    return {"xl/worksheets/sheet1.xml": SHEET % cells}


def many_sheets(count: int) -> bytes:
    workbook = openpyxl.Workbook()
    for number in range(count - 1):
        workbook.create_sheet(f"notes{number}")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def hostile(tmp_path) -> dict[str, tuple[bytes, str]]:
    """Each kind of hostile workbook, and what the refusal says about it."""
    good = good_workbook(tmp_path)
    return {
        "zip-bomb": (rewritten(good, add={"xl/media/padding.bin": b"\0" * (60 * 1024 * 1024)}),
                     "it unpacks to 60.0 MB, and at most 50.0 MB can be read"),
        "last-row": (rewritten(good, replace=sheet_with(b'<row r="1048576"><c r="A1048576" t="inlineStr">'
                                                        b'<is><t>x</t></is></c></row>')),
                     "it has more than 100,000 rows (counting the empty ones up to the last used)"),
        "last-column": (rewritten(good, replace=sheet_with(b'<row r="1"><c r="XFD1" t="inlineStr"><is><t>x</t>'
                                                           b'</is></c></row>')),
                        "a sheet has a cell in column 16,384, and at most 100 columns can be read"),
        "wide-and-deep": (rewritten(good, replace=sheet_with(b"".join(
            b'<row r="%d"><c r="CV%d" t="inlineStr"><is><t>x</t></is></c></row>' % (n, n)
            for n in range(1, 30_001)))), "it has more than 2,000,000 cells"),
        "many-sheets": (many_sheets(25), "it has more than 20 sheets"),
        "many-parts": (rewritten(good, add={f"customXml/item{n}.xml": b"<a/>" for n in range(250)}),
                       "is made of 2"),
    }


HOSTILE = ["zip-bomb", "last-row", "last-column", "wide-and-deep", "many-sheets", "many-parts"]


@pytest.fixture
def parser_never_called(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the workbook reached the parser")
    monkeypatch.setattr(openpyxl, "load_workbook", refuse)


@pytest.mark.parametrize("kind", HOSTILE)
def test_a_hostile_workbook_is_refused_before_the_parser(app, tmp_path, parser_never_called, kind):
    content, says = hostile(tmp_path)[kind]
    with app.app_context():
        read = read_named_files([("caseload.xlsx", content)])
    [fault] = read.faults
    assert str(fault).startswith("caseload.xlsx:1: this workbook is too big to import at once: ")
    assert says in fault.message
    assert "Split it into smaller workbooks" in fault.message
    assert read.tables == {}


def test_an_ordinary_workbook_passes_the_limits(app, tmp_path):
    with app.app_context():
        assert workbook_problem(good_workbook(tmp_path)) is None
        assert read_named_files([("caseload.xlsx", good_workbook(tmp_path))]).faults == []


def test_the_limits_are_settings(app, tmp_path):
    app.config["IMPORT_MAX_ROWS"] = 3
    with app.app_context():
        assert "it has more than 3 rows" in workbook_problem(good_workbook(tmp_path))


def test_a_file_that_is_not_a_zip_is_left_to_the_reader(app):
    with app.app_context():
        assert workbook_problem(b"not a workbook") is None
        [fault] = read_named_files([("caseload.xlsx", b"not a workbook")]).faults
    assert "cannot be read as an Excel workbook" in fault.message


def test_a_member_that_inflates_past_its_declared_size_is_stopped(app, tmp_path):
    """The zip's directory can lie; the streaming pass counts what actually comes out."""
    from iom.imports.limits import scan
    shape = scan(io.BytesIO(b"<row/>" * 1_000_000), most_bytes=1024 * 1024)
    assert shape.inflated <= 1024 * 1024 + 256 * 1024 and shape.rows < 1_000_000


def test_tags_split_across_chunks_are_counted_once(monkeypatch):
    from iom.imports import limits
    monkeypatch.setattr(limits, "CHUNK", 7)
    data = b"<sheetData>" + b"".join(b'<row r="%d"><c r="B%d"/></row>' % (n, n) for n in range(1, 101)) + b"</sheetData>"
    shape = limits.scan(io.BytesIO(data), most_bytes=10**6)
    assert (shape.sheets, shape.rows, shape.last_row, shape.last_column) == (1, 100, 100, 2)


# --- on the web and the command line: refused, audited, nothing written ---------------------------

def refusals(app) -> list[AuditEntry]:
    with app.app_context():
        return db.session.scalars(select(AuditEntry).where(AuditEntry.action == "import.refused")
                                  .order_by(AuditEntry.seq)).all()


def test_the_upload_page_refuses_a_zip_bomb(signed_in, app, tmp_path, counts, parser_never_called):
    client, _ = signed_in("manager")
    content, says = hostile(tmp_path)["zip-bomb"]
    response = client.post("/import", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(client, app), "files": [(io.BytesIO(content), "caseload.xlsx")]})
    assert response.status_code == 200
    assert "Nothing has been imported: 1 problem to put right" in response.text
    assert "this workbook is too big to import at once" in response.text and says in response.text
    assert counts() == EMPTY
    [refused] = refusals(app)
    assert refused.changes["files"][1][0]["name"] == "caseload.xlsx"
    from iom.imports.models import PendingUpload
    with app.app_context():
        assert db.session.scalars(select(PendingUpload)).all() == []


def test_the_import_command_refuses_a_zip_bomb(app, runner, tmp_path, counts, parser_never_called):
    content, says = hostile(tmp_path)["last-row"]
    (tmp_path / "bomb.xlsx").write_bytes(content)
    result = runner.invoke(args=["import", str(tmp_path / "bomb.xlsx")])
    assert result.exit_code == 1
    assert "bomb.xlsx:1: this workbook is too big to import at once" in result.output and says in result.output
    assert counts() == EMPTY
    [refused] = refusals(app)
    assert refused.actor_label == "system (command line)"
