"""Backing the database up and restoring it.

SQLite: Python's `sqlite3.Connection.backup` in one step, which reads the whole database inside one
read transaction, so the copy is consistent while the service goes on writing (WAL lets writers
work beside a reader). PostgreSQL: `pg_dump --format=custom` (a consistent snapshot of its own) and
`pg_restore`, run with the URL's parts, the password passed in the environment, never on the
command line. A restore checks the file is an iom database at this version's migration head or
older, refuses to replace a database that holds data unless told, and checks the copy's audit chain
under the audit key before the service uses it."""
import os
import re
import shlex
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import create_engine, func, inspect, select, table, text
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from iom import audit
from iom.extensions import db

SQLITE_HEADER = b"SQLite format 3\x00"
PG_DUMP_HEADER = b"PGDMP"
# Tables every iom database has had since the first migration: what marks a file as one of ours.
IOM_TABLES = frozenset({"alembic_version", "audit_entry", "audit_chain_head", "user_account"})
# Bookkeeping rows a freshly migrated, unused database already has: they are not "data" to protect.
BOOKKEEPING = frozenset({"alembic_version", "audit_chain_head"})


class BackupRefused(Exception):
    """Nothing was written; the message says why, in words an operator can act on."""


@dataclass
class BackupFile:
    """A backup as the restore found it."""
    path: Path
    kind: str  # "sqlite" or "postgresql"
    revision: str
    is_current: bool  # at this version's migration head (else older: `db upgrade` after restoring)


@dataclass
class Restored:
    backup: BackupFile
    entries_checked: int | None  # None when the copy is older than the head (checked after `db upgrade`)


def database_kind(url: URL) -> str:
    backend = url.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise BackupRefused(f"backups of a {backend} database are not supported: the service runs on SQLite "
                            "or PostgreSQL")
    return backend


def describe(url: URL) -> str:
    """The database in words, without its password."""
    if url.get_backend_name() == "sqlite":
        return f"the SQLite database {url.database}"
    return f"the PostgreSQL database {url.database} on {url.host or 'the local server'}"


# --- the migrations a backup may be at -----------------------------------------------------------

def migration_revisions() -> tuple[str, list[str]]:
    """(the head, every revision this version knows)."""
    from alembic.script import ScriptDirectory
    script = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())
    return script.get_current_head(), [revision.revision for revision in script.walk_revisions()]


def _checked_revision(path: Path, kind: str, revision: str | None) -> BackupFile:
    head, known = migration_revisions()
    if not revision:
        raise BackupRefused(f"{path} has no migration revision recorded (its alembic_version table is empty), "
                            "so it is not a complete iom database")
    if revision not in known:
        raise BackupRefused(f"{path} is at migration {revision}, which this version of the service does not "
                            f"know (its newest is {head}): it was made by a newer version. Restore it with that "
                            "version")
    return BackupFile(path, kind, revision, revision == head)


# --- backing up ------------------------------------------------------------------------------------

def back_up(target: Path, *, force: bool = False) -> str:
    """Write a backup of the service's database to `target`; returns the kind of backup written."""
    url = db.engine.url
    kind = database_kind(url)
    if target.is_dir():
        raise BackupRefused(f"{target} is a folder: give the backup's file name")
    if target.exists() and not force:
        raise BackupRefused(f"{target} already exists. Nothing was written: choose a new file name, or give "
                            "--force to replace it")
    if not target.parent.is_dir():
        raise BackupRefused(f"the folder {target.parent} does not exist")
    db.session.remove()  # this command holds no transaction open while the copy is taken
    if kind == "sqlite":
        _back_up_sqlite(Path(url.database), target)
    else:
        _back_up_postgres(url, target)
    return kind


def _temporary_beside(path: Path, what: str) -> Path:
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=f".{what}")
    os.close(handle)
    os.chmod(name, 0o600)  # a backup holds personal data: readable by the service's own account only
    return Path(name)


def _remove(path: Path) -> None:
    for each in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        if each.exists():
            each.unlink()


def _copy_sqlite(source: Path, target: Path) -> None:
    """SQLite's online backup, all pages in one step (so one read transaction: a consistent copy)."""
    with sqlite3.connect(source, timeout=15) as reading, sqlite3.connect(target, timeout=15) as writing:
        reading.backup(writing)
    reading.close()
    writing.close()


