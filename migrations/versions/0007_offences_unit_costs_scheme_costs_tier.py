"""offences, unit costs of crime, scheme costs, cohort tier

Create Date: 2026-12-02 00:02:24.633714

"""
from alembic import op
import sqlalchemy as sa

import iom.db_types


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'


def upgrade():
    op.create_table('offence_unit_cost',
    sa.Column('offence_type', sa.String(length=32), nullable=False),
    sa.Column('cost_gbp', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('price_year', sa.String(length=7), nullable=False),
    sa.Column('source', sa.Text(), nullable=True),
    sa.Column('set_at', iom.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("offence_type IN ('domestic_burglary', 'non_domestic_burglary', 'robbery', 'theft_of_vehicle', 'theft_from_vehicle', 'vehicle_interference', 'theft_from_person', 'shoplifting', 'other_theft', 'violence_with_injury', 'violence_without_injury', 'criminal_damage', 'drug_offence', 'public_order', 'breach', 'other')", name=op.f('ck_offence_unit_cost_type_known')),
    sa.CheckConstraint('cost_gbp > 0', name=op.f('ck_offence_unit_cost_cost_positive')),
    sa.ForeignKeyConstraint(['set_by_id'], ['user_account.id'], name=op.f('fk_offence_unit_cost_set_by_id_user_account')),
    sa.PrimaryKeyConstraint('offence_type', name=op.f('pk_offence_unit_cost'))
    )
    op.create_table('scheme_cost',
    sa.Column('financial_year', sa.String(length=7), nullable=False),
    sa.Column('staff_costs_gbp', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('other_costs_gbp', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('source', sa.Text(), nullable=True),
    sa.Column('set_at', iom.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('other_costs_gbp >= 0', name=op.f('ck_scheme_cost_other_not_negative')),
    sa.CheckConstraint('staff_costs_gbp >= 0', name=op.f('ck_scheme_cost_staff_not_negative')),
    sa.ForeignKeyConstraint(['set_by_id'], ['user_account.id'], name=op.f('fk_scheme_cost_set_by_id_user_account')),
    sa.PrimaryKeyConstraint('financial_year', name=op.f('pk_scheme_cost'))
    )
    op.create_table('offence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=True),
    sa.Column('watch_entry_id', sa.Integer(), nullable=True),
    sa.Column('offence_on', sa.Date(), nullable=False),
    sa.Column('offence_type', sa.String(length=32), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('crime_reference', sa.String(length=40), nullable=True),
    sa.Column('alcohol_involved', sa.String(length=8), nullable=False),
    sa.Column('recorded_at', iom.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("alcohol_involved IN ('yes', 'no', 'unknown')", name=op.f('ck_offence_alcohol_known')),
    sa.CheckConstraint("offence_type IN ('domestic_burglary', 'non_domestic_burglary', 'robbery', 'theft_of_vehicle', 'theft_from_vehicle', 'vehicle_interference', 'theft_from_person', 'shoplifting', 'other_theft', 'violence_with_injury', 'violence_without_injury', 'criminal_damage', 'drug_offence', 'public_order', 'breach', 'other')", name=op.f('ck_offence_type_known')),
    sa.CheckConstraint("outcome IS NULL OR outcome IN ('convicted', 'cautioned', 'charged', 'other')", name=op.f('ck_offence_outcome_known')),
    sa.CheckConstraint('(client_id IS NULL) <> (watch_entry_id IS NULL)', name=op.f('ck_offence_one_person')),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_offence_client_id_client')),
    sa.ForeignKeyConstraint(['watch_entry_id'], ['watch_entry.id'], name=op.f('fk_offence_watch_entry_id_watch_entry')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_offence_recorded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offence'))
    )
    with op.batch_alter_table('offence', schema=None) as batch_op:
        batch_op.create_index('ix_offence_client_day', ['client_id', 'offence_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_offence_offence_on'), ['offence_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_offence_watch_entry_id'), ['watch_entry_id'], unique=False)

    # A plain ADD COLUMN, not a batch rebuild of the client table (see 0004); SQLite takes the check inline.
    tier_known = "tier IS NULL OR tier IN ('fixed', 'flex', 'free')"
    if op.get_bind().dialect.name == 'sqlite':
        op.execute(f'ALTER TABLE client ADD COLUMN tier VARCHAR(8) CONSTRAINT ck_client_tier_known CHECK ({tier_known})')
    else:
        op.add_column('client', sa.Column('tier', sa.String(length=8), nullable=True))
        op.create_check_constraint(op.f('ck_client_tier_known'), 'client', tier_known)
    op.create_index(op.f('ix_client_tier'), 'client', ['tier'], unique=False)



def downgrade():
    op.drop_index(op.f('ix_client_tier'), table_name='client')
    if op.get_bind().dialect.name == 'sqlite':  # a column's own check goes with it
        op.execute('ALTER TABLE client DROP COLUMN tier')
    else:
        op.drop_constraint(op.f('ck_client_tier_known'), 'client', type_='check')
        op.drop_column('client', 'tier')

    with op.batch_alter_table('offence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offence_watch_entry_id'))
        batch_op.drop_index(batch_op.f('ix_offence_offence_on'))
        batch_op.drop_index('ix_offence_client_day')

    op.drop_table('offence')
    op.drop_table('scheme_cost')
    op.drop_table('offence_unit_cost')
