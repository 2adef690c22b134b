"""An insider with write access to the database (triggers disabled) but not the audit key cannot
rewrite the trail unnoticed: an edit re-hashed onwards and a forged entry fail the keyed hash; the
last entries removed with the head moved back are found by a checkpoint kept outside the database."""
from types import SimpleNamespace

import pytest
from sqlalchemy import insert, select, text

from iom.audit import keyed_digest, record, unkeyed_digest
from iom.audit.models import AuditEntry
from iom.clock import utcnow
from iom.extensions import db

COLUMNS = ("seq", "occurred_at", "actor_id", "actor_label", "action", "subject_type", "subject_id",
           "summary", "changes", "request_id", "prev_hash", "entry_hash")
# What someone without the key can compute: plain SHA-256 (as before 0012), or HMAC under a guess.
ATTACKER_DIGESTS = {"sha256": unkeyed_digest, "guessed-key": lambda entry: keyed_digest(entry, "guessed")}


def write_entries(app, count: int) -> None:
    with app.app_context():
        for number in range(count):
            record("test.entry", f"Test entry {number + 1}", actor_label="test")
        db.session.commit()


def chain(app) -> list[SimpleNamespace]:
    with app.app_context():
        return [SimpleNamespace(**{name: getattr(entry, name) for name in COLUMNS})
                for entry in db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq))]


def sql(app, statement: str, **params) -> None:
    with app.app_context():
        db.session.execute(text(statement), params)
        db.session.commit()


def move_head(app, seq: int, hash_: str) -> None:
    sql(app, "UPDATE audit_chain_head SET last_seq = :seq, last_hash = :hash WHERE id = 1", seq=seq, hash=hash_)


def checkpoint(runner, path) -> None:
    result = runner.invoke(args=["audit-checkpoint", str(path)])
    assert result.exit_code == 0, result.output


def verify(runner, path=None):
    return runner.invoke(args=["audit-verify", *(["--checkpoints", str(path)] if path else [])])


def actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))


@pytest.mark.parametrize("digest", ATTACKER_DIGESTS.values(), ids=ATTACKER_DIGESTS.keys())
def test_an_edit_with_the_rest_of_the_chain_re_hashed_is_found(app, runner, tmp_path, digest,
                                                              without_append_only_triggers):
    write_entries(app, 10)
    checkpoints = tmp_path / "checkpoints.log"
    checkpoint(runner, checkpoints)
    entries = chain(app)
    prev = entries[3].prev_hash
    for entry in entries[3:]:  # entry 4 edited, it and every later entry re-hashed, the head moved on
        if entry.seq == 4:
            entry.summary = "Nothing happened"
        entry.prev_hash = prev
        prev = entry.entry_hash = digest(entry)
        sql(app, "UPDATE audit_entry SET summary = :summary, prev_hash = :prev, entry_hash = :hash WHERE seq = :seq",
            summary=entry.summary, prev=entry.prev_hash, hash=entry.entry_hash, seq=entry.seq)
    move_head(app, entries[-1].seq, prev)

    for result in (verify(runner), verify(runner, checkpoints)):
        assert result.exit_code == 1
        assert "Audit trail BROKEN at entry 4: entry 4 was changed after it was written, or forged" in result.output
    assert actions(app)[-1] == "audit.verify_failed"


def test_the_last_hundred_entries_removed_and_the_head_moved_back_are_found_by_a_checkpoint(
        app, runner, tmp_path, without_append_only_triggers):
    write_entries(app, 150)
    checkpoints = tmp_path / "checkpoints.log"
    checkpoint(runner, checkpoints)  # its own entry is 151, the head it names
    assert checkpoints.read_text().startswith("seq=151 hash=")
    kept = chain(app)[50]
    sql(app, "DELETE FROM audit_entry WHERE seq > 51")
    move_head(app, 51, kept.entry_hash)

    assert verify(runner).exit_code == 0  # the chain alone reads whole: only the checkpoint knows
    result = verify(runner, checkpoints)
    assert result.exit_code == 1
    assert (f"Audit trail BROKEN: the checkpoint on line 1 of {checkpoints} (entry 151) is not in the trail, "
            f"which ends at entry 51: entries were removed from the end") in result.output
    assert actions(app)[-1] == "audit.verify_failed"

    # the service writes on past the removed entries: entry 151 exists again, but is not the one checkpointed
    write_entries(app, 120)
    result = verify(runner, checkpoints)
    assert result.exit_code == 1
    assert f"the checkpoint on line 1 of {checkpoints} (entry 151) disagrees with the chain" in result.output


