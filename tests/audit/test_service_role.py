"""On PostgreSQL the service runs as a role that may only INSERT and SELECT the audit trail: with
its password nobody can UPDATE, DELETE or TRUNCATE entries or switch the triggers off, yet the
service's own writes work as before."""
import os

import pytest
import sqlalchemy.exc
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from iom import audit, create_app
from iom.auth import operations
from iom.clients.operations import add_client
from iom.clock import today_in_london
from iom.extensions import db
from tests.conftest import ON_POSTGRES, _base_config
from tests.pages import TEST_TOTP_SECRET, sign_in

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="roles and grants are PostgreSQL's; the embedded "
                                                        "SQLite file has none (its triggers are tested in test_trail)")

# roles belong to the whole server: one per xdist worker, so workers never race to create the same one
ROLE = f"iom_service_test_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"


@pytest.fixture
def service_uri(app, runner, database_uri):
    result = runner.invoke(args=["grant-service-role", ROLE])
    assert result.exit_code == 0, result.output
    return make_url(database_uri).set(username=ROLE, password=None).render_as_string(hide_password=False)


@pytest.mark.parametrize("statement", [
    "UPDATE audit_entry SET summary = 'nothing to see here'",
    "DELETE FROM audit_entry",
    "TRUNCATE audit_entry",
    "ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_append_only",
    "ALTER TABLE audit_entry DISABLE TRIGGER ALL",
    "DROP TRIGGER audit_entry_append_only ON audit_entry",
    "SET session_replication_role = replica",
    "DELETE FROM audit_chain_head",
], ids=["update", "delete", "truncate", "disable-trigger", "disable-all-triggers", "drop-trigger",
        "replica-mode", "remove-head"])
def test_the_service_role_cannot_alter_the_audit_trail(app, service_uri, statement):
    with app.app_context():
        audit.record("test.entry", "An entry to protect", actor_label="test")
        db.session.commit()
    engine = create_engine(service_uri)
    try:
        with engine.connect() as connection:
            with pytest.raises(sqlalchemy.exc.ProgrammingError, match="permission denied|must be owner"):
                connection.execute(text(statement))
    finally:
        engine.dispose()
    with app.app_context():
        assert audit.verify_chain().is_intact


def test_the_service_works_as_the_service_role(app, service_uri, runner):
    service = create_app({**_base_config(service_uri)})
    with service.app_context():
        operations.create_user("ann.officer", "officer", "copper kettle meadow 17", actor_label="test",
                               totp_secret=TEST_TOTP_SECRET)
        db.session.commit()
    client = service.test_client()
    assert sign_in(client, service, "ann.officer", "copper kettle meadow 17").status_code == 302
    assert client.get("/").status_code == 200
    # a client added as the service role replaces the caseload's generation (a trigger), and the caseload counts it
    with service.app_context():
        add_client({"given_name": "Service", "family_name": "Role", "programme": "ppo", "alcohol_related": "no"},
                   strand="catch_convict", joined_on=today_in_london())
        db.session.commit()
    listed = client.get("/clients?officer=&scheme=all")
    assert listed.status_code == 200 and "1 client" in listed.text and "Role, Service" in listed.text
    with service.app_context():
        report = audit.verify_chain()
        assert report.is_intact and report.entries_checked >= 3  # the grant, the account, the sign-in
        db.engine.dispose()


def test_the_service_role_cannot_remove_the_caseload_generation(app, service_uri):
    engine = create_engine(service_uri)
    try:
        with engine.connect() as connection:
            for statement in ("DELETE FROM caseload_generation", "INSERT INTO caseload_generation VALUES (2, 0)"):
                with pytest.raises(sqlalchemy.exc.ProgrammingError, match="permission denied"):
                    connection.execute(text(statement))
                connection.rollback()
    finally:
        engine.dispose()


def test_the_grants_can_be_printed_for_a_database_administrator(runner):
    result = runner.invoke(args=["grant-service-role", "iom_service", "--print-sql"])
    assert result.exit_code == 0
    assert "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO iom_service;" in result.output
    assert "REVOKE UPDATE, DELETE ON audit_entry FROM iom_service;" in result.output


def test_a_role_name_that_needs_quoting_is_refused(runner):
    result = runner.invoke(args=["grant-service-role", "iom; DROP TABLE client"])
    assert result.exit_code == 1
    assert "Nothing granted: 'iom; DROP TABLE client' is not a role name" in result.output
