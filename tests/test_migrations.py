"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""
import warnings

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from iom.extensions import db
from tests.conftest import ON_POSTGRES


# SQLAlchemy cannot reflect an index on expressions from SQLite, so the comparison cannot see it there:
# it is looked for by name instead.
EXPRESSION_INDEXES = {"ix_client_sort_name": "client", "ix_client_on_scheme": "client"}


def test_models_and_migrations_agree(app):
    with app.app_context():
        with db.engine.connect() as connection, warnings.catch_warnings():
            warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression-based index",
                                    category=UserWarning)
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
            indexes = {index["name"]: table for table in set(EXPRESSION_INDEXES.values())
                       for index in inspect(connection).get_indexes(table)}
            if connection.dialect.name == "sqlite":
                indexes = dict(connection.execute(text("SELECT name, tbl_name FROM sqlite_master WHERE type = 'index'")).all())
    if not ON_POSTGRES:
        differences = [difference for difference in differences
                       if not (difference[0] == "add_index" and difference[1].name in EXPRESSION_INDEXES)]
    assert differences == []
    assert {name: indexes.get(name) for name in EXPRESSION_INDEXES} == EXPRESSION_INDEXES


def test_schema_is_at_the_latest_revision(app):
    from alembic.script import ScriptDirectory
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        heads = ScriptDirectory.from_config(config).get_heads()
        current = db.session.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    assert current == heads


def test_audit_trail_is_append_only_in_the_database(app):
    with app.app_context():
        if ON_POSTGRES:
            triggers = db.session.execute(text(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_entry'::regclass AND NOT tgisinternal"
            )).scalars().all()
            assert sorted(triggers) == ["audit_entry_append_only", "audit_entry_no_truncate"]
        else:
            triggers = db.session.execute(text(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_entry'"
            )).scalars().all()
            assert sorted(triggers) == ["audit_entry_append_only_delete", "audit_entry_append_only_update"]
        assert "audit_entry" in inspect(db.engine).get_table_names()


def test_postgres_refuses_truncating_the_audit_trail(app):
    if not ON_POSTGRES:
        return  # SQLite has no TRUNCATE; its DELETE trigger is checked above
    import pytest
    from sqlalchemy.exc import DBAPIError
    with app.app_context():
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(text("TRUNCATE audit_entry"))
        db.session.rollback()


def test_the_adoption_score_tables_come_and_go_with_their_migration(app):
    """0008 downgrades (dropping only its own tables) and upgrades again, on either database."""
    from flask_migrate import downgrade, upgrade
    with app.app_context():
        downgrade(revision="0007")
        tables = set(inspect(db.engine).get_table_names())
        assert not {"score_settings", "gravity_weight"} & tables and {"offence", "client"} <= tables
        upgrade()
        assert {"score_settings", "gravity_weight"} <= set(inspect(db.engine).get_table_names())


def test_0012_re_chains_the_unkeyed_trail_under_the_audit_key(app, capsys):
    """Entries chained by plain SHA-256 before 0012 are checked, then chained again by HMAC; going
    back re-chains them by SHA-256. A trail already broken is refused with nothing changed."""
    import pytest
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import select

    from iom import audit
    from iom.audit.models import AuditEntry

    def hashes():
        return db.session.execute(select(AuditEntry.seq, AuditEntry.prev_hash, AuditEntry.entry_hash)
                                  .order_by(AuditEntry.seq)).all()

    with app.app_context():
        for number in range(5):
            audit.record("test.entry", f"Test entry {number + 1}", actor_label="test")
        db.session.commit()
        keyed = hashes()
        downgrade(revision="0011")
        unkeyed = hashes()
        assert all(entry.entry_hash == audit.unkeyed_digest(entry)
                   for entry in db.session.scalars(select(AuditEntry)))
        assert {h for row in unkeyed for h in row[1:]}.isdisjoint({h for row in keyed for h in row[1:]} - {"0" * 64})
        assert not audit.verify_chain().is_intact
        # broken under the old hash (the guard lifted as an insider would): the upgrade refuses
        guard_off = ("ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_append_only" if ON_POSTGRES
                     else "DROP TRIGGER audit_entry_append_only_update")
        db.session.execute(text(guard_off))
        db.session.execute(text("UPDATE audit_entry SET summary = 'edited' WHERE seq = 3"))
        db.session.commit()
        with pytest.raises(SystemExit):  # Flask-Migrate turns the migration's RuntimeError into exit 1
            upgrade()
        assert "already broken at entry 3 under the old (unkeyed SHA-256) hash" in capsys.readouterr().err
        db.session.rollback()
        assert hashes() == unkeyed
        db.session.execute(text("UPDATE audit_entry SET summary = 'Test entry 3' WHERE seq = 3"))
        db.session.execute(text("ALTER TABLE audit_entry ENABLE TRIGGER audit_entry_append_only" if ON_POSTGRES else
                                "CREATE TRIGGER audit_entry_append_only_update BEFORE UPDATE ON audit_entry "
                                "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END"))
        db.session.commit()
        upgrade()
        assert hashes() == keyed
        assert audit.verify_chain().is_intact


def test_0013_adds_the_disposal_column_and_takes_it_away_again(app):
    """0013 downgrades (dropping only its column, the clients kept) and upgrades again, on either database."""
    from flask_migrate import downgrade, upgrade

    from tests.builders import add_client
    reference = add_client(app, "Kept", "Through")
    with app.app_context():
        downgrade(revision="0012")
        columns = {column["name"] for column in inspect(db.engine).get_columns("client")}
        assert "disposed_at" not in columns and "merged_into_id" in columns
        assert db.session.execute(text("SELECT reference FROM client")).scalars().all() == [reference]
        db.session.rollback()
        upgrade()
        columns = {column["name"] for column in inspect(db.engine).get_columns("client")}
        assert "disposed_at" in columns
