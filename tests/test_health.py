"""/healthz (docs/operations.md): 200 when the database answers and its schema is at the migrations'
head, 503 with a JSON reason otherwise; public, and it writes nothing (no audit entry, no session)."""
import pytest
from flask_migrate import stamp
from sqlalchemy import func, select

from iom import create_app
from iom.audit.models import AuditEntry
from iom.extensions import db


def keyed(uri: str) -> dict:
    return {"SECRET_KEY": "x" * 32, "PSEUDONYM_KEY": "y" * 32, "AUDIT_KEY": "z" * 32, "SQLALCHEMY_DATABASE_URI": uri}


def entries(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEntry))


def test_healthy_when_the_database_answers_at_the_migrations_head(app, client):
    before = entries(app)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "migrations": "head"}
    assert "Set-Cookie" not in response.headers and response.headers["Cache-Control"] == "no-store"
    assert entries(app) == before


def test_healthy_signed_in_too(signed_in):
    client, _ = signed_in("officer")
    assert client.get("/healthz").json["status"] == "ok"


def test_an_old_schema_is_unavailable_until_migrated(app, client):
    with app.app_context():
        stamp(revision="0011")
    try:
        response = client.get("/healthz")
    finally:
        with app.app_context():
            stamp(revision="head")  # PostgreSQL's test database keeps alembic_version between tests
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "reason": "migrations",
                             "detail": "The database schema is not at the migrations' head: run "
                                       "flask --app iom db upgrade."}
    assert client.get("/healthz").status_code == 200


def test_a_database_with_no_schema_is_unavailable(tmp_path):
    empty = create_app(keyed(f"sqlite:///{tmp_path / 'empty.sqlite3'}"))
    response = empty.test_client().get("/healthz")
    assert response.status_code == 503 and response.json["reason"] == "migrations"
    assert "no schema yet" in response.json["detail"]


@pytest.mark.parametrize("uri", ["sqlite:////no/such/folder/iom.sqlite3",
                                 "postgresql+psycopg://iom@127.0.0.1:1/iom"])  # nothing listens on port 1
def test_an_unreachable_database_is_unavailable_and_says_nothing_more(tmp_path, uri, capsys):
    down = create_app(keyed(uri))
    response = down.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "reason": "database", "detail": "The database did not answer."}
    written = capsys.readouterr().err
    assert '"reason": "database"' in written and "127.0.0.1" not in written and "no/such" not in written
