"""Checkpoints of the audit chain kept outside the database: each line names the head's sequence
number and hash at a moment. Whoever can write to the database can remove the last entries and
move the head back so the chain still reads whole; a checkpoint taken before shows it."""
import hmac
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from iom.audit.models import GENESIS_HASH, AuditChainHead, AuditEntry
from iom.clock import utcnow
from iom.extensions import db

LINE = re.compile(r"^seq=(?P<seq>\d{1,12}) hash=(?P<hash>[0-9a-f]{64})(?: at=\S+)?$")
BATCH = 500


@dataclass(frozen=True)
class Checkpoint:
    line: int
    seq: int
    hash: str


class CheckpointFileError(ValueError):
    """The checkpoint file cannot be read, or a line of it is not a checkpoint."""


def checkpoint_line(head: AuditChainHead) -> str:
    """One line of the file: the head's sequence number and hash, and when it was taken (UTC)."""
    return f"seq={head.last_seq} hash={head.last_hash} at={utcnow().isoformat(timespec='seconds')}\n"


def append_checkpoint(path: Path) -> AuditChainHead:
    """Append the chain head (as committed) to the file at path, creating the file if need be."""
    head = db.session.get(AuditChainHead, 1)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(checkpoint_line(head))
    return head


def read_checkpoints(path: Path) -> list[Checkpoint]:
    """The file's checkpoints; blank lines and lines starting with # are skipped."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CheckpointFileError(f"cannot read the checkpoint file {path}: {error}") from error
    checkpoints = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = LINE.match(line)
        if not match:
            raise CheckpointFileError(f"line {number} of the checkpoint file {path} is not a checkpoint "
                                      f"(expected 'seq=NUMBER hash=64 hex digits')")
        checkpoints.append(Checkpoint(number, int(match["seq"]), match["hash"]))
    return checkpoints


def first_disagreement(path: Path, checkpoints: list[Checkpoint]) -> str | None:
    """What the first checkpoint that the chain no longer holds says, in words; None when all hold."""
    last_seq = db.session.get(AuditChainHead, 1).last_seq
    for start in range(0, len(checkpoints), BATCH):
        batch = checkpoints[start:start + BATCH]
        hashes = dict(db.session.execute(
            select(AuditEntry.seq, AuditEntry.entry_hash).where(AuditEntry.seq.in_({c.seq for c in batch}))).all())
        hashes[0] = GENESIS_HASH
        for checkpoint in batch:
            where = f"the checkpoint on line {checkpoint.line} of {path} (entry {checkpoint.seq})"
            found = hashes.get(checkpoint.seq)
            if found is None:
                return (f"{where} is not in the trail, which ends at entry {last_seq}: "
                        f"entries were removed from the end")
            if not hmac.compare_digest(found, checkpoint.hash):
                return (f"{where} disagrees with the chain: the checkpoint has hash {checkpoint.hash[:12]}…, "
                        f"the trail's entry {checkpoint.seq} has {found[:12]}…")
    return None
