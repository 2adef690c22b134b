"""`flask --app iom backup PATH` and `flask --app iom restore PATH` (docs/backup.md)."""
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from iom import audit
from iom.backups import operations
from iom.extensions import db

EXIT_OK, EXIT_ERROR = 0, 1


@click.command("backup")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace PATH if it already exists.")
@with_appcontext
def backup_command(path: Path, force: bool) -> None:
    """Back the database up to PATH while the service runs (SQLite's online backup, or pg_dump's custom
    format on PostgreSQL). Exit 0 written, 1 with the reason."""
    url = db.engine.url
    try:
        kind = operations.back_up(path, force=force)
    except operations.BackupRefused as error:
        click.echo(f"Backup not made: {error}.", err=True)
        sys.exit(EXIT_ERROR)
    size = path.stat().st_size
    with audit.acting_as("system (command line)"):
        audit.record("database.backed_up", f"Database backed up to {path.name}", subject=("database", None),
                     changes={"file": [None, path.name], "format": [None, kind], "bytes": [None, size]})
    db.session.commit()
    click.echo(f"Backed up {operations.describe(url)} to {path} ({size:,} bytes). It holds personal data: keep "
               "it encrypted in the partnership's approved store, and the audit key apart from it.")
    sys.exit(EXIT_OK)


@click.command("restore")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already holds data.")
@with_appcontext
def restore_command(path: Path, force: bool) -> None:
    """Restore the backup at PATH into the database DATABASE_URL names, then check its audit trail.
    Stop the service first. Exit 0 restored, 1 with the reason."""
    url = db.engine.url
    try:
        restored = operations.restore(path, force=force)
    except operations.BackupRefused as error:
        click.echo(f"Restore failed: {error}.", err=True)
        sys.exit(EXIT_ERROR)
    if restored.entries_checked is None:
        click.echo(f"Restored {path} into {operations.describe(url)}. The backup is at migration "
                   f"{restored.backup.revision}, older than this version's: run `flask --app iom db upgrade`, "
                   "then `flask --app iom audit-verify --checkpoints FILE` before serving from it.")
    else:
        click.echo(f"Restored {path} into {operations.describe(url)}: audit trail intact "
                   f"({restored.entries_checked:,} entries checked). Run `flask --app iom audit-verify "
                   "--checkpoints FILE` with the checkpoints kept outside the database to check none is missing "
                   "from its end.")
    sys.exit(EXIT_OK)
