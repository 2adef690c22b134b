"""a watch list entry's disposal under the retention rule: when (who and why are in its audit entry)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 03:15:00

People partners watched who never joined the scheme have no client record, so the client's retention rule
(0013) never reached them. An entry closed more than the retention years ago, and not adopted, is now
listed for review too; disposing of it erases the person's details and keeps its dates and outcome.
"""
from alembic import op
import sqlalchemy as sa

import iom.db_types

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN, as 0013's: rebuilding the table on SQLite would drop the rows' references to it.
    op.add_column('watch_entry', sa.Column('disposed_at', iom.db_types.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE watch_entry DROP COLUMN disposed_at')
    else:
        op.drop_column('watch_entry', 'disposed_at')
