"""`flask --app iom import PATH [--dry-run]` and `export-caseload PATH`: exit statuses, all or
nothing, one audit entry with the files' SHA-256, bulk statements, the progress line on a terminal."""
import hashlib
import os

from sqlalchemy import select

from iom.audit import verify_chain
from iom.audit.models import AuditEntry
from iom.clients.models import Client
from iom.extensions import db
from tests.builders import CLIENTS, CUSTODY, EMPTY, PAYMENTS, REFERRALS, csv_text, fault_lines, pnc, sample_files


def audit_actions(app) -> list[str]:
    with app.app_context():
        return db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)).all()


def test_a_valid_import_writes_everything_with_one_audit_entry(write_files, run_import, counts, app):
    folder = write_files(sample_files())
    result = run_import(folder)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Imported:",
        "      4 new clients",
        "      5 periods on the scheme",
        "      4 custody events",
        "      4 referrals",
        "      3 support payments totalling £321.50",
        "      3 months of serious acquisitive crime counts",
        "      2 yearly budgets",
    ]
    assert counts() == {"clients": 4, "periods": 5, "custody": 4, "referrals": 4, "referral_history": 4,
                        "payments": 3, "sac": 3, "budgets": 2, "offences": 0, "unit_costs": 0}
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry)).all()
        assert [entry.action for entry in entries] == ["caseload.imported"]
        entry = entries[0]
        assert entry.actor_label == "system (command line)"
        files = entry.changes["files"][1]
        assert sorted(f["name"] for f in files) == sorted(sample_files())
        for f in files:
            assert f["sha256"] == hashlib.sha256((folder / f["name"]).read_bytes()).hexdigest()
        assert entry.changes["counts"][1]["clients"] == 4
        assert entry.changes["counts"][1]["payments_total_gbp"] == "321.50"
        assert entry.changes["rows_by_file"][1]["clients.csv"] == 5
        assert "Demo-Bittern" not in str(entry.changes) + entry.summary   # no personal data in the trail
        assert verify_chain().is_intact


