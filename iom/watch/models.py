"""The watch list: people just outside the scheme whom partner agencies are dealing with."""
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from iom.clients.models import Client
from iom.clock import utcnow
from iom.db_types import UTCDateTime, Versioned
from iom.extensions import db

WATCH_OUTCOMES = {
    "adopted": "Adopted onto the scheme",
    "no_further_action": "No further action",
    "referred_elsewhere": "Referred to another service",
    "moved_away": "Moved away",
    "other": "Other",
}


class WatchEntry(Versioned, db.Model):
    """Someone partners are watching. Open until an outcome is recorded."""

    __tablename__ = "watch_entry"
    __table_args__ = (
        CheckConstraint("outcome IS NULL OR outcome IN ('adopted', 'no_further_action', "
                        "'referred_elsewhere', 'moved_away', 'other')", name="outcome_known"),
        CheckConstraint("(outcome IS NULL AND closed_on IS NULL) OR (outcome IS NOT NULL AND closed_on IS NOT NULL)",
                        name="closed_with_outcome"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    pnc_id: Mapped[str | None] = mapped_column(String(16))
    partner_agency: Mapped[str] = mapped_column(String(120))
    reason: Mapped[str] = mapped_column(Text)
    added_on: Mapped[date] = mapped_column(Date)
    next_review_on: Mapped[date | None] = mapped_column(Date, index=True)
    outcome: Mapped[str | None] = mapped_column(String(32))
    outcome_notes: Mapped[str | None] = mapped_column(Text)
    closed_on: Mapped[date | None] = mapped_column(Date)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("client.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # when the person's details were erased under the retention rule (iom/data_protection/retention.py)
    disposed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    client: Mapped[Client | None] = relationship(lazy="raise")

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def is_disposed(self) -> bool:
        return self.disposed_at is not None

    @property
    def is_open(self) -> bool:
        return self.outcome is None
