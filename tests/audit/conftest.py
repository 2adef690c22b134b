"""The audit area's fixtures: the database's append-only guard taken away, as an insider could."""
import pytest
from sqlalchemy import text

from iom.extensions import db
from tests.conftest import ON_POSTGRES


def _execute(app, statement: str) -> None:
    with app.app_context():
        db.session.execute(text(statement))
        db.session.commit()


@pytest.fixture
def without_append_only_triggers(app):
    """Take the database's guard away, as someone with direct database access could: triggers
    disabled on PostgreSQL, dropped on SQLite."""
    if ON_POSTGRES:
        _execute(app, "ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_append_only")
    else:
        _execute(app, "DROP TRIGGER audit_entry_append_only_update")
        _execute(app, "DROP TRIGGER audit_entry_append_only_delete")
    yield
    if ON_POSTGRES:  # the PostgreSQL schema is shared by later tests; the SQLite file is not
        with app.app_context():
            db.session.rollback()
        _execute(app, "ALTER TABLE audit_entry ENABLE TRIGGER audit_entry_append_only")
