"""The audit trail. Every view of a person's record, every change and every export goes
through record(), in the same transaction as the change it describes.

Each entry is chained to the one before by HMAC-SHA256 under the audit key (AUDIT_KEY, kept
outside the database): someone who can write to the database but has not the key cannot edit,
insert or re-hash entries unnoticed. Removing entries from the end and moving the head back is
found by checkpoints kept outside the database (checkpoints.py)."""
import hashlib
import hmac
import json
import uuid
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from flask import current_app, g, has_request_context
from flask_login import current_user
from sqlalchemy import String, bindparam, insert, select, update

from iom.audit.models import GENESIS_HASH, AuditChainHead, AuditEntry
from iom.clock import utcnow
from iom.extensions import db

_PROCESS_REQUEST_ID = uuid.uuid4().hex
_acting_as: ContextVar[str | None] = ContextVar("audit_acting_as", default=None)


@contextmanager
def acting_as(label: str):
    """Name who is acting for entries written outside a signed-in request (a command, demo data)."""
    token = _acting_as.set(label)
    try:
        yield
    finally:
        _acting_as.reset(token)


def _plain(value):
    """Reduce changes to JSON-native values so the stored JSON hashes the same when read back."""
    return json.loads(json.dumps(value, default=str, sort_keys=True))


def _subject_of(subject) -> tuple[str | None, str | None]:
    """A subject's (type, id): a (type, id) pair as given, or a row's table name (unless its model
    names another type in __audit_type__) and id."""
    if subject is None:
        return None, None
    if isinstance(subject, tuple):
        kind, ident = subject
        return kind, None if ident is None else str(ident)
    kind = getattr(subject, "__audit_type__", None) or subject.__tablename__
    return kind, str(subject.id)


def _actor():
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user._get_current_object()
    return None


def _request_id() -> str:
    if has_request_context():
        return g.get("request_id") or _PROCESS_REQUEST_ID
    return _PROCESS_REQUEST_ID


