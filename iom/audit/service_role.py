"""On PostgreSQL the service connects as a role of its own, not as the tables' owner: it may read
and write the caseload's tables, but only INSERT and SELECT the audit trail, so even with the
service's own password nobody can UPDATE, DELETE or TRUNCATE an entry or switch the append-only
triggers off (only the owner may ALTER a table; session_replication_role needs a superuser).
Migrations keep running as the owner; run the grants again after each migration that adds a table."""
import re

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def grant_statements(role: str, database: str) -> list[str]:
    """The SQL, run as the tables' owner, that makes `role` (created if missing) the service's role."""
    if not ROLE_NAME.match(role):
        raise ValueError(f"'{role}' is not a role name: use lower-case letters, digits and _ (up to 63)")
    if not ROLE_NAME.match(database):
        raise ValueError(f"the database name '{database}' needs quoting: grant by hand (docs/audit-trail.md)")
    return [
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN "  # nosec B608: both names matched ROLE_NAME above
        f"CREATE ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS; END IF; END $$",
        f"GRANT CONNECT ON DATABASE {database} TO {role}",
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        # the trail: append and read only; its head row is moved on by each entry, never added or removed
        f"REVOKE UPDATE, DELETE ON audit_entry FROM {role}",
        f"REVOKE INSERT, DELETE ON audit_chain_head FROM {role}",
        f"REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {role}",
        # the caseload's generation (migrations 0017, 0018): its one row is replaced by triggers, never added or removed
        f"REVOKE INSERT, DELETE ON caseload_generation FROM {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
    ]
