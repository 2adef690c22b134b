"""`backup PATH` and `restore PATH`: a populated database round-trips row by row with its audit trail
intact, on SQLite (the online backup) and PostgreSQL (pg_dump and pg_restore), even while the service
writes; and a restore refuses what it must, changing nothing."""
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from iom import audit
from iom.audit.models import AuditEntry
from iom.backups import operations
from iom.clients.models import Client
from iom.extensions import db
from tests.builders import add_clients, app_on, count, every_row, populate_caseload, scratch_postgres_database
from tests.conftest import ON_POSTGRES

# under xdist the writer thread's test runs alone in its group; the PostgreSQL scratch database is one per worker
pytestmark = pytest.mark.xdist_group("concurrency")


def uri_of(app) -> str:
    with app.app_context():
        return db.engine.url.render_as_string(hide_password=False)


@pytest.fixture
def target(app, tmp_path):
    """An empty database to restore into: a new SQLite file, or a PostgreSQL database of the test's own."""
    if ON_POSTGRES:
        uri = scratch_postgres_database(uri_of(app), "restore")
    else:
        uri = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    copy = app_on(app, uri)
    yield copy
    with copy.app_context():
        db.session.remove()
        db.engine.dispose()


def back_up(runner, path: Path, *extra: str):
    return runner.invoke(args=["backup", str(path), *extra])


def restore(app, path: Path, *extra: str):
    return app.test_cli_runner().invoke(args=["restore", str(path), *extra])


def test_a_populated_database_round_trips_row_by_row_and_its_copy_verifies(app, runner, target, tmp_path):
    populate_caseload(app, runner)
    before = every_row(uri_of(app))
    assert len(before["client"]) > 80 and len(before["audit_entry"]) > 100
    assert all(before[name] for name in ("scheme_period", "custody_event", "case_note", "referral",
                                         "support_payment", "watch_entry", "offence", "alcohol_screening"))
    path = tmp_path / "iom-backup.dump"

    result = back_up(runner, path)

    assert result.exit_code == 0, result.output
    assert "Backed up" in result.output and path.stat().st_mode & 0o077 == 0  # the service's account only
    result = restore(target, path)
    assert result.exit_code == 0, result.output
    assert "audit trail intact" in result.output
    after = every_row(uri_of(target))
    assert after.keys() == before.keys()
    for name in before:
        if name in ("audit_entry", "audit_chain_head"):
            continue
        assert after[name] == before[name], name
    # the copy's trail is the original's, then the restore's own entry
    assert after["audit_entry"][:-1] == before["audit_entry"]
    with target.app_context():
        assert db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq.desc())).first() \
            == "database.restored"
    verified = target.test_cli_runner().invoke(args=["audit-verify"])
    assert verified.exit_code == 0, verified.output
    assert "Audit trail intact" in verified.output
    assert "database.backed_up" in [row.action for row in audit_rows(app)]


def audit_rows(app):
    with app.app_context():
        return db.session.execute(select(AuditEntry.action, AuditEntry.changes).order_by(AuditEntry.seq)).all()


def test_a_backup_taken_while_another_connection_writes_is_consistent(app, runner, target, tmp_path):
    add_clients(app, 20_000)  # enough pages that the copy takes a moment
    written, errors = [], []
    started, stop = threading.Event(), threading.Event()

    def service():
        with app.app_context():
            while not stop.is_set():
                try:
                    audit.record("test.write", f"entry {len(written) + 1}", actor_label="test")
                    db.session.commit()
                    written.append(1)
                except Exception as error:  # noqa: BLE001 - any failure is the finding
                    db.session.rollback()
                    errors.append(repr(error))
                if len(written) >= 20:
                    started.set()
            db.session.remove()

    writer = threading.Thread(target=service)
    writer.start()
    assert started.wait(30)
    before = len(written)
    path = tmp_path / "while-writing.backup"
    result = back_up(runner, path)
    during = len(written)
    stop.set()
    writer.join(30)

    assert result.exit_code == 0, result.output
    assert errors == []  # the writer was never blocked into failing by the backup
    assert restore(target, path).exit_code == 0
    with target.app_context():
        copied = db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "test.write"))
        assert audit.verify_chain().is_intact
    assert before <= copied <= during
    assert count(target, Client) == 20_000


def test_backup_refuses_to_replace_a_file_unless_forced(app, runner, tmp_path):
    path = tmp_path / "exists.backup"
    path.write_text("keep me")
    result = back_up(runner, path)
    assert result.exit_code == 1
    assert "already exists" in result.output and path.read_text() == "keep me"
    assert back_up(runner, path, "--force").exit_code == 0
    assert path.read_bytes()[:5] in (b"SQLit", b"PGDMP")


def test_backup_into_a_missing_folder_is_refused_clearly(runner, tmp_path):
    result = back_up(runner, tmp_path / "no-such-folder" / "x.backup")
    assert result.exit_code == 1
    assert "does not exist" in result.output


