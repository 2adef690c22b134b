"""alcohol: AUDIT-C screenings, alcohol service referrals and agencies, the alcohol discussion paper

Create Date: 2026-12-02 04:40:00

"""
from alembic import op
import sqlalchemy as sa

import iom.db_types


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'

QUESTIONS = ('drinking_frequency', 'typical_units', 'heavy_drinking_frequency')
KINDS = {
    # table: (kinds before, kinds after)
    'referral': ("kind IN ('housing', 'mental_health')", "kind IN ('housing', 'mental_health', 'alcohol')"),
    'agency': ("kind IN ('housing', 'mental_health', 'both')",
               "kind IN ('housing', 'mental_health', 'both', 'alcohol')"),
}


def _set_kind_check(table: str, check: str, old: str) -> None:
    """Replace a table's kind check. PostgreSQL alters the constraint. SQLite cannot: Alembic's batch mode
    would rebuild the table, and dropping `referral` to rebuild it is refused while status changes refer
    to its rows (foreign keys are on, and cannot be turned off inside the migration's transaction). So on
    SQLite the CHECK's text in the table's stored CREATE TABLE is rewritten, the procedure SQLite's own
    documentation gives for changing constraints; only ever widened here (no stored row can break it),
    and narrowed back on downgrade only once no row uses the new kind."""
    name = f'ck_{table}_kind_known'
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite':
        op.drop_constraint(op.f(name), table, type_='check')
        op.create_check_constraint(op.f(name), table, check)
        return
    sql = bind.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).scalar()
    if old not in sql:
        raise RuntimeError(f'the {table} table has no check {old!r} to replace')
    version = bind.exec_driver_sql('PRAGMA schema_version').scalar()
    bind.exec_driver_sql('PRAGMA writable_schema = ON')
    bind.exec_driver_sql("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
                         (sql.replace(old, check), table))
    bind.exec_driver_sql(f'PRAGMA schema_version = {int(version) + 1}')
    bind.exec_driver_sql('PRAGMA writable_schema = OFF')


def upgrade():
    op.create_table('alcohol_screening',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('screened_on', sa.Date(), nullable=False),
    sa.Column('drinking_frequency', sa.Integer(), nullable=False),
    sa.Column('typical_units', sa.Integer(), nullable=False),
    sa.Column('heavy_drinking_frequency', sa.Integer(), nullable=False),
    sa.Column('recorded_at', iom.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    *[sa.CheckConstraint(f'{question} >= 0 AND {question} <= 4', name=op.f(f'ck_alcohol_screening_{question}_in_range'))
      for question in QUESTIONS],
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_alcohol_screening_client_id_client')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'],
                            name=op.f('fk_alcohol_screening_recorded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alcohol_screening'))
    )
    op.create_index('ix_alcohol_screening_client_day', 'alcohol_screening', ['client_id', 'screened_on'], unique=False)
    op.create_index(op.f('ix_alcohol_screening_screened_on'), 'alcohol_screening', ['screened_on'], unique=False)

    op.create_table('alcohol_paper',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('financial_year', sa.String(length=7), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('introduction', sa.Text(), nullable=True),
    sa.Column('discussion', sa.Text(), nullable=True),
    sa.Column('interventions', sa.Text(), nullable=True),
    sa.Column('figures', sa.Text(), nullable=True),
    sa.Column('created_at', iom.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', iom.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('published_at', iom.db_types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("status IN ('draft', 'published')", name=op.f('ck_alcohol_paper_status_known')),
    sa.CheckConstraint('number >= 1', name=op.f('ck_alcohol_paper_number_positive')),
    sa.CheckConstraint("(status = 'draft' AND published_at IS NULL AND figures IS NULL) OR "
                       "(status = 'published' AND published_at IS NOT NULL AND figures IS NOT NULL)",
                       name=op.f('ck_alcohol_paper_published_is_frozen')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_alcohol_paper_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_alcohol_paper_updated_by_id_user_account')),
    sa.ForeignKeyConstraint(['published_by_id'], ['user_account.id'],
                            name=op.f('fk_alcohol_paper_published_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alcohol_paper')),
    sa.UniqueConstraint('financial_year', 'number', name='uq_alcohol_paper_year_number')
    )
    op.create_index(op.f('ix_alcohol_paper_financial_year'), 'alcohol_paper', ['financial_year'], unique=False)

    for table, (old, new) in KINDS.items():
        _set_kind_check(table, new, old)


def downgrade():
    bind = op.get_bind()
    for table in KINDS:
        if bind.exec_driver_sql(f"SELECT count(*) FROM {table} WHERE kind = 'alcohol'").scalar():  # nosec B608: table is a key of the constant KINDS
            raise RuntimeError(f'{table} rows of the kind alcohol exist: remove them before downgrading')
    for table, (old, new) in KINDS.items():
        _set_kind_check(table, old, new)
    op.drop_index(op.f('ix_alcohol_paper_financial_year'), table_name='alcohol_paper')
    op.drop_table('alcohol_paper')
    op.drop_index(op.f('ix_alcohol_screening_screened_on'), table_name='alcohol_screening')
    op.drop_index('ix_alcohol_screening_client_day', table_name='alcohol_screening')
    op.drop_table('alcohol_screening')
