"""a support payment's purpose description is optional unless its category is Other

Create Date: 2026-12-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'

payment = sa.table('support_payment', sa.column('purpose', sa.String), sa.column('detail', sa.Text))


def upgrade():
    with op.batch_alter_table('support_payment', schema=None) as batch_op:
        batch_op.alter_column('detail', existing_type=sa.Text(), nullable=True)
    # An import used to copy a bare code ("id_documents") into the description as well: that is no description.
    op.execute(payment.update().where(payment.c.detail == payment.c.purpose).values(detail=None))


def downgrade():
    op.execute(payment.update().where(payment.c.detail.is_(None)).values(detail=payment.c.purpose))
    with op.batch_alter_table('support_payment', schema=None) as batch_op:
        batch_op.alter_column('detail', existing_type=sa.Text(), nullable=False)
