"""Checking the audit trail from the command line, and taking checkpoints of it to keep elsewhere."""
import sys
from pathlib import Path

import click
from sqlalchemy import text
from flask.cli import with_appcontext

from iom import audit
from iom.audit.checkpoints import CheckpointFileError, append_checkpoint, first_disagreement, read_checkpoints
from iom.audit.service_role import grant_statements
from iom.extensions import db


def _record_failure(problem: str) -> None:
    """Audit the failed check; a trail too broken to take the entry must not hide the finding."""
    try:
        with audit.acting_as("system (command line)"):
            audit.record("audit.verify_failed", "Audit trail check failed", changes={"problem": [None, problem]})
        db.session.commit()
    except Exception:  # noqa: BLE001 - the verdict below is printed whatever happens here
        db.session.rollback()
        click.echo("(This failure could not be written to the audit trail.)", err=True)


def _fail(message: str, problem: str) -> None:
    click.echo(message, err=True)
    _record_failure(problem)
    sys.exit(1)


@click.command("audit-verify")
@click.option("--checkpoints", "checkpoint_file", type=click.Path(dir_okay=False, path_type=Path),
              help="A file written by audit-checkpoint: every checkpoint in it must still be in the chain.")
@with_appcontext
def audit_verify(checkpoint_file: Path | None) -> None:
    """Check that no audit entry was edited, removed or inserted. Exit 0 intact, 1 broken."""
    checkpoints = None
    if checkpoint_file is not None:
        try:
            checkpoints = read_checkpoints(checkpoint_file)
        except CheckpointFileError as error:
            _fail(f"Audit trail not checked: {error}.", str(error))
    report = audit.verify_chain()
    if not report.is_intact:
        _fail(f"Audit trail BROKEN at entry {report.first_bad_seq}: {report.problem}. "
              f"{report.entries_checked} entries before it are intact.", report.problem)
    if checkpoints is not None:
        disagreement = first_disagreement(checkpoint_file, checkpoints)
        if disagreement:
            _fail(f"Audit trail BROKEN: {disagreement}. "
                  f"The chain itself reads whole ({report.entries_checked} entries).", disagreement)
        click.echo(f"Audit trail intact: {report.entries_checked} entries checked, "
                   f"{len(checkpoints)} checkpoints in {checkpoint_file} agree.")
        return
    click.echo(f"Audit trail intact: {report.entries_checked} entries checked.")


@click.command("audit-checkpoint")
@click.argument("checkpoint_file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def audit_checkpoint(checkpoint_file: Path) -> None:
    """Append the chain head's sequence number and hash to FILE, to ship outside the database."""
    with audit.acting_as("system (command line)"):
        audit.record("audit.checkpoint_taken", f"Audit trail checkpoint written to {checkpoint_file.name}")
    db.session.commit()
    try:
        head = append_checkpoint(checkpoint_file)
    except OSError as error:
        click.echo(f"Checkpoint not written: cannot write to {checkpoint_file}: {error.strerror or error}.", err=True)
        sys.exit(1)
    click.echo(f"Checkpoint appended to {checkpoint_file}: entry {head.last_seq}, hash {head.last_hash}.")


@click.command("grant-service-role")
@click.argument("role")
@click.option("--print-sql", is_flag=True, help="Print the statements for a database administrator instead of running them.")
@with_appcontext
def grant_service_role(role: str, print_sql: bool) -> None:
    """PostgreSQL: make ROLE (created if missing, without a password) the service's own role: it may
    read and write the caseload, but only INSERT and SELECT the audit trail. Run as the tables' owner."""
    if db.engine.dialect.name != "postgresql":
        click.echo("grant-service-role is for PostgreSQL: the embedded SQLite file has no roles.", err=True)
        sys.exit(1)
    try:
        statements = grant_statements(role, db.engine.url.database or "")
    except ValueError as error:
        click.echo(f"Nothing granted: {error}.", err=True)
        sys.exit(1)
    if print_sql:
        click.echo(";\n".join(statements) + ";")
        return
    for statement in statements:
        db.session.execute(text(statement))
    with audit.acting_as("system (command line)"):
        audit.record("database.service_role_granted", f"Database role {role} granted the service's rights",
                     changes={"role": [None, role]})
    db.session.commit()
    click.echo(f"{role} may now read and write the caseload, and only add to and read the audit trail. "
               f"Set its password (ALTER ROLE {role} PASSWORD ...) and give the service "
               f"DATABASE_URL=postgresql://{role}@HOST/{db.engine.url.database}.")