def canonical_content(entry) -> bytes:
    """The bytes an entry's hash covers: its content and the previous entry's hash (any object
    with the entry's attributes: a model, or a row read by a migration)."""
    content = {
        "seq": entry.seq,
        "occurred_at": entry.occurred_at.isoformat(timespec="microseconds"),
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "action": entry.action,
        "subject_type": entry.subject_type,
        "subject_id": entry.subject_id,
        "summary": entry.summary,
        "changes": entry.changes,
        "request_id": entry.request_id,
        "prev_hash": entry.prev_hash,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def keyed_digest(entry, key: str) -> str:
    """HMAC-SHA256 of the entry's content under the audit key."""
    return hmac.new(key.encode("utf-8"), canonical_content(entry), hashlib.sha256).hexdigest()


def unkeyed_digest(entry) -> str:
    """Plain SHA-256, as entries were chained before migration 0012 re-keyed them."""
    return hashlib.sha256(canonical_content(entry)).hexdigest()


def entry_digest(entry: AuditEntry) -> str:
    """The hash over an entry's content and the previous entry's hash, keyed by the app's audit key."""
    return keyed_digest(entry, current_app.config["AUDIT_KEY"])


def record(action: str, summary: str, *, subject=None, changes=None, actor=None,
           actor_label: str | None = None) -> AuditEntry:
    """Write one audit entry in the current transaction; raise if it cannot be written.

    The caller commits: the entry and the change it describes stand or fall together.
    """
    db.session.flush()  # give new subjects their ids
    actor = actor if actor is not None else _actor()
    subject_type, subject_id = _subject_of(subject)
    # Claiming the head row first takes the write lock (SQLite) or the row lock
    # (PostgreSQL), so concurrent writers queue instead of forking the chain.
    seq, prev_hash = db.session.execute(_CLAIM_HEAD).one()
    entry = AuditEntry(
        seq=seq,
        occurred_at=utcnow(),
        actor_id=actor.id if actor is not None else None,
        actor_label=actor.username if actor is not None else (actor_label or _acting_as.get() or "system"),
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        summary=summary,
        changes=_plain(changes) if changes is not None else None,
        request_id=_request_id(),
        prev_hash=prev_hash,
    )
    entry.entry_hash = entry_digest(entry)
    # A plain INSERT, not the unit of work: a page view's entry is a third of its cost through the ORM.
    # The entry returned is not in the session (read it back to see it as stored). On PostgreSQL the head is
    # moved on by the same statement (a data-modifying WITH): one round trip fewer on every audited request.
    values = {column: getattr(entry, column) for column in _COLUMNS}
    if db.engine.dialect.name == "postgresql":
        written = db.session.execute(_INSERT_ENTRY_MOVING_HEAD, values | {"last_hash": entry.entry_hash})
    else:
        written = db.session.execute(_INSERT_ENTRY, values)
        db.session.execute(_MOVE_HEAD, {"last_hash": entry.entry_hash})
    entry.id = written.inserted_primary_key[0]
    return entry


_COLUMNS = ("seq", "occurred_at", "actor_id", "actor_label", "action", "subject_type", "subject_id", "summary",
            "changes", "request_id", "prev_hash", "entry_hash")
# Every audited request runs these three: built once (building a statement costs SQLAlchemy more than running it).
_HEAD = AuditChainHead.__table__
_CLAIM_HEAD = (update(_HEAD).where(_HEAD.c.id == 1).values(last_seq=_HEAD.c.last_seq + 1)
               .returning(_HEAD.c.last_seq, _HEAD.c.last_hash))
_INSERT_ENTRY = insert(AuditEntry.__table__)
_MOVE_HEAD = update(_HEAD).where(_HEAD.c.id == 1).values(last_hash=bindparam("last_hash", type_=String))
_INSERT_ENTRY_MOVING_HEAD = insert(AuditEntry.__table__).add_cte(_MOVE_HEAD.cte("moved_head"))


def field_changes(before: dict, after: dict) -> dict:
    """The fields that differ, as {field: [old, new]}."""
    return {key: [before.get(key), after.get(key)]
            for key in sorted(set(before) | set(after)) if before.get(key) != after.get(key)}


@dataclass
class ChainReport:
    is_intact: bool
    entries_checked: int
    first_bad_seq: int | None = None
    problem: str | None = None


def verify_chain(batch_size: int = 1000, session=None) -> ChainReport:
    """Walk the whole trail and report the first entry that was edited, removed or inserted (in
    `session`'s database: by default the service's own; a restore checks its copy first)."""
    session = session if session is not None else db.session
    entries = session.execute(
        select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=batch_size)
    ).scalars()
    try:
        return _walk(entries, session)
    finally:
        entries.close()  # a report made part-way leaves no cursor open on the table


def _walk(entries, session) -> ChainReport:
    expected_seq = 1
    prev_hash = GENESIS_HASH
    checked = 0
    for entry in entries:
        if entry.seq != expected_seq:
            return ChainReport(False, checked, expected_seq,
                               f"entry {expected_seq} is missing (next found is {entry.seq})")
        if entry.prev_hash != prev_hash:
            return ChainReport(False, checked, entry.seq,
                               f"entry {entry.seq} does not follow entry {entry.seq - 1}")
        if not hmac.compare_digest(entry_digest(entry), entry.entry_hash):
            return ChainReport(False, checked, entry.seq,
                               f"entry {entry.seq} was changed after it was written, or forged "
                               f"(its hash does not match under the audit key)")
        prev_hash = entry.entry_hash
        expected_seq += 1
        checked += 1
    head = session.get(AuditChainHead, 1)
    if head is None:
        return ChainReport(False, checked, None, "the chain head row is missing")
    if head.last_seq != checked or head.last_hash != prev_hash:
        return ChainReport(False, checked, checked + 1 if head.last_seq > checked else head.last_seq,
                           f"the trail should end at entry {head.last_seq} but ends at entry {checked}")
    return ChainReport(True, checked)
