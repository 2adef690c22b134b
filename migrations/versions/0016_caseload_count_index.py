"""the caseload's count from an index

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 14:20:00

The caseload counts the clients on the scheme today (not merged away, joined, not left) and how
many of them come before the page shown, by name. This index holds every column that count reads,
so it is read instead of every client row (at 5,000 clients on SQLite: 1.4 ms to 0.9 ms).
"""
from alembic import op
import sqlalchemy as sa

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_client_on_scheme', 'client', ['merged_into_id', 'latest_joined_on', 'latest_left_on',
                                                      sa.text('lower(family_name)'), sa.text('lower(given_name)'),
                                                      'id'])
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ANALYZE')


def downgrade():
    op.drop_index('ix_client_on_scheme', table_name='client')
