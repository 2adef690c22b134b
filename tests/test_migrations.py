"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from iom.extensions import db
from tests.conftest import ON_POSTGRES


def test_models_and_migrations_agree(app):
    with app.app_context():
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
    assert differences == []


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
