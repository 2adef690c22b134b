"""No format of the pack carries an identifier: every identifier of the test clients (and of the
people on the watch list) is searched for in the JSON, the CSV, every part of the unzipped XLSX and
the text pypdf extracts from the PDF, whether written by the command or downloaded by a reviewer.
The caseload is tests/builders.py's identified_caseload; so is the search, assert_clean."""
import io
import json
import zipfile

from tests.builders import NAMED_YEAR as YEAR, assert_clean
from tests.pages import pdf_text, post_form


def xlsx_text(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        return "\n".join(book.read(name).decode("utf-8", errors="replace") for name in book.namelist())


def check_every_format(files: dict[str, bytes]) -> None:
    json_text = files["json"].decode("utf-8")
    assert_clean(json_text, "the JSON")
    assert_clean(json.dumps(json.loads(json_text), ensure_ascii=True), "the JSON (escaped)")
    assert_clean(files["csv"].decode("utf-8-sig"), "the CSV")
    assert_clean(xlsx_text(files["xlsx"]), "the XLSX")
    text = pdf_text(files["pdf"])
    assert_clean(text, "the PDF text")
    assert_clean(files["pdf"].decode("latin-1"), "the PDF bytes")
    # the searches looked at real content
    assert "End-of-year review 2011-12" in text and "Self-assessment" in text
    assert "[removed]" in json_text and "[removed]" in text
    assert "Partners together" in xlsx_text(files["xlsx"])
    assert json.loads(json_text)["alcohol_related"] == {"clients": 3, "of": 3}
    offending = json.loads(json_text)["offending"]
    assert offending["in_year"]["offences"] == 2 and "Offending before and after adoption" in text


def test_the_command_writes_no_identifier_in_any_format(app, runner, identified_caseload, tmp_path):
    files = {}
    for fmt in ("json", "csv", "xlsx", "pdf"):
        path = tmp_path / f"pack.{fmt}"
        result = runner.invoke(args=["annual-report", "--year", YEAR, "--format", fmt, "--output", str(path)])
        assert result.exit_code == 0, result.output
        files[fmt] = path.read_bytes()
    check_every_format(files)


def test_the_reviewer_downloads_no_identifier_in_any_format(app, signed_in, identified_caseload):
    web, _ = signed_in("reviewer")
    files = {}
    for fmt in ("json", "csv", "xlsx", "pdf"):
        response = post_form(web, app, f"/reports/{YEAR}/download/{fmt}")
        assert response.status_code == 200
        files[fmt] = response.data
    check_every_format(files)
    page = web.get(f"/reports/{YEAR}")
    assert page.status_code == 200
    assert_clean(page.text, "the pack page")
    assert_clean(web.get("/reports").text, "the list of years")
