"""`flask --app iom backup PATH` and `flask --app iom restore PATH` (docs/backup.md)."""
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from iom import audit
from iom.backups import operations
from iom.extensions import db

EXIT_OK, EXIT_ERROR = 0, 1


def _or_exit(refused: str, act):
    """What act() gives; or, when it is refused, the reason after `refused` and exit 1."""
    try:
        return act()
    except operations.BackupRefused as error:
        click.echo(f"{refused}: {error}.", err=True)
        sys.exit(EXIT_ERROR)


def _file_command(name: str, force: str):
    """A command over the app's database and one file, PATH, with --force to replace what is there."""
    def decorate(function):
        function = click.option("--force", is_flag=True, help=force)(with_appcontext(function))
        return click.command(name)(click.argument("path", type=click.Path(path_type=Path))(function))
    return decorate


@_file_command("backup", force="Replace PATH if it already exists.")
def backup_command(path: Path, force: bool) -> None:
    """Back the database up to PATH while the service runs (SQLite's online backup, or pg_dump's custom
    format on PostgreSQL). Exit 0 written, 1 with the reason."""
    url = db.engine.url
    kind = _or_exit("Backup not made", lambda: operations.back_up(path, force=force))
    size = path.stat().st_size
    with audit.acting_as("system (command line)"):
        audit.record("database.backed_up", f"Database backed up to {path.name}", subject=("database", None),
                     changes={"file": [None, path.name], "format": [None, kind], "bytes": [None, size]})
    db.session.commit()
    click.echo(f"Backed up {operations.describe(url)} to {path} ({size:,} bytes). It holds personal data: keep "
               "it encrypted in the partnership's approved store, and the audit key apart from it.")
    sys.exit(EXIT_OK)


@_file_command("restore", force="Replace a database that already holds data.")
def restore_command(path: Path, force: bool) -> None:
    """Restore the backup at PATH into the database DATABASE_URL names, then check its audit trail.
    Stop the service first. Exit 0 restored, 1 with the reason."""
    url = db.engine.url
    restored = _or_exit("Restore failed", lambda: operations.restore(path, force=force))
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
