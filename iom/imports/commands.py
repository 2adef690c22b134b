"""`flask --app iom import PATH [--dry-run]` and `flask --app iom export-caseload PATH`."""
import sys
from collections.abc import Callable

import click
from flask.cli import with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from iom import audit
from iom.extensions import db
from iom.imports import exporting, operations
from iom.imports.reading import PathProblem, read_path

EXIT_DONE, EXIT_REFUSED = 0, 1
COMMAND_LINE = "system (command line)"


def on_terminal() -> bool:
    """Progress only for a person watching (progress goes to standard error); never in a log or a pipe."""
    return sys.stderr.isatty()


class ProgressLine:
    """One line on standard error, rewritten in place as the import goes, for a person watching:
    "Importing: checked 30,000 of 52,275 rows", then "Importing: written 20,000 of 64,976 rows" (the
    rows the database receives: a client's periods are rows of their own, a referral brings its first
    history row). Nothing at all when `shown` is false."""

    def __init__(self, shown: bool):
        self.shown = shown
        self.width = 0

    def counter(self, verb: str, total: int) -> Callable[[int], None] | None:
        """A progress(n) callback that counts n more rows `verb` (checked, written) of `total`."""
        if not self.shown:
            return None
        done = 0

        def advance(count: int) -> None:
            nonlocal done
            if count:
                done += count
                self._show(f"Importing: {verb} {min(done, total):,} of {total:,} rows")
        return advance

    def _show(self, text: str) -> None:
        # back to the start of the line, and spaces over what a longer text left there
        click.echo("\r" + text.ljust(self.width), nl=False, err=True)
        self.width = len(text)

    def end(self) -> None:
        """The line finished, so what is printed next starts on a line of its own."""
        if self.width:
            click.echo("", err=True)
            self.width = 0


@click.command("import")
@click.argument("path")
@click.option("--dry-run", is_flag=True, help="Check everything and say what would be imported; write nothing.")
@with_appcontext
def import_command(path: str, dry_run: bool) -> None:
    """Import a folder of CSV files or an .xlsx workbook, all or nothing.

    Every fault is printed as FILE:ROW: column: message, and then nothing is written (exit 1)."""
    try:
        read = read_path(path)
    except PathProblem as problem:
        click.echo(f"Error: {problem}", err=True)
        sys.exit(EXIT_REFUSED)
    line = ProgressLine(on_terminal())
    try:
        plan = operations.check_import(read, progress=line.counter(
            "checked", sum(len(table.rows) for table in read.tables.values())))
    except BaseException:
        line.end()
        raise
    if plan.faults or dry_run:
        line.end()    # the same line goes on to count the rows written, when there is nothing to say first
    if plan.faults:
        db.session.rollback()
        operations.record_check("import.refused", f"Import files checked from the command line and refused: "
                                f"{len(plan.faults)} problems", plan.sources, actor_label=COMMAND_LINE,
                                problems=len(plan.faults), dry_run=dry_run)
        db.session.commit()
        for fault in plan.faults:
            click.echo(str(fault), err=True)
        noun = "problem" if len(plan.faults) == 1 else "problems"
        click.echo(f"Nothing was imported: {len(plan.faults):,} {noun} found. Put them right and run the import "
                   "again.", err=True)
        sys.exit(EXIT_REFUSED)
    if dry_run:
        db.session.rollback()
        click.echo("No problems found. The import would add:")
        for line in operations.summary_lines(plan):
            click.echo(line)
        click.echo("Nothing was written (--dry-run).")
        sys.exit(EXIT_DONE)
    try:
        try:
            operations.import_caseload(plan, actor_label=COMMAND_LINE, progress=line.counter("written",
                                                                                             plan.rows_to_write))
        finally:
            line.end()
        db.session.commit()
        operations.refresh_planner_statistics()
    except SQLAlchemyError as error:
        db.session.rollback()
        click.echo(f"Nothing was imported: the database refused the rows ({type(error).__name__}). Someone may "
                   "have added the same records while the import ran: run the import again to see what clashes.",
                   err=True)
        sys.exit(EXIT_REFUSED)
    except BaseException:
        db.session.rollback()
        raise
    click.echo("Imported:")
    for line in operations.summary_lines(plan):
        click.echo(line)


@click.command("export-caseload")
@click.argument("path")
@click.option("--raw-text", "raw_text", is_flag=True,
              help="CSV only: write every cell exactly as stored, with no apostrophe before text a spreadsheet "
                   "would run as a formula (=, +, -, @). Never open such files in a spreadsheet.")
@with_appcontext
def export_caseload_command(path: str, raw_text: bool) -> None:
    """Write the caseload in the import format: a folder of CSV files, or an .xlsx workbook when
    PATH ends .xlsx. The files hold personal data: keep them safe and delete them when done.

    A CSV cell a spreadsheet would run as a formula is led by an apostrophe, as in every download
    (the import reads it back without); the workbook holds no formulas at all."""
    export = exporting.collect()
    kind = "xlsx" if path.lower().endswith(".xlsx") else "csv"
    raw_text = raw_text and kind == "csv"
    audit.record("caseload.exported", f"Caseload exported from the command line as {kind.upper()}"
                 + (", raw text (formulas not guarded)" if raw_text else ""),
                 subject=("export", None), actor_label=COMMAND_LINE,
                 changes={"format": [None, kind], "path": [None, path], "rows": [None, export.counts()],
                          "left_out": [None, export.left_out], "formulas_guarded": [None, not raw_text]})
    if raw_text:
        click.echo("Warning: raw text: cells are written exactly as stored, and a cell starting =, +, - or @ "
                   "would run as a formula if a spreadsheet opened these files. Do not open them in one.", err=True)
    try:
        exporting.write_export(export, path, guard_formulas=not raw_text)
    except (exporting.ExportProblem, OSError) as problem:
        db.session.rollback()
        click.echo(f"Error: {problem}", err=True)
        sys.exit(EXIT_REFUSED)
    db.session.commit()
    if export.left_out:
        click.echo(f"Warning: {len(export.left_out)} clients have no period on the scheme, so the import format "
                   f"cannot hold them; they and their rows were left out: {', '.join(export.left_out)}", err=True)
    counts = export.counts()
    click.echo(f"Exported to {path}: " + ", ".join(f"{name} {count:,} rows" for name, count in counts.items()))
