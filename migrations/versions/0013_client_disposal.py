"""a client's disposal under the retention rule: when (who and why are in its audit entry; docs/data-protection.md)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 14:00:00
"""
from alembic import op
import sqlalchemy as sa

import iom.db_types

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN, as 0004's: rebuilding the client table on SQLite would drop a table the other
    # tables' rows refer to.
    op.add_column('client', sa.Column('disposed_at', iom.db_types.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite (3.35 or later) drops a plain column in place; a batch rebuild would fail on the rows referring
        # to clients
        op.execute('ALTER TABLE client DROP COLUMN disposed_at')
    else:
        op.drop_column('client', 'disposed_at')
