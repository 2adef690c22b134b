"""the caseload's generation covers all a caseload page shows: offences and their scoring, and the accounts

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 02:30:00

Migration 0017 gave the client rows a generation (caseload_generation's one row): a token any change to them
replaces. A caseload page also shows each client's adoption score, made from the offences, the score
settings and the gravity weights, and the offender managers' names from the accounts. With the same token
replaced by changes to those too, a worker may keep a whole caseload page (its count, its rows and its
markup) until anything it shows changes (iom/generations.py, iom/kept_pages.py).

The same one row for every table, not a row each: a transaction that changes a client then an offence, and
another that changes an offence then a client (a disposal), each lock that one row first, so they queue and
never deadlock crosswise over two rows.

As in 0017: a random token, not a counter, so a change rolled back cannot give a later change the same
token; triggers on every insert, update and delete (and TRUNCATE on PostgreSQL), whichever way a change is
made, using 0017's function on PostgreSQL. On SQLite, a migration that rebuilds one of these tables
(batch_alter_table) drops its triggers: tests/clients/test_kept_caseload.py checks they are all there at head.
"""
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

EVENTS = ('INSERT', 'UPDATE', 'DELETE')
WATCHED = ('offence', 'score_settings', 'gravity_weight', 'user_account')
BUMP = 'BEGIN UPDATE caseload_generation SET token = random() WHERE id = 1; END'


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for table in WATCHED:
            op.execute(f"""
                CREATE TRIGGER caseload_generation_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
                FOR EACH STATEMENT EXECUTE FUNCTION caseload_generation_bump()
            """)  # nosec B608: constants only
    else:
        for table in WATCHED:
            for event in EVENTS:
                op.execute(f"CREATE TRIGGER caseload_generation_{table}_{event.lower()} AFTER {event} ON {table} "
                           f"{BUMP}")  # nosec B608: constants only


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for table in WATCHED:
            op.execute(f'DROP TRIGGER IF EXISTS caseload_generation_bump ON {table}')
    else:
        for table in WATCHED:
            for event in EVENTS:
                op.execute(f'DROP TRIGGER IF EXISTS caseload_generation_{table}_{event.lower()}')
