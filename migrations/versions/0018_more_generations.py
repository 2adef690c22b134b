"""generations for what else a caseload page shows: offending and scoring, and the accounts

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 02:30:00

Migration 0017 gave the client rows a generation (caseload_generation row 1): a token any change to them
replaces. A caseload page also shows each client's adoption score, made from the offences, the score
settings and the gravity weights, and the offender managers' names from the accounts. With a generation for
each of those too, a worker may keep a whole caseload page (its count, its rows and its markup) until any of
the three changes (iom/generations.py, iom/clients/views.py):

    row 1  client                                          (0017)
    row 2  offence, score_settings, gravity_weight         the offending and how it is scored
    row 3  user_account                                    the accounts

As in 0017: a random token, not a counter, so a change rolled back cannot give a later change the same
token; triggers on every insert, update and delete (and TRUNCATE on PostgreSQL), whichever way a change is
made. On SQLite, a migration that rebuilds one of these tables (batch_alter_table) drops its triggers:
tests/test_migrations.py checks they are all there at head.
"""
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

EVENTS = ('INSERT', 'UPDATE', 'DELETE')
WATCHED = {'offence': 2, 'score_settings': 2, 'gravity_weight': 2, 'user_account': 3}


def upgrade():
    op.execute("INSERT INTO caseload_generation (id, token) VALUES (2, 0), (3, 0)")
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("""
            CREATE FUNCTION caseload_generation_bump_row() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                UPDATE caseload_generation SET token = floor(random() * 9.0e18)::bigint
                WHERE id = TG_ARGV[0]::integer;
                RETURN NULL;
            END
            $$
        """)
        for table, row in WATCHED.items():
            op.execute(f"""
                CREATE TRIGGER caseload_generation_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
                FOR EACH STATEMENT EXECUTE FUNCTION caseload_generation_bump_row('{row}')
            """)  # nosec B608: constants only
    else:
        for table, row in WATCHED.items():
            for event in EVENTS:
                op.execute(f"CREATE TRIGGER caseload_generation_{table}_{event.lower()} AFTER {event} ON {table} "
                           f"BEGIN UPDATE caseload_generation SET token = random() WHERE id = {row}; END")  # nosec B608: constants only


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for table in WATCHED:
            op.execute(f'DROP TRIGGER IF EXISTS caseload_generation_bump ON {table}')
        op.execute('DROP FUNCTION IF EXISTS caseload_generation_bump_row()')
    else:
        for table in WATCHED:
            for event in EVENTS:
                op.execute(f'DROP TRIGGER IF EXISTS caseload_generation_{table}_{event.lower()}')
    op.execute("DELETE FROM caseload_generation WHERE id IN (2, 3)")
