"""Files as partnerships really save them: byte-order marks, Windows line endings, trailing
blank rows, workbooks with typed cells; and what is refused outright (another encoding, a
misnamed file or sheet)."""
import codecs
from datetime import date, datetime

from iom.extensions import db
from iom.imports import operations
from iom.imports.reading import read_folder, read_named_files
from tests.builders import (CLIENTS, EMPTY, csv_rows, csv_text, fault_lines, figures_snapshot, sample_files,
                            wipe_caseload, write_workbook)

NOT_UTF8 = 'the file is not UTF-8 text: save it as "CSV UTF-8" and try again'


def test_bom_windows_line_endings_and_trailing_blank_rows_are_accepted(write_files, run_import, counts):
    files = {name: text + ",,,\n\n\n" for name, text in sample_files().items()}
    result = run_import(write_files(files, bom=True, newline="\r\n"))
    assert result.exit_code == 0, result.output
    assert counts() == {"clients": 4, "periods": 5, "custody": 4, "referrals": 4, "referral_history": 4,
                        "payments": 3, "sac": 3, "budgets": 2, "offences": 0, "unit_costs": 0}


def test_bom_and_crlf_give_the_same_plan_as_plain_files(write_files, app):
    plain = write_files(sample_files(), folder="plain")
    windows = write_files(sample_files(), folder="windows", bom=True, newline="\r\n")
    with app.app_context():
        first = operations.check_import(read_folder(plain))
        db.session.rollback()    # a check takes the budget locks: each check is its own transaction
        second = operations.check_import(read_folder(windows))
    assert first.is_valid and second.is_valid
    assert (first.clients, first.periods, first.custody, first.referrals, first.payments, first.sac,
            first.budgets) == (second.clients, second.periods, second.custody, second.referrals, second.payments,
                               second.sac, second.budgets)


def test_another_encoding_is_refused_clearly(write_files, run_import, counts):
    files = sample_files()
    result = run_import(write_files({"clients.csv": files["clients.csv"], "payments.csv": files["payments.csv"]},
                                    encoding="cp1252"))
    assert result.exit_code == 1
    # é is on row 5 of clients.csv, £ on row 3 of payments.csv
    assert fault_lines(result) == [f"clients.csv:5: {NOT_UTF8}", f"payments.csv:3: {NOT_UTF8}"]
    assert counts() == EMPTY


def test_utf16_from_unicode_text_is_refused_at_row_1(write_files, run_import):
    result = run_import(write_files({"sac.csv": codecs.BOM_UTF16_LE + "month,serious_acquisitive_crimes\n"
                                     .encode("utf-16-le")}))
    assert fault_lines(result) == [f"sac.csv:1: {NOT_UTF8}"]


def test_old_mac_line_endings_and_no_final_newline(write_files, run_import, counts):
    result = run_import(write_files({"sac.csv": b"month,serious_acquisitive_crimes\r2011-10,81\r2011-11,2"}))
    assert result.exit_code == 0, result.output
    assert counts()["sac"] == 2


def test_an_empty_file_is_no_rows_but_a_lost_header_is_a_fault(write_files, run_import):
    assert run_import(write_files({"sac.csv": b"", "budgets.csv": b"\n\n"}, folder="empty")).exit_code == 1
    result = run_import(write_files({"sac.csv": b"", "budgets.csv": "financial_year,amount_gbp\n2011-12,5\n"},
                                    folder="one"))
    assert result.exit_code == 0, result.output
    result = run_import(write_files({"sac.csv": b"\n2011-10,81\n"}, folder="headless"))
    assert fault_lines(result) == ["sac.csv:1: the first row must name the columns (month, "
                                   "serious_acquisitive_crimes), but it is empty"]