@pytest.mark.parametrize("digest", ATTACKER_DIGESTS.values(), ids=ATTACKER_DIGESTS.keys())
def test_a_forged_entry_appended_is_found(app, runner, tmp_path, digest, without_append_only_triggers):
    write_entries(app, 5)
    checkpoints = tmp_path / "checkpoints.log"
    checkpoint(runner, checkpoints)
    last = chain(app)[-1]
    forged = SimpleNamespace(seq=last.seq + 1, occurred_at=utcnow(), actor_id=None, actor_label="system",
                             action="payment.approved", subject_type="payment", subject_id="1",
                             summary="Support payment approved", changes=None, request_id=None,
                             prev_hash=last.entry_hash)
    forged.entry_hash = digest(forged)
    with app.app_context():
        db.session.execute(insert(AuditEntry.__table__).values(**vars(forged)))
        db.session.commit()
    move_head(app, forged.seq, forged.entry_hash)

    for result in (verify(runner), verify(runner, checkpoints)):
        assert result.exit_code == 1
        assert f"Audit trail BROKEN at entry {forged.seq}: entry {forged.seq} was changed after it was written, " \
               f"or forged" in result.output


def test_checkpoints_that_agree_pass(app, runner, tmp_path):
    checkpoints = tmp_path / "checkpoints.log"
    checkpoints.write_text("# shipped to the log host every hour\n\n")
    checkpoint(runner, checkpoints)
    write_entries(app, 3)
    checkpoint(runner, checkpoints)
    lines = checkpoints.read_text().splitlines()
    assert lines[2].startswith("seq=1 hash=") and lines[3].startswith("seq=5 hash=") and " at=" in lines[3]
    result = verify(runner, checkpoints)
    assert result.exit_code == 0, result.output
    assert f"Audit trail intact: 5 entries checked, 2 checkpoints in {checkpoints} agree." in result.output
    assert actions(app).count("audit.checkpoint_taken") == 2


def test_a_checkpoint_file_that_disagrees_with_the_chain_is_named(app, runner, tmp_path):
    write_entries(app, 4)
    checkpoints = tmp_path / "checkpoints.log"
    checkpoint(runner, checkpoints)
    good = checkpoints.read_text()
    checkpoints.write_text(good + f"seq=3 hash={'a' * 64}\n")
    result = verify(runner, checkpoints)
    assert result.exit_code == 1
    assert (f"Audit trail BROKEN: the checkpoint on line 2 of {checkpoints} (entry 3) disagrees with the chain: "
            f"the checkpoint has hash aaaaaaaaaaaa…") in result.output
    assert actions(app)[-1] == "audit.verify_failed"


@pytest.mark.parametrize("content, message", [
    ("seq=3 hash=abc\n", "line 1 of the checkpoint file {path} is not a checkpoint"),
    ("# fine\nseq=x hash=" + "a" * 64 + "\n", "line 2 of the checkpoint file {path} is not a checkpoint"),
    (b"\xff\xfe", "cannot read the checkpoint file {path}"),
    (None, "cannot read the checkpoint file {path}"),
], ids=["short-hash", "not-a-number", "not-utf8", "missing"])
def test_an_unreadable_checkpoint_file_exits_1_saying_why(app, runner, tmp_path, content, message):
    path = tmp_path / "checkpoints.log"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    result = verify(runner, path)
    assert result.exit_code == 1
    assert "Audit trail not checked: " + message.format(path=path) in result.output


def test_a_checkpoint_that_cannot_be_written_exits_1(app, runner, tmp_path):
    result = runner.invoke(args=["audit-checkpoint", str(tmp_path / "no such folder" / "checkpoints.log")])
    assert result.exit_code == 1
    assert "Checkpoint not written: cannot write to" in result.output
