"""The factory's wiring: configuration, database settings, blueprints, headers, wsgi."""
import importlib

from sqlalchemy import text

from iom import create_app
from iom.config import instance_secret_key, normalise_database_url
from iom.extensions import db
from tests.conftest import ON_POSTGRES


def test_testing_config_is_applied(app):
    assert app.testing
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["IDLE_TIMEOUT"].total_seconds() == 30 * 60


def test_default_database_is_sqlite_in_instance_folder(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app({"SECRET_KEY": "x"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///iom.sqlite3"
    with app.app_context():
        assert str(db.engine.url.database).startswith(app.instance_path)
        db.engine.dispose()


def test_database_url_from_environment_uses_psycopg3(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://someone@db.internal:5432/iom")
    app = create_app({"SECRET_KEY": "x", "PSEUDONYM_KEY": "y", "AUDIT_KEY": "z"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://someone@db.internal:5432/iom"
    assert normalise_database_url("postgresql://a@b/c") == "postgresql+psycopg://a@b/c"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_secret_key_from_environment(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert create_app().config["SECRET_KEY"] == "from-the-environment"


def test_audit_key_from_environment_is_not_the_secret_key(monkeypatch):
    monkeypatch.setenv("AUDIT_KEY", "audit-from-the-environment")
    app = create_app({"SECRET_KEY": "x", "PSEUDONYM_KEY": "y"})
    assert app.config["AUDIT_KEY"] == "audit-from-the-environment"


def test_a_server_database_without_an_audit_key_is_refused(monkeypatch):
    """Each host would make up its own key and call the others' entries forged."""
    import pytest
    monkeypatch.delenv("AUDIT_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql://someone@db.internal:5432/iom")
    with pytest.raises(RuntimeError, match="AUDIT_KEY is not set"):
        create_app({"SECRET_KEY": "x", "PSEUDONYM_KEY": "y"})


def test_the_audit_key_is_generated_once_into_the_instance_folder_for_sqlite(tmp_path):
    first = instance_secret_key(str(tmp_path), "audit_key")
    assert first == instance_secret_key(str(tmp_path), "audit_key") and first != instance_secret_key(str(tmp_path))
    assert (tmp_path / "audit_key").stat().st_mode & 0o077 == 0


def test_secret_key_is_generated_once_and_kept(tmp_path):
    first = instance_secret_key(str(tmp_path))
    second = instance_secret_key(str(tmp_path))
    assert first == second and len(first) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_sqlite_connections_get_wal_foreign_keys_and_a_busy_timeout(app):
    if ON_POSTGRES:
        return  # this pass runs on PostgreSQL; the SQLite pass checks these pragmas
    with app.app_context():
        connection = db.session.connection()
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_blueprints_are_registered(app):
    assert {"auth", "accounts", "home", "audit"} <= set(app.blueprints)


def test_security_headers_on_every_page(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


def test_pages_have_no_inline_script(client):
    page = client.get("/login").text
    assert "<script>" not in page and "<script " in page
    assert 'type="module"' in page


def test_strict_transport_security_and_secure_cookie_behind_https(monkeypatch, database_uri):
    monkeypatch.setenv("IOM_BEHIND_HTTPS", "1")
    app = create_app({"SECRET_KEY": "x", "PSEUDONYM_KEY": "y", "AUDIT_KEY": "z", "SQLALCHEMY_DATABASE_URI": database_uri})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert "max-age" in app.test_client().get("/login").headers["Strict-Transport-Security"]


def test_wsgi_exposes_app(monkeypatch, database_uri):
    monkeypatch.setenv("DATABASE_URL", database_uri)
    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.setenv("IOM_PSEUDONYM_KEY", "y")  # both required when the test database is PostgreSQL
    monkeypatch.setenv("AUDIT_KEY", "y")
    module = importlib.import_module("wsgi")
    assert module.app.name == "iom"


def test_health_check_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json["status"] == "ok"  # the rest: tests/test_health.py


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.text