def test_restore_refuses_a_database_that_holds_data_unless_forced(app, runner, make_client, tmp_path):
    make_client(given="Backed")
    path = tmp_path / "one.backup"
    assert back_up(runner, path).exit_code == 0
    make_client(given="Later")
    clients = count(app, Client)

    result = restore(app, path)

    assert result.exit_code == 1
    assert "already holds data" in result.output and "--force" in result.output
    assert count(app, Client) == clients
    result = restore(app, path, "--force")
    assert result.exit_code == 0, result.output
    assert count(app, Client) == clients - 1


def test_restore_refuses_what_is_not_an_iom_backup(target, tmp_path):
    text_file = tmp_path / "notes.txt"
    text_file.write_text("not a database")
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE anything (id INTEGER)")
    connection.close()
    for path, words in ((text_file, "is not an iom backup"), (other, "not an iom one"),
                        (tmp_path / "missing.backup", "is not a file")):
        result = restore(target, path)
        assert result.exit_code == 1, path
        assert words in result.output
    assert every_row(uri_of(target)) == {}


@pytest.mark.skipif(ON_POSTGRES, reason="opens the backup as a SQLite file to edit it; a pg_dump archive "
                    "cannot be edited in place (on PostgreSQL the restore makes the same checks: the archive's "
                    "revision, then the audit chain after pg_restore)")
def test_restore_of_an_older_backup_says_to_upgrade_and_a_newer_one_is_refused(runner, target, tmp_path):
    path = tmp_path / "old.backup"
    assert back_up(runner, path).exit_code == 0
    with sqlite3.connect(path) as backup:
        backup.execute("UPDATE alembic_version SET version_num = '0011'")
    backup.close()
    result = restore(target, path)
    assert result.exit_code == 0, result.output
    assert "older than this version's" in result.output and "db upgrade" in result.output

    with sqlite3.connect(path) as backup:
        backup.execute("UPDATE alembic_version SET version_num = '0099'")
    backup.close()
    result = restore(target, path, "--force")
    assert result.exit_code == 1
    assert "0099" in result.output and "newer version" in result.output


@pytest.mark.skipif(ON_POSTGRES, reason="opens the backup as a SQLite file to edit it; a pg_dump archive "
                    "cannot be edited in place (on PostgreSQL the restore makes the same checks: the archive's "
                    "revision, then the audit chain after pg_restore)")
def test_a_backup_whose_trail_was_edited_is_not_restored(app, runner, make_client, target, tmp_path):
    make_client()
    path = tmp_path / "edited.backup"
    assert back_up(runner, path).exit_code == 0
    with sqlite3.connect(path) as backup:
        backup.execute("DROP TRIGGER audit_entry_append_only_update")
        backup.execute("UPDATE audit_entry SET summary = 'nothing to see' WHERE seq = 1")
    backup.close()

    result = restore(target, path)

    assert result.exit_code == 1
    assert "BROKEN at entry 1" in result.output and "Nothing was restored" in result.output
    assert every_row(uri_of(target)) == {}


def test_a_backup_under_another_audit_key_does_not_verify(app, runner, make_client, tmp_path):
    make_client()
    path = tmp_path / "key.backup"
    assert back_up(runner, path).exit_code == 0
    if ON_POSTGRES:
        uri = scratch_postgres_database(uri_of(app), "restore")
    else:
        uri = f"sqlite:///{tmp_path / 'other-key.sqlite3'}"
    other = app_on(app, uri)
    other.config["AUDIT_KEY"] = "another-audit-key-" + "z" * 32
    result = restore(other, path)
    assert result.exit_code == 1
    assert "BROKEN" in result.output and "AUDIT_KEY" in result.output
    with other.app_context():
        db.engine.dispose()


def test_without_the_postgresql_tools_the_commands_are_printed(app, monkeypatch):
    from sqlalchemy.engine import make_url
    monkeypatch.setattr(operations.shutil, "which", lambda name: None)
    url = make_url("postgresql+psycopg://iom:secret@db.internal:5433/iom")
    with pytest.raises(operations.BackupRefused) as refused:
        operations._tool("pg_dump", url, ["--format=custom", "--file=iom.dump"])
    message = str(refused.value)
    assert "pg_dump is not installed" in message
    assert "PGPASSWORD=... pg_dump --format=custom --file=iom.dump --host db.internal --port 5433 " \
           "--username iom --dbname iom" in message
    assert "secret" not in message


@pytest.mark.skipif(not ON_POSTGRES, reason="pg_dump is only called for a PostgreSQL database; make test's PostgreSQL pass (TEST_DATABASE_URL) runs this")
def test_postgres_backup_without_pg_dump_exits_1_with_the_command(app, runner, monkeypatch, tmp_path):
    monkeypatch.setattr(operations.shutil, "which", lambda name: None)
    result = back_up(runner, tmp_path / "x.dump")
    assert result.exit_code == 1
    assert "pg_dump is not installed" in result.output and "--format=custom" in result.output
    assert not (tmp_path / "x.dump").exists()
