"""`flask --app iom annual-report`: the end-of-year review pack, pseudonymised, written to a file."""
import os
import sys
import tempfile

import click
from flask.cli import with_appcontext

from iom import audit
from iom.years import BadPeriod, FinancialYear
from iom.extensions import db
from iom.reports import formats, reviews
from iom.reports.pack import build_pack

EXIT_OK, EXIT_ERROR = 0, 1


def write_atomically(path: str, content: bytes) -> None:
    """Write to a temporary file beside the target, then rename: never a half-written pack."""
    folder = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".annual-report-", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # what an ordinary open() would have made
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


@click.command("annual-report")
@click.option("--year", "year_text", required=True, help="The financial year, as YYYY-YY (for example 2011-12)")
@click.option("--format", "fmt", required=True, type=click.Choice(list(formats.FORMATS)),
              help="json (the contract's keys), csv (the monthly table), xlsx or pdf")
@click.option("--output", "output", required=True, help="The file to write ('-' for standard output)")
@with_appcontext
def annual_report_command(year_text: str, fmt: str, output: str) -> None:
    """Write the year's pseudonymised review pack. Exit 0 when written, 1 on error."""
    try:
        year = FinancialYear.parse(year_text)
    except BadPeriod as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(EXIT_ERROR)
    # with the latest version of the outside reviewer's review, when the year has one, as on the web
    pack = reviews.with_review(build_pack(year), reviews.latest_version(year))
    content = formats.write(pack, fmt)
    try:
        if output == "-":
            sys.stdout.buffer.write(content)
            sys.stdout.flush()
        else:
            write_atomically(output, content)
    except OSError as error:
        db.session.rollback()
        click.echo(f"Error: could not write {output}: {error.strerror or error}", err=True)
        sys.exit(EXIT_ERROR)
    audit.record("report.exported", f"The {year} end-of-year review written as {formats.FORMATS[fmt][2]} "
                 "from the command line", actor_label="system (command line)", subject=("annual_report", year),
                 changes={"format": [None, fmt], "bytes": [None, len(content)]})
    db.session.commit()
    if output != "-":
        click.echo(f"Wrote the {year} end-of-year review ({formats.FORMATS[fmt][2]}, {len(content):,} bytes) "
                   f"to {output}")
    sys.exit(EXIT_OK)
