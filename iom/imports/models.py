"""Uploads held between the preview and the confirmation, in the database: any host can confirm."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from iom.db_types import UTCDateTime
from iom.extensions import db


class PendingUpload(db.Model):
    """Files a manager uploaded and the check passed, waiting for them to confirm or cancel.

    Named by a random token the browser holds (only its SHA-256 is stored), bound to its owner,
    deleted when confirmed, cancelled or expired."""

    __tablename__ = "pending_upload"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    details: Mapped[dict] = mapped_column(JSON)      # the file names, what the check counted, the sources
    content: Mapped[bytes] = mapped_column(LargeBinary)  # the files, as a zip in upload order
