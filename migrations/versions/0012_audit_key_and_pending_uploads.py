"""the audit chain keyed by HMAC-SHA256 under AUDIT_KEY; uploads held between preview and confirm in the database

Revision ID: 0012
Revises: 0010 (on the branch; 0011 once merged after the sign-in work)
Create Date: 2026-12-02 07:20:00

pending_upload holds an import's files between the preview and the confirmation, so a confirmation
may land on any host (before, they sat in one host's instance/ folder).

The audit trail: the whole existing chain is checked first under the old hash, and the migration refuses (changing
nothing) if it is already broken: re-keying must not launder an earlier edit. Then every entry's
prev_hash and entry_hash are written again under the key, and the head with them. The database's
append-only guard is lifted for that one transaction (migrations run as the table's owner) and put
back before it commits. Downgrading does the reverse: checked under the key, re-chained by SHA-256.
"""
from types import SimpleNamespace

from alembic import op
from flask import current_app
import sqlalchemy as sa

import iom.db_types
from iom.audit import keyed_digest, unkeyed_digest

revision = '0012'
down_revision = "0011"
branch_labels = None
depends_on = None

GENESIS_HASH = '0' * 64
BATCH = 1000
COLUMNS = ('seq', 'occurred_at', 'actor_id', 'actor_label', 'action', 'subject_type', 'subject_id',
           'summary', 'changes', 'request_id', 'prev_hash', 'entry_hash')

entry_table = sa.table(
    'audit_entry', sa.column('id', sa.Integer), sa.column('seq', sa.Integer),
    sa.column('occurred_at', iom.db_types.UTCDateTime(timezone=True)), sa.column('actor_id', sa.Integer),
    sa.column('actor_label', sa.String), sa.column('action', sa.String), sa.column('subject_type', sa.String),
    sa.column('subject_id', sa.String), sa.column('summary', sa.Text), sa.column('changes', sa.JSON),
    sa.column('request_id', sa.String), sa.column('prev_hash', sa.String), sa.column('entry_hash', sa.String))
head_table = sa.table('audit_chain_head', sa.column('id', sa.Integer), sa.column('last_seq', sa.Integer),
                      sa.column('last_hash', sa.String))


def _lift_guard(bind) -> None:
    if bind.dialect.name == 'postgresql':
        op.execute('ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_append_only')
    else:
        op.execute('DROP TRIGGER audit_entry_append_only_update')


def _restore_guard(bind) -> None:
    if bind.dialect.name == 'postgresql':
        op.execute('ALTER TABLE audit_entry ENABLE TRIGGER audit_entry_append_only')
    else:
        op.execute("""CREATE TRIGGER audit_entry_append_only_update BEFORE UPDATE ON audit_entry
                      BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END""")


def _entries(bind):
    """Every entry in chain order, read in batches, each as an object the digests can read."""
    after = 0
    while True:
        rows = bind.execute(sa.select(entry_table).where(entry_table.c.seq > after)
                            .order_by(entry_table.c.seq).limit(BATCH)).all()
        if not rows:
            return
        for row in rows:
            yield row.id, SimpleNamespace(**{name: getattr(row, name) for name in COLUMNS})
        after = rows[-1].seq


def _check(bind, digest, name: str) -> None:
    """Refuse, before anything is changed, a chain that is already broken under its current hash."""
    prev, count = GENESIS_HASH, 0
    for _, entry in _entries(bind):
        if entry.seq != count + 1 or entry.prev_hash != prev or digest(entry) != entry.entry_hash:
            raise RuntimeError(
                f'The audit trail is already broken at entry {count + 1} under the {name} hash: run '
                f'`flask --app iom audit-verify` on the previous release and investigate before migrating. '
                f'Nothing was changed.')
        prev, count = entry.entry_hash, count + 1
    head = bind.execute(sa.select(head_table).where(head_table.c.id == 1)).one()
    if (head.last_seq, head.last_hash) != (count, prev):
        raise RuntimeError(f'The audit trail should end at entry {head.last_seq} but ends at entry {count}: '
                           f'investigate before migrating. Nothing was changed.')


def _rechain(old_digest, new_digest, old_name: str) -> None:
    """Check the chain under old_digest, then write it again under new_digest."""
    bind = op.get_bind()
    _check(bind, old_digest, old_name)
    _lift_guard(bind)
    prev = GENESIS_HASH
    for row_id, entry in _entries(bind):
        entry.prev_hash = prev
        prev = new_digest(entry)
        bind.execute(entry_table.update().where(entry_table.c.id == row_id)
                     .values(prev_hash=entry.prev_hash, entry_hash=prev))
    bind.execute(head_table.update().where(head_table.c.id == 1).values(last_hash=prev))
    _restore_guard(bind)


def upgrade():
    key = current_app.config['AUDIT_KEY']
    _rechain(unkeyed_digest, lambda entry: keyed_digest(entry, key), 'old (unkeyed SHA-256)')
    op.create_table(
        'pending_upload',
        sa.Column('id', sa.Integer(), nullable=False), sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=False),
        sa.Column('created_at', iom.db_types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', iom.db_types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('details', sa.JSON(), nullable=False), sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['owner_id'], ['user_account.id'], name=op.f('fk_pending_upload_owner_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_pending_upload')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_pending_upload_token_hash')))
    with op.batch_alter_table('pending_upload', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pending_upload_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_pending_upload_owner_id'), ['owner_id'], unique=False)


def downgrade():
    op.drop_table('pending_upload')  # its indexes go with it
    key = current_app.config['AUDIT_KEY']
    _rechain(lambda entry: keyed_digest(entry, key), unkeyed_digest, 'keyed')