def test_dry_run_writes_nothing_at_all(write_files, run_import, counts, app):
    result = run_import(write_files(sample_files()), "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "No problems found. The import would add:"
    assert "      4 new clients" in result.output
    assert result.output.splitlines()[-1] == "Nothing was written (--dry-run)."
    assert counts() == EMPTY
    assert audit_actions(app) == []


def test_dry_run_of_a_faulty_set_exits_1(write_files, run_import):
    files = sample_files()
    files["sac.csv"] = csv_text("month,serious_acquisitive_crimes", "2011-10,-1")
    result = run_import(write_files(files), "--dry-run")
    assert result.exit_code == 1
    assert fault_lines(result) == ["sac.csv:2: serious_acquisitive_crimes: '-1' is less than 0: the count must be "
                                   "0 or more"]


def test_a_faulty_set_leaves_the_database_empty_and_names_every_fault(write_files, run_import, counts, app):
    files = sample_files()
    files["clients.csv"] += "IOM-0005,Fir,Demo,31/02/1990,,catch,,2011-04-01,,,,\n"
    files["custody.csv"] += "IOM-0009,remand,2011-05-01\n"
    files["referrals.csv"] += "IOM-0001,housing,2011-05-02,,completed,\n"
    files["payments.csv"] += "IOM-0001,2011-06-02,2000,Car\n"
    files["sac.csv"] += "2011-10,5\n"
    files["budgets.csv"] += "2013-14,1.005\n"
    result = run_import(write_files(files))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert fault_lines(result) == [
        "clients.csv:7: date_of_birth: '31/02/1990' is not a real date",
        "clients.csv:7: strand: 'catch' is not a strand: use prevent_deter, catch_convict or resettle_rehabilitate",
        "custody.csv:6: reference: 'IOM-0009' is not a client in the database or in clients.csv of this import: "
        "check the reference, or add the client's rows to clients.csv",
        "referrals.csv:6: closed_on: is empty, but the referral is completed: enter the date it was completed",
        "payments.csv:5: amount_gbp: payments in 2011-12 come to £2,071.50, over that year's budget of £1,200.00 by "
        "£871.50; this is the payment that first goes over: take out or reduce payments, or raise the budget in "
        "budgets.csv",
        "sac.csv:5: month: '2011-10' is also on row 2: a month has one count of serious acquisitive crimes, so keep "
        "one of the rows",
        "budgets.csv:4: amount_gbp: '1.005' has more than 2 numbers after the decimal point: give pounds and pence, "
        "like 70.50",
    ]
    assert result.stderr.splitlines()[-1] == ("Nothing was imported: 7 problems found. Put them right and run the "
                                              "import again.")
    assert counts() == EMPTY
    assert audit_actions(app) == ["import.refused"]  # the refusal only: the files' names, sizes and hashes


def test_a_failure_while_writing_leaves_the_database_as_it_was(write_files, run_import, counts, monkeypatch, app):
    from iom.imports import writing

    def clash(plan, **kwargs):
        # someone adds IOM-0003 between the check and the write: the unique reference refuses the insert
        db.session.add(Client(reference="IOM-0003", given_name="Other", family_name="Person", programme="other",
                              alcohol_related="unknown"))
        db.session.flush()
        return real(plan, **kwargs)
    real = writing.write_plan
    monkeypatch.setattr(writing, "write_plan", clash)
    result = run_import(write_files(sample_files()))
    assert result.exit_code == 1
    assert result.stderr.startswith("Nothing was imported: the database refused the rows (IntegrityError)")
    assert counts() == EMPTY
    assert audit_actions(app) == []


def test_an_unexpected_failure_after_writing_rows_rolls_them_back(write_files, run_import, counts, monkeypatch):
    from iom.imports import operations

    def broken_audit(*args, **kwargs):
        raise RuntimeError("the audit trail could not be written")
    monkeypatch.setattr(operations.audit, "record", broken_audit)
    result = run_import(write_files(sample_files()))
    assert result.exit_code != 0 and isinstance(result.exception, RuntimeError)
    assert counts() == EMPTY


def test_big_imports_use_bulk_statements(write_files, run_import, count_queries, counts):
    rows = []
    custody = []
    referrals = []
    for n in range(1, 601):
        rows.append(f"IOM-{n:04d},Given{n},Demo,,{pnc(11, n)},catch_convict,,2011-04-01,2011-06-30,completed,,")
        rows.append(f"IOM-{n:04d},Given{n},Demo,,{pnc(11, n)},catch_convict,,2011-08-01,,,,")
        custody += [f"IOM-{n:04d},remand,2011-05-01", f"IOM-{n:04d},community,2011-05-02"]
        referrals.append(f"IOM-{n:04d},housing,2011-05-01,,open,")
    folder = write_files({"clients.csv": csv_text(CLIENTS, *rows), "custody.csv": csv_text(CUSTODY, *custody),
                          "referrals.csv": csv_text(REFERRALS, *referrals),
                          "payments.csv": csv_text(PAYMENTS,
                                                   *[f"IOM-{n:04d},2011-06-01,1,Bus" for n in range(1, 601)])})
    with count_queries() as counter:
        result = run_import(folder)
    assert result.exit_code == 0, result.output
    inserts = [s for s in counter.statements if s.lstrip().upper().startswith("INSERT")]
    assert len(inserts) <= 20, len(inserts)      # 4,200 rows: a handful of statements, never one per row
    assert counter.count < 60
    assert counts()["custody"] == 1200


def test_progress_bar_only_on_a_terminal(write_files, run_import, monkeypatch):
    from iom.imports import commands
    plain = run_import(write_files({"sac.csv": csv_text("month,serious_acquisitive_crimes", "2011-10,1")}, "a"))
    assert plain.exit_code == 0 and "Importing" not in plain.output
    monkeypatch.setattr(commands, "on_terminal", lambda: True)
    watched = run_import(write_files({"sac.csv": csv_text("month,serious_acquisitive_crimes", "2011-11,1")}, "b"))
    assert watched.exit_code == 0 and "Importing" in watched.output


def test_on_a_terminal_one_line_counts_the_rows_checked_then_written(write_files, run_import, monkeypatch):
    from iom.imports import commands
    monkeypatch.setattr(commands, "on_terminal", lambda: True)
    folder = write_files(sample_files())
    result = run_import(folder)
    assert result.exit_code == 0, result.output
    shown = result.stderr.split("\r")
    assert shown[0] == "" and shown[-1].endswith("\n")          # rewritten in place, then a line ended
    checked = [text.rstrip() for text in shown if "checked" in text]
    written = [text.rstrip() for text in shown if "written" in text]
    rows = sum(len(text.splitlines()) - 1 for text in sample_files().values())
    assert checked[-1] == f"Importing: checked {rows} of {rows} rows"
    assert max(i for i, text in enumerate(shown) if "checked" in text) < min(i for i, text in enumerate(shown)
                                                                          if "written" in text)
    done, total = written[-1].removeprefix("Importing: written ").removesuffix(" rows").split(" of ")
    assert done == total and int(total) > rows                 # a client's periods and a referral's history too
    assert result.stderr.count("\n") == 1
    assert result.output.endswith(result.stdout) and result.stdout.startswith("Imported:")


def test_progress_counts_in_batches_and_ends_its_line_before_any_fault(write_files, run_import, monkeypatch):
    from iom.imports import commands
    from iom.imports.validation import collector
    monkeypatch.setattr(commands, "on_terminal", lambda: True)
    monkeypatch.setattr(collector, "PROGRESS_EVERY", 2)
    months = [f"2011-{m:02d},{m}" for m in range(1, 6)]
    result = run_import(write_files({"sac.csv": csv_text("month,serious_acquisitive_crimes", *months, "2011-13,1")}))
    assert result.exit_code == 1
    assert result.stderr.split("\n")[0] == ("\rImporting: checked 2 of 6 rows\rImporting: checked 4 of 6 rows"
                                            "\rImporting: checked 6 of 6 rows")
    assert result.stderr.split("\n")[1].startswith("sac.csv:7: month: '2011-13' is not a month")


def test_without_a_terminal_nothing_but_the_results_is_printed(write_files, run_import):
    result = run_import(write_files(sample_files()))
    assert result.exit_code == 0 and result.stderr == ""
    refused = run_import(write_files({"sac.csv": csv_text("month,serious_acquisitive_crimes", "2011-13,1")}, "b"))
    assert refused.exit_code == 1 and "Importing" not in refused.output and "\r" not in refused.output
    assert refused.stderr.splitlines()[0].startswith("sac.csv:2: month:")


def test_progress_is_for_standard_error_being_a_terminal(monkeypatch):
    from iom.imports import commands

    class Stream:
        def __init__(self, tty):
            self.tty = tty

        def isatty(self):
            return self.tty
    monkeypatch.setattr("sys.stdout", Stream(True))
    monkeypatch.setattr("sys.stderr", Stream(False))
    assert not commands.on_terminal()             # standard error to a log or a pipe: none, wherever stdout goes
    monkeypatch.setattr("sys.stderr", Stream(True))
    assert commands.on_terminal()


# --- export-caseload -------------------------------------------------------------------------------

def test_export_writes_every_file_in_the_import_format_and_is_audited(write_files, run_import, runner, tmp_path,
                                                                      app):
    assert run_import(write_files(sample_files())).exit_code == 0
    out = tmp_path / "out"
    result = runner.invoke(args=["export-caseload", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(os.listdir(out)) == ["budgets.csv", "clients.csv", "custody.csv", "offences.csv", "payments.csv",
                                       "referrals.csv", "sac.csv", "unit_costs.csv"]
    assert (out / "clients.csv").read_text().splitlines()[:3] == [
        CLIENTS + ",tier",
        f"IOM-0001,Alder,Demo-Bittern,1990-04-05,{pnc(11, 123456)},catch_convict,ppo,2011-04-01,2011-06-30,completed,"
        "yes,Northfield,",
        f"IOM-0001,Alder,Demo-Bittern,1990-04-05,{pnc(11, 123456)},resettle_rehabilitate,ppo,2011-08-01,,,yes,"
        "Northfield,",
    ]
    assert (out / "offences.csv").read_text() == \
        "reference,offence_on,offence_type,outcome,crime_reference,alcohol_involved\n"
    assert (out / "unit_costs.csv").read_text() == "offence_type,cost_gbp,price_year,source\n"
    assert (out / "payments.csv").read_text().splitlines() == [
        PAYMENTS + ",purpose_category", "IOM-0001,2011-06-01,70.50,Bus fare to an interview,other",
        "IOM-0002,2012-03-31,1.00,id_documents,id_documents", "IOM-0003,2012-04-01,250.00,Work boots,other"]
    assert (out / "budgets.csv").read_text() == "financial_year,amount_gbp\n2011-12,1200.00\n2012-13,1000.00\n"
    assert (out / "sac.csv").read_text() == "month,serious_acquisitive_crimes\n2011-10,81\n2011-11,0\n2012-04,64\n"
    assert oct(os.stat(out / "clients.csv").st_mode & 0o777) == "0o600"
    assert audit_actions(app) == ["caseload.imported", "caseload.exported"]


def test_export_to_a_workbook_and_to_places_it_cannot_write(runner, tmp_path, app):
    assert runner.invoke(args=["export-caseload", str(tmp_path / "caseload.xlsx")]).exit_code == 0
    assert (tmp_path / "caseload.xlsx").read_bytes()[:2] == b"PK"
    (tmp_path / "a-file").write_text("x")
    refused = runner.invoke(args=["export-caseload", str(tmp_path / "a-file")])
    assert refused.exit_code == 1 and "is a file: give a folder" in refused.stderr
    nowhere = runner.invoke(args=["export-caseload", str(tmp_path / "no" / "such" / "book.xlsx")])
    assert nowhere.exit_code == 1 and "there is no folder" in nowhere.stderr
    assert audit_actions(app) == ["caseload.exported"]     # only the export that was written


FORMULA_NAME = '=HYPERLINK("http://evil.example","Click")'


def formula_caseload(app):
    from datetime import date

    from tests.builders import client
    with app.app_context():
        client("IOM-0001", [("catch_convict", date(2011, 4, 1), None)], given=FORMULA_NAME, family="@Demo-Heron",
               ward="-Northfield")
        db.session.commit()


def test_the_csv_export_guards_formulas_like_every_download_and_reads_back_unchanged(runner, tmp_path, app):
    from iom.imports.reading import read_path
    formula_caseload(app)
    out = tmp_path / "out"
    result = runner.invoke(args=["export-caseload", str(out)])
    assert result.exit_code == 0, result.output
    row = (out / "clients.csv").read_text().splitlines()[1]
    assert row.startswith("IOM-0001,\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"Click\"\")\",'@Demo-Heron,")
    assert ",'-Northfield," in row and "Warning: raw text" not in result.stderr
    with app.app_context():
        [read] = read_path(str(out)).tables["clients"].rows
    assert (read["given_name"], read["family_name"], read["ward"]) == (FORMULA_NAME, "@Demo-Heron", "-Northfield")
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "caseload.exported"))
        assert entry.changes["formulas_guarded"] == [None, True]


def test_raw_text_only_with_a_flag_that_says_so(runner, tmp_path, app):
    formula_caseload(app)
    out = tmp_path / "raw"
    result = runner.invoke(args=["export-caseload", str(out), "--raw-text"])
    assert result.exit_code == 0
    assert "Warning: raw text: cells are written exactly as stored" in result.stderr
    assert (out / "clients.csv").read_text().splitlines()[1].startswith(
        'IOM-0001,"=HYPERLINK(""http://evil.example"",""Click"")",@Demo-Heron,')
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "caseload.exported"))
        assert entry.changes["formulas_guarded"] == [None, False]
        assert entry.summary.endswith("raw text (formulas not guarded)")
