"""adoption score settings and gravity weights (who to adopt next: Recency, Frequency, Gravity)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 00:22:54.281224

"""
from alembic import op
import sqlalchemy as sa

import iom.db_types


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    # Both start empty: until a manager saves the scoring, the documented defaults in
    # iom/offending/scores.py apply (docs/offending-scores.md).
    op.create_table('gravity_weight',
    sa.Column('offence_type', sa.String(length=32), nullable=False),
    sa.Column('weight', sa.Integer(), nullable=False),
    sa.CheckConstraint("offence_type IN ('domestic_burglary', 'non_domestic_burglary', 'robbery', 'theft_of_vehicle', 'theft_from_vehicle', 'vehicle_interference', 'theft_from_person', 'shoplifting', 'other_theft', 'violence_with_injury', 'violence_without_injury', 'criminal_damage', 'drug_offence', 'public_order', 'breach', 'other')", name=op.f('ck_gravity_weight_type_known')),
    sa.CheckConstraint('weight >= 0 AND weight <= 10', name=op.f('ck_gravity_weight_weight_in_range')),
    sa.PrimaryKeyConstraint('offence_type', name=op.f('pk_gravity_weight'))
    )
    op.create_table('score_settings',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('recent_days', sa.Integer(), nullable=False),
    sa.Column('recent_points', sa.Integer(), nullable=False),
    sa.Column('middle_days', sa.Integer(), nullable=False),
    sa.Column('middle_points', sa.Integer(), nullable=False),
    sa.Column('older_days', sa.Integer(), nullable=False),
    sa.Column('older_points', sa.Integer(), nullable=False),
    sa.Column('points_per_offence', sa.Integer(), nullable=False),
    sa.Column('offence_cap', sa.Integer(), nullable=False),
    sa.Column('points_per_gravity', sa.Integer(), nullable=False),
    sa.Column('threshold', sa.Integer(), nullable=False),
    sa.Column('set_at', iom.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('0 < recent_days AND recent_days < middle_days AND middle_days < older_days', name=op.f('ck_score_settings_bands_in_order')),
    sa.CheckConstraint('id = 1', name=op.f('ck_score_settings_one_row')),
    sa.CheckConstraint('points_per_offence >= 0 AND offence_cap >= 1 AND points_per_gravity >= 0', name=op.f('ck_score_settings_parts_not_negative')),
    sa.CheckConstraint('recent_points >= middle_points AND middle_points >= older_points AND older_points >= 0', name=op.f('ck_score_settings_points_in_order')),
    sa.CheckConstraint('threshold >= 1', name=op.f('ck_score_settings_threshold_positive')),
    sa.ForeignKeyConstraint(['set_by_id'], ['user_account.id'], name=op.f('fk_score_settings_set_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_score_settings'))
    )


def downgrade():
    op.drop_table('score_settings')
    op.drop_table('gravity_weight')