def test_misnamed_files_are_reported_not_skipped(write_files, run_import, counts):
    files = sample_files()
    folder = write_files({"client.csv": files["clients.csv"], "Custody.CSV": files["custody.csv"],
                          "notes.txt": "not read", "~$lock.csv": "not read"})
    result = run_import(folder)
    assert result.exit_code == 1
    assert fault_lines(result)[0] == ("client.csv:1: the import has no file of this name: rename it to one of "
                                      "clients.csv, custody.csv, referrals.csv, payments.csv, sac.csv, budgets.csv, "
                                      "offences.csv, unit_costs.csv, or move it out of the folder")
    # Custody.CSV is read as custody.csv: its references are unknown without clients.csv
    assert fault_lines(result)[1].startswith("Custody.CSV:2: reference: 'IOM-0001' is not a client")
    assert counts() == EMPTY


def test_paths_the_command_cannot_read(runner, tmp_path):
    missing = runner.invoke(args=["import", str(tmp_path / "nowhere")])
    assert missing.exit_code == 1 and "Error: there is no file or folder at" in missing.stderr
    (tmp_path / "caseload.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    old_excel = runner.invoke(args=["import", str(tmp_path / "caseload.xls")])
    assert old_excel.exit_code == 1
    assert fault_lines(old_excel) == ['caseload.xls:1: this kind of spreadsheet cannot be read: save it as "Excel '
                                      'Workbook (.xlsx)" or as CSV UTF-8 files, and try again']
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip")
    broken = runner.invoke(args=["import", str(tmp_path / "broken.xlsx")])
    assert fault_lines(broken) == ['broken.xlsx:1: this file cannot be read as an Excel workbook: save it from the '
                                   'spreadsheet as "Excel Workbook (.xlsx)" and try again (a password-protected '
                                   'workbook cannot be read)']
    (tmp_path / "empty").mkdir()
    empty = runner.invoke(args=["import", str(tmp_path / "empty")])
    assert fault_lines(empty) == ["empty:1: there is nothing to import: the folder has none of clients.csv, "
                                  "custody.csv, referrals.csv, payments.csv, sac.csv, budgets.csv, offences.csv, "
                                  "unit_costs.csv"]


def test_one_csv_file_may_be_named_on_its_own(write_files, runner, counts):
    folder = write_files({"sac.csv": csv_text("month,serious_acquisitive_crimes", "2011-10,81")})
    result = runner.invoke(args=["import", str(folder / "sac.csv")])
    assert result.exit_code == 0, result.output
    assert counts()["sac"] == 1


# --- workbooks --------------------------------------------------------------------------------------

def _workbook_of(files: dict[str, str], path, sheet_names=lambda name: name.removesuffix(".csv")):
    write_workbook(path, {sheet_names(name): csv_rows(text) for name, text in files.items()})
    return path


def test_a_workbook_and_the_same_csvs_plan_the_same_rows(write_files, tmp_path, app):
    folder = write_files(sample_files())
    book = _workbook_of(sample_files(), tmp_path / "caseload.xlsx")
    with app.app_context():
        from_csv = operations.check_import(read_folder(folder))
        db.session.rollback()
        from_book = operations.check_import(read_named_files([("caseload.xlsx", book.read_bytes())]))
    assert from_csv.is_valid and from_book.is_valid, from_book.faults
    for part in ("clients", "periods", "custody", "referrals", "payments", "sac", "budgets"):
        assert getattr(from_csv, part) == getattr(from_book, part), part
    assert from_book.rows_by_file == {name.removesuffix(".csv"): rows for name, rows in from_csv.rows_by_file.items()}


def test_a_workbook_and_the_same_csvs_give_the_same_figures(write_files, tmp_path, run_import, app):
    assert run_import(write_files(sample_files())).exit_code == 0
    with app.app_context():
        from_csv = figures_snapshot()
        wipe_caseload()
    result = run_import(_workbook_of(sample_files(), tmp_path / "caseload.xlsx"))
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert figures_snapshot() == from_csv


def test_a_faulty_workbook_gives_the_same_lines_as_the_same_csvs(write_files, tmp_path, run_import, counts):
    files = sample_files()
    files["clients.csv"] = files["clients.csv"].replace("05/04/1990", "31/02/1990").replace("prevent_deter", "pd")
    files["sac.csv"] += "2011-10,3\n"
    from_csv = fault_lines(run_import(write_files(files)))
    named_as_files = fault_lines(run_import(_workbook_of(files, tmp_path / "a.xlsx", sheet_names=lambda n: n)))
    named_as_kinds = fault_lines(run_import(_workbook_of(files, tmp_path / "b.xlsx")))
    assert from_csv == [
        "clients.csv:2: date_of_birth: '31/02/1990' is not a real date",
        "clients.csv:4: strand: 'pd' is not a strand: use prevent_deter, catch_convict or resettle_rehabilitate",
        "sac.csv:5: month: '2011-10' is also on row 2: a month has one count of serious acquisitive crimes, so keep "
        "one of the rows",
    ]
    assert named_as_files == from_csv
    assert named_as_kinds == [line.replace(".csv:", ":", 1) for line in from_csv]
    assert counts() == EMPTY


def test_typed_workbook_cells_read_as_their_text(tmp_path, run_import, app):
    from decimal import Decimal

    from iom.figures.models import SacCount
    from iom.clients.models import Client
    from iom.extensions import db
    from iom.payments.models import Budget, SupportPayment
    header = CLIENTS.split(",")
    write_workbook(tmp_path / "typed.xlsx", {
        "clients": [header, ["IOM-0001", "Alder", "Demo", date(1990, 4, 5), None, "catch_convict", None,
                             datetime(2011, 4, 1), None, None, "yes", None],
                    [], [None] * 12],                                  # blank rows after the data
        "payments": [["reference", "paid_on", "amount_gbp", "purpose"],
                     ["IOM-0001", date(2011, 5, 1), 70.1, "Bus fare"], ["IOM-0001", date(2011, 5, 2), 5, "Food"]],
        # Excel turns a typed 2011-10 into 1 October 2011, and 2011-12 into 1 December 2011
        "sac": [["month", "serious_acquisitive_crimes"], [date(2011, 10, 1), 81.0], ["2011-11", 7]],
        "budgets": [["financial_year", "amount_gbp"], [date(2011, 12, 1), 1000]],
        "Notes": [],                                                    # an empty extra sheet is ignored
    })
    result = run_import(tmp_path / "typed.xlsx")
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(db.select(Client.date_of_birth)) == date(1990, 4, 5)
        assert sorted(db.session.scalars(db.select(SupportPayment.amount_gbp))) == [Decimal("5.00"), Decimal("70.10")]
        assert db.session.execute(db.select(SacCount.month, SacCount.crimes).order_by(SacCount.month)).all() == [
            (date(2011, 10, 1), 81), (date(2011, 11, 1), 7)]
        assert db.session.scalar(db.select(Budget.financial_year)) == "2011-12"


def test_unknown_and_duplicate_sheets_are_reported(tmp_path, run_import):
    write_workbook(tmp_path / "book.xlsx", {
        "Clients": [["reference"]], "clients.csv": [["reference"]], "Sheet1": [["anything"]],
    })
    assert fault_lines(run_import(tmp_path / "book.xlsx")) == [
        "Sheet1:1: the import has no sheet of this name: rename it to one of clients, custody, referrals, payments, "
        "sac, budgets, offences, unit_costs, or delete it",
        "clients.csv:1: the workbook has two sheets for clients ('Clients' and 'clients.csv'): keep one",
        "Clients:1: given_name: this column is missing, and every row needs it: add a column headed given_name",
        "Clients:1: family_name: this column is missing, and every row needs it: add a column headed family_name",
        "Clients:1: strand: this column is missing, and every row needs it: add a column headed strand",
        "Clients:1: joined_on: this column is missing, and every row needs it: add a column headed joined_on",
    ]


def test_a_workbook_with_no_known_sheet_has_nothing_to_import(tmp_path, run_import):
    write_workbook(tmp_path / "book.xlsx", {"Summary": []})
    assert fault_lines(run_import(tmp_path / "book.xlsx")) == [
        "book.xlsx:1: there is nothing to import: the workbook has no sheet named clients, custody, referrals, "
        "payments, sac, budgets, offences, unit_costs"]
