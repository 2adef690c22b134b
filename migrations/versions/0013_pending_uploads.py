"""uploads held between preview and confirm live in the database, not on one host's disk

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 07:30:00

"""
from alembic import op
import sqlalchemy as sa

import iom.db_types

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('pending_upload',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('created_at', iom.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', iom.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['user_account.id'], name=op.f('fk_pending_upload_owner_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pending_upload')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_pending_upload_token_hash'))
    )
    with op.batch_alter_table('pending_upload', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pending_upload_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_pending_upload_owner_id'), ['owner_id'], unique=False)


def downgrade():
    with op.batch_alter_table('pending_upload', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pending_upload_owner_id'))
        batch_op.drop_index(batch_op.f('ix_pending_upload_expires_at'))
    op.drop_table('pending_upload')
