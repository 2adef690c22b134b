"""Custody history: dated changes of status; the status on any day comes from the history."""
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from iom.auth.models import User
from iom.clock import utcnow
from iom.db_types import UTCDateTime
from iom.extensions import db

CUSTODY_STATUSES = {"community": "In the community", "remand": "On remand", "custody": "In custody"}


class CustodyEvent(db.Model):
    """From from_date the client's status is `status`, until the next event."""

    __tablename__ = "custody_event"
    __table_args__ = (
        CheckConstraint("status IN ('community', 'remand', 'custody')", name="status_known"),
        UniqueConstraint("client_id", "from_date", name="uq_custody_event_client_day"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    from_date: Mapped[date] = mapped_column(Date, index=True)
    establishment: Mapped[str | None] = mapped_column(String(120))
    expected_release_on: Mapped[date | None] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    recorded_by: Mapped[User | None] = relationship(lazy="raise")
