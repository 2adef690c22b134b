"""Checking the audit trail from the command line."""
import sys

import click
from flask.cli import with_appcontext

from iom.audit import verify_chain


@click.command("audit-verify")
@with_appcontext
def audit_verify() -> None:
    """Check that no audit entry was edited, removed or inserted. Exit 0 intact, 1 broken."""
    report = verify_chain()
    if report.is_intact:
        click.echo(f"Audit trail intact: {report.entries_checked} entries checked.")
        return
    click.echo(f"Audit trail BROKEN at entry {report.first_bad_seq}: {report.problem}. "
               f"{report.entries_checked} entries before it are intact.", err=True)
    sys.exit(1)
