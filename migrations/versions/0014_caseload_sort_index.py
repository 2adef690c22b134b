"""the caseload's order by name as an index, and the planner's statistics

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 14:20:00

The caseload is sorted by lower(family name), lower(given name), id; with this index a page is
read in order and the query stops after its rows, instead of sorting every client first.
ANALYZE gives SQLite's planner the statistics it otherwise never has (without them it walks
scheme periods by the wrong index). PostgreSQL's autovacuum keeps its own statistics, so it is
left to do so.
"""
from alembic import op
import sqlalchemy as sa

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_client_sort_name', 'client', [sa.text('lower(family_name)'), sa.text('lower(given_name)'), 'id'])
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ANALYZE')


def downgrade():
    op.drop_index('ix_client_sort_name', table_name='client')
