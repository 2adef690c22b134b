"""Clients, their scheme periods and case notes."""
from datetime import date, datetime

from sqlalchemy import (CheckConstraint, Date, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from iom.auth.models import User
from iom.clock import utcnow
from iom.db_types import UTCDateTime
from iom.extensions import db

STRANDS = {
    "prevent_deter": "Prevent and deter",
    "catch_convict": "Catch and convict",
    "resettle_rehabilitate": "Resettle and rehabilitate",
}
PROGRAMMES = {"ppo": "PPO", "dip": "DIP", "youth": "Youth", "other": "Other"}
ALCOHOL = {"yes": "Yes", "no": "No", "unknown": "Not known"}
RISK_LEVELS = {"low": "Low", "medium": "Medium", "high": "High", "very_high": "Very high"}
EXIT_REASONS = {
    "completed": "Completed",
    "desisted": "Desisted",
    "moved_away": "Moved away",
    "deselected": "Deselected",
    "transferred": "Transferred",
    "deceased": "Deceased",
    "other": "Other",
}


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


class Client(db.Model):
    """A person on (or once on) the IOM scheme."""

    __tablename__ = "client"
    __audit_type__ = "client"
    __table_args__ = (
        CheckConstraint(_in("programme", PROGRAMMES), name="programme_known"),
        CheckConstraint(_in("alcohol_related", ALCOHOL), name="alcohol_known"),
        CheckConstraint(f"risk_level IS NULL OR {_in('risk_level', RISK_LEVELS)}", name="risk_known"),
        Index("ix_client_family_given", "family_name", "given_name"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    pnc_id: Mapped[str | None] = mapped_column(String(16), unique=True)
    ward: Mapped[str | None] = mapped_column(String(100))
    programme: Mapped[str] = mapped_column(String(16), default="other")
    alcohol_related: Mapped[str] = mapped_column(String(8), default="unknown")
    risk_level: Mapped[str | None] = mapped_column(String(16))
    offender_manager_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    offender_manager: Mapped[User | None] = relationship(lazy="raise")
    periods: Mapped[list["SchemePeriod"]] = relationship(
        back_populates="client", order_by="SchemePeriod.joined_on", lazy="raise")

    __mapper_args__ = {"version_id_col": version}

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


class SchemePeriod(db.Model):
    """One stretch on the scheme: joined_on to left_on, both days included."""

    __tablename__ = "scheme_period"
    __table_args__ = (
        CheckConstraint(_in("strand", STRANDS), name="strand_known"),
        CheckConstraint("left_on IS NULL OR left_on >= joined_on", name="leaves_after_joining"),
        CheckConstraint(f"(left_on IS NULL AND exit_reason IS NULL) OR "
                        f"(left_on IS NOT NULL AND {_in('exit_reason', EXIT_REASONS)})",
                        name="exit_reason_with_leaving"),
        UniqueConstraint("client_id", "joined_on", name="uq_scheme_period_client_joined"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), index=True)
    strand: Mapped[str] = mapped_column(String(32))
    joined_on: Mapped[date] = mapped_column(Date, index=True)
    left_on: Mapped[date | None] = mapped_column(Date, index=True)
    exit_reason: Mapped[str | None] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer, default=1)

    client: Mapped[Client] = relationship(back_populates="periods", lazy="raise")

    __mapper_args__ = {"version_id_col": version}

    def covers(self, day: date) -> bool:
        """On the scheme on this day (the leaving day still counts)."""
        return self.joined_on <= day and (self.left_on is None or day <= self.left_on)


class CaseNote(db.Model):
    """A dated note on a case. Notes are never edited: a correction is a new note."""

    __tablename__ = "case_note"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    written_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    body: Mapped[str] = mapped_column(Text)

    author: Mapped[User] = relationship(lazy="raise")
