"""audit entries keep a proxy's request id of up to 200 characters

Create Date: 2026-12-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'

SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER audit_entry_append_only_{event.lower()} BEFORE {event} ON audit_entry
        BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END"""
    for event in ('UPDATE', 'DELETE')
]


def _set_length(length: int) -> None:
    if op.get_bind().dialect.name == 'postgresql':
        # widening a varchar rewrites no rows, so the append-only triggers are not involved
        op.alter_column('audit_entry', 'request_id', type_=sa.String(length=length),
                        existing_type=sa.String(), existing_nullable=True)
        return
    # SQLite rebuilds the table, which drops its triggers: create them again afterwards
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.alter_column('request_id', type_=sa.String(length=length), existing_nullable=True)
    for trigger in SQLITE_TRIGGERS:
        op.execute(trigger)


def upgrade():
    _set_length(200)


def downgrade():
    _set_length(32)
