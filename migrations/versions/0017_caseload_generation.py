"""the caseload's generation: a token every change to a client row replaces

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 14:45:00

The caseload's count (how many clients match, and how many come before the page shown) reads
only client rows, and is most of a caseload page's database time. A worker keeps the counts it
has worked out under this token (iom/pagination.py, Prepared.page), and works a count out again
whenever the token is not the one it was kept under. The triggers set a new random token on any
insert, update or delete of client rows (and TRUNCATE on PostgreSQL), whichever way the change is
made: the ORM, a statement, the importer's driver rows, a merge, a disposal, or SQL typed by hand.
A random token, not a counter, so that a change rolled back cannot give a later change the same
token. On SQLite, a migration that rebuilds the client table (batch_alter_table) drops its
triggers: tests/test_migrations.py checks they are there at head.
"""
from alembic import op
import sqlalchemy as sa

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

EVENTS = ('INSERT', 'UPDATE', 'DELETE')
BUMP = 'BEGIN UPDATE caseload_generation SET token = random() WHERE id = 1; END'


def upgrade():
    op.create_table('caseload_generation',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('token', sa.BigInteger(), nullable=False),
                    sa.PrimaryKeyConstraint('id', name=op.f('pk_caseload_generation')))
    op.execute("INSERT INTO caseload_generation (id, token) VALUES (1, 0)")
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("""
            CREATE FUNCTION caseload_generation_bump() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                UPDATE caseload_generation SET token = floor(random() * 9.0e18)::bigint WHERE id = 1;
                RETURN NULL;
            END
            $$
        """)
        op.execute("""
            CREATE TRIGGER caseload_generation_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON client
            FOR EACH STATEMENT EXECUTE FUNCTION caseload_generation_bump()
        """)
    else:
        for event in EVENTS:
            name = f"caseload_generation_{event.lower()}"
            op.execute(f"CREATE TRIGGER {name} AFTER {event} ON client {BUMP}")  # nosec B608: constants only


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER IF EXISTS caseload_generation_bump ON client')
        op.execute('DROP FUNCTION IF EXISTS caseload_generation_bump()')
    else:
        for event in EVENTS:
            op.execute(f'DROP TRIGGER IF EXISTS caseload_generation_{event.lower()}')
    op.drop_table('caseload_generation')
