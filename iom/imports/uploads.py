"""Uploads held between the preview and the confirmation, in the database (iom.imports.models), so
a confirmation may land on any host or worker.

Each is named by a random token (the browser only ever sends the token back; only its hash is
stored) and bound to the person who uploaded it: nobody else can see, confirm or cancel it. It is
deleted on confirm or cancel, and expired ones are swept away whenever another is held or claimed.
Holding one is written in the caller's transaction, beside its audit entry; the caller commits."""
import hashlib
import io
import re
import secrets
import zipfile
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select

from iom.clock import utcnow
from iom.extensions import db
from iom.imports.models import PendingUpload

UPLOAD_LIFETIME = timedelta(hours=2)
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")
PENDING = PendingUpload.__table__


@dataclass
class HeldUpload:
    manifest: dict
    content: bytes

    def files(self) -> list[tuple[str, bytes]]:
        """The files as they were uploaded, by name, in upload order."""
        with zipfile.ZipFile(io.BytesIO(self.content)) as packed:
            return [(name, packed.read(str(index))) for index, name in enumerate(self.manifest["names"])]


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def _pack(files: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as packed:
        for index, (_, content) in enumerate(files):
            packed.writestr(str(index), content)
    return out.getvalue()


def sweep() -> None:
    """Delete every upload past its expiry."""
    db.session.execute(delete(PENDING).where(PENDING.c.expires_at <= utcnow()))


def hold(files: list[tuple[str, bytes]], user_id: int, details: dict) -> str:
    """Keep the files for this user until confirmed, cancelled or expired; returns the token that names them."""
    sweep()
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(PendingUpload(token_hash=_token_hash(token), owner_id=user_id, created_at=now,
                                 expires_at=now + UPLOAD_LIFETIME, content=_pack(files),
                                 details={"names": [name for name, _ in files], **details}))
    db.session.flush()
    return token


def _theirs(token: str, user_id: int) -> list:
    return [PENDING.c.token_hash == _token_hash(token), PENDING.c.owner_id == user_id,
            PENDING.c.expires_at > utcnow()]


def find(token: str, user_id: int) -> HeldUpload | None:
    """The upload this token names, if it is this user's and still fresh."""
    if not TOKEN_PATTERN.match(token or ""):
        return None
    row = db.session.execute(select(PENDING.c.details, PENDING.c.content).where(*_theirs(token, user_id))).first()
    return HeldUpload(row.details, row.content) if row else None


def claim(token: str, user_id: int) -> HeldUpload | None:
    """Take the upload for confirming, deleting it in the caller's transaction: the DELETE comes first,
    so of two clicks (on any hosts) one gets it and the other nothing."""
    if not TOKEN_PATTERN.match(token or ""):
        return None
    sweep()
    row = db.session.execute(delete(PENDING).where(*_theirs(token, user_id))
                             .returning(PENDING.c.details, PENDING.c.content)).first()
    return HeldUpload(row.details, row.content) if row else None


def discard(token: str, user_id: int) -> bool:
    """Delete this user's upload (cancelled, or refused on confirmation); whether there was one."""
    if not TOKEN_PATTERN.match(token or ""):
        return False
    return db.session.execute(delete(PENDING).where(PENDING.c.token_hash == _token_hash(token),
                                                    PENDING.c.owner_id == user_id)).rowcount > 0
