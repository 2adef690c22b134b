"""each client's latest scheme period and custody status kept on the client (iom/clients/latest.py)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 19:30:00

The caseload lists, counts, filters and sorts by these plain columns instead of working out every
client's current period and custody status with correlated subqueries on every page. They are
worked out here once from the rows, and from then on in the same transaction as any write of a
period or a custody change.
"""
from alembic import op
import sqlalchemy as sa

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

COLUMNS = ('latest_strand', 'latest_joined_on', 'latest_left_on', 'latest_custody_status')
LATEST_PERIOD = ('(SELECT scheme_period.{0} FROM scheme_period WHERE scheme_period.client_id = client.id '
                 'ORDER BY scheme_period.joined_on DESC, scheme_period.id DESC LIMIT 1)')


def upgrade():
    # plain ADD COLUMNs, as 0013's: rebuilding the client table on SQLite would drop a table others refer to
    op.add_column('client', sa.Column('latest_strand', sa.String(length=32), nullable=True))
    op.add_column('client', sa.Column('latest_joined_on', sa.Date(), nullable=True))
    op.add_column('client', sa.Column('latest_left_on', sa.Date(), nullable=True))
    op.add_column('client', sa.Column('latest_custody_status', sa.String(length=16), nullable=False,
                                      server_default='community'))
    op.execute('UPDATE client SET '  # nosec B608: built from this file's constant column names only
               f"latest_strand = {LATEST_PERIOD.format('strand')}, "
               f"latest_joined_on = {LATEST_PERIOD.format('joined_on')}, "
               f"latest_left_on = {LATEST_PERIOD.format('left_on')}, "
               "latest_custody_status = COALESCE((SELECT custody_event.status FROM custody_event "
               "WHERE custody_event.client_id = client.id "
               "ORDER BY custody_event.from_date DESC, custody_event.id DESC LIMIT 1), 'community')")


def downgrade():
    for column in reversed(COLUMNS):
        if op.get_bind().dialect.name == 'sqlite':
            op.execute(f'ALTER TABLE client DROP COLUMN {column}')
        else:
            op.drop_column('client', column)