def _back_up_sqlite(source: Path, target: Path) -> None:
    if not source.is_file():
        raise BackupRefused(f"the database file {source} does not exist")
    temporary = _temporary_beside(target, "part")
    try:
        _copy_sqlite(source, temporary)
        with sqlite3.connect(temporary) as copy:
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
            problem = copy.execute("PRAGMA integrity_check").fetchone()[0]
        copy.close()
        if problem != "ok":
            raise BackupRefused(f"the copy failed SQLite's integrity check ({problem}); nothing was kept")
        os.replace(temporary, target)
    except sqlite3.Error as error:
        raise BackupRefused(f"SQLite could not copy {source}: {error}") from error
    finally:
        _remove(temporary)


def connection_options(url: URL) -> list[str]:
    """pg_dump's and pg_restore's options naming the URL's server, account and database."""
    options = []
    for flag, value in (("--host", url.host), ("--port", url.port), ("--username", url.username),
                        ("--dbname", url.database)):
        if value:
            options += [flag, str(value)]
    return options


def _environment(url: URL) -> dict:
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    return environment


def _by_hand(url: URL, arguments: list[str]) -> str:
    shown = shlex.join(arguments + connection_options(url))
    return ("PGPASSWORD=... " if url.password else "") + shown


def _tool(name: str, url: URL, arguments: list[str]) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupRefused(f"{name} is not installed on this host (it comes with the PostgreSQL client tools, "
                            f"package postgresql-client). Install it, or run by hand:\n\n    "
                            f"{_by_hand(url, [name, *arguments])}\n\n(docs/backup.md)")
    return found


def _run(command: list[str], url: URL) -> subprocess.CompletedProcess:
    return subprocess.run(command, env=_environment(url), capture_output=True, text=True, check=False)


def _back_up_postgres(url: URL, target: Path) -> None:
    tool = _tool("pg_dump", url, ["--format=custom", f"--file={target}"])
    temporary = _temporary_beside(target, "part")
    try:
        result = _run([tool, "--format=custom", f"--file={temporary}", *connection_options(url)], url)
        if result.returncode != 0:
            raise BackupRefused(f"pg_dump failed, nothing was kept: {result.stderr.strip()}")
        os.replace(temporary, target)
    finally:
        _remove(temporary)


# --- what a backup file is ----------------------------------------------------------------------

def inspect_backup(path: Path) -> BackupFile:
    """Which kind of backup `path` is and the migration it is at; refused when it is not an iom
    database, or was made by a newer version."""
    if not path.is_file():
        raise BackupRefused(f"{path} is not a file")
    with path.open("rb") as handle:
        start = handle.read(len(SQLITE_HEADER))
    if start.startswith(SQLITE_HEADER):
        return _checked_revision(path, "sqlite", _sqlite_revision(path))
    if start.startswith(PG_DUMP_HEADER):
        return _checked_revision(path, "postgresql", _postgres_revision(path))
    raise BackupRefused(f"{path} is not an iom backup: it is neither an SQLite database nor a PostgreSQL "
                        "custom-format dump (pg_dump --format=custom)")


