"""the review designed by the outside reviewer: versions, chosen sections, findings, questions

Revision ID: 0010
Revises: 0008 (for now: another branch adds 0009, and this revises 0009 once both are merged)
Create Date: 2026-12-02 04:24:21.745016

"""
from alembic import op
import sqlalchemy as sa

import iom.db_types


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    # Every table starts empty: a year has no review until its reviewer starts one.
    op.create_table('review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('financial_year', sa.String(length=7), nullable=False),
    sa.Column('created_at', iom.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review')),
    sa.UniqueConstraint('financial_year', name=op.f('uq_review_financial_year'))
    )
    op.create_table('review_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('organisation', sa.String(length=200), nullable=True),
    sa.Column('started_at', iom.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('started_by_id', sa.Integer(), nullable=True),
    sa.Column('signed_off_at', iom.db_types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('signed_off_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("(status = 'signed_off') = (signed_off_at IS NOT NULL)", name=op.f('ck_review_version_signed_off_when_signed')),
    sa.CheckConstraint("status IN ('draft', 'signed_off')", name=op.f('ck_review_version_status_known')),
    sa.CheckConstraint('number >= 1', name=op.f('ck_review_version_number_positive')),
    sa.ForeignKeyConstraint(['review_id'], ['review.id'], name=op.f('fk_review_version_review_id_review')),
    sa.ForeignKeyConstraint(['signed_off_by_id'], ['user_account.id'], name=op.f('fk_review_version_signed_off_by_id_user_account')),
    sa.ForeignKeyConstraint(['started_by_id'], ['user_account.id'], name=op.f('fk_review_version_started_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_version')),
    sa.UniqueConstraint('review_id', 'number', name='uq_review_version_review_number')
    )
    with op.batch_alter_table('review_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_version_review_id'), ['review_id'], unique=False)

    op.create_table('review_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('section', sa.String(length=40), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('asked_at', iom.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('asked_by_id', sa.Integer(), nullable=True),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_at', iom.db_types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['answered_by_id'], ['user_account.id'], name=op.f('fk_review_question_answered_by_id_user_account')),
    sa.ForeignKeyConstraint(['asked_by_id'], ['user_account.id'], name=op.f('fk_review_question_asked_by_id_user_account')),
    sa.ForeignKeyConstraint(['version_id'], ['review_version.id'], name=op.f('fk_review_question_version_id_review_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_question'))
    )
    with op.batch_alter_table('review_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_question_version_id'), ['version_id'], unique=False)

    op.create_table('review_section',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('section', sa.String(length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('findings', sa.Text(), nullable=True),
    sa.Column('recommendations', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['version_id'], ['review_version.id'], name=op.f('fk_review_section_version_id_review_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_section')),
    sa.UniqueConstraint('version_id', 'section', name='uq_review_section_version_section')
    )
    with op.batch_alter_table('review_section', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_section_version_id'), ['version_id'], unique=False)



def downgrade():
    with op.batch_alter_table('review_section', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_section_version_id'))

    op.drop_table('review_section')
    with op.batch_alter_table('review_question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_question_version_id'))

    op.drop_table('review_question')
    with op.batch_alter_table('review_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_version_review_id'))

    op.drop_table('review_version')
    op.drop_table('review')