def _sqlite_revision(path: Path) -> str | None:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as backup:
            tables = {name for (name,) in backup.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            missing = IOM_TABLES - tables
            if missing:
                raise BackupRefused(f"{path} is an SQLite database but not an iom one (it has no "
                                    f"{', '.join(sorted(missing))} table)")
            row = backup.execute("SELECT version_num FROM alembic_version").fetchone()
        backup.close()
    except sqlite3.Error as error:
        raise BackupRefused(f"{path} cannot be read as an SQLite database: {error}") from error
    return row[0] if row else None


def _postgres_revision(path: Path) -> str | None:
    url = db.engine.url
    tool = _tool("pg_restore", url, ["--list", str(path)])
    listing = _run([tool, "--list", str(path)], url)
    if listing.returncode != 0:
        raise BackupRefused(f"{path} cannot be read by pg_restore: {listing.stderr.strip()}")
    tables = set(re.findall(r"\bTABLE \S+ (\w+) ", listing.stdout))
    missing = IOM_TABLES - tables
    if missing:
        raise BackupRefused(f"{path} is a PostgreSQL dump but not of an iom database (it has no "
                            f"{', '.join(sorted(missing))} table)")
    data = _run([tool, "--data-only", "--table=alembic_version", "--file=-", str(path)], url)
    match = re.search(r"^COPY \S*alembic_version \(version_num\) FROM stdin;\n([^\n\\]+)\n", data.stdout, re.M)
    return match.group(1).strip() if match else None


# --- restoring ----------------------------------------------------------------------------------

def rows_held(engine) -> int:
    """Rows in the database's tables beyond a freshly migrated database's own bookkeeping."""
    names = [name for name in inspect(engine).get_table_names() if name not in BOOKKEEPING]
    if not names:
        return 0
    with engine.connect() as connection:
        return sum(connection.scalar(select(func.count()).select_from(table(name))) for name in names)


def restore(path: Path, *, force: bool = False) -> Restored:
    """Put the backup at `path` into the service's database (the one DATABASE_URL names)."""
    url = db.engine.url
    kind = database_kind(url)
    backup = inspect_backup(path)
    if backup.kind != kind:
        raise BackupRefused(f"{path} is a {backup.kind} backup, but the service's database is {kind}: restore "
                            f"it into a {backup.kind} database")
    held = rows_held(db.engine)
    if held and not force:
        raise BackupRefused(f"{describe(url)} already holds data ({held:,} rows). Nothing was restored: give "
                            "--force to replace it (back it up first if you may need it)")
    db.session.remove()
    db.engine.dispose()
    if kind == "sqlite":
        checked = _restore_sqlite(backup, Path(url.database))
    else:
        checked = _restore_postgres(backup, url)
    db.engine.dispose()
    if checked is not None:
        with audit.acting_as("system (command line)"):
            audit.record("database.restored", f"Database restored from the backup {path.name}",
                         subject=("database", None),
                         changes={"file": [None, path.name], "revision": [None, backup.revision],
                                  "entries_checked": [None, checked]})
        db.session.commit()
    return Restored(backup, checked)


def _chain_refused(report: audit.ChainReport, what: str) -> BackupRefused:
    return BackupRefused(f"the backup's audit trail is BROKEN at entry {report.first_bad_seq}: {report.problem} "
                         f"(checked under this service's AUDIT_KEY; a backup taken under another key fails so "
                         f"too). {what}")


def verify_copy(uri: str) -> audit.ChainReport:
    """The audit chain check, run on another database than the service's."""
    engine = create_engine(uri)
    try:
        with Session(engine) as session:
            return audit.verify_chain(session=session)
    finally:
        engine.dispose()


def _restore_sqlite(backup: BackupFile, target: Path) -> int | None:
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    temporary = _temporary_beside(target, "restoring")
    try:
        _copy_sqlite(backup.path, temporary)  # checked before the service's file is touched
        checked = None
        if backup.is_current:
            report = verify_copy(f"sqlite:///{temporary}")
            if not report.is_intact:
                raise _chain_refused(report, "Nothing was restored")
            checked = report.entries_checked
        _copy_sqlite(temporary, target)  # through SQLite, so the target's -wal file is dealt with too
        return checked
    except sqlite3.Error as error:
        raise BackupRefused(f"SQLite could not restore {backup.path}: {error}") from error
    finally:
        _remove(temporary)


def _restore_postgres(backup: BackupFile, url: URL) -> int | None:
    arguments = ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
    tool = _tool("pg_restore", url, [*arguments, str(backup.path)])
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            if inspect(connection).get_table_names():
                # replacing (told to by --force, or an empty schema): start from an empty schema, so no table
                # of a newer migration is left behind beside an older backup
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()
    result = _run([tool, *arguments, *connection_options(url), str(backup.path)], url)
    if result.returncode != 0:
        raise BackupRefused(f"pg_restore failed and rolled back: {result.stderr.strip()}")
    if not backup.is_current:
        return None
    report = verify_copy(url)
    if not report.is_intact:
        raise _chain_refused(report, f"It WAS restored into {describe(url)}: do not serve from it; find out "
                                     "what happened to the backup, and restore another")
    return report.entries_checked
