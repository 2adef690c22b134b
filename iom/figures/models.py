"""Monthly figures' inputs and records: serious acquisitive crime counts, the scheme's rules
by month, and the figures as they stood when a month was closed."""
from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from iom.auth.models import User
from iom.clock import utcnow
from iom.db_types import UTCDateTime, Versioned
from iom.extensions import db

DEFAULT_MINIMUM = 70
DEFAULT_COUNTED_STRANDS = ("catch_convict", "resettle_rehabilitate")


class SacCount(Versioned, db.Model):
    """The month's recorded serious acquisitive crimes (month = its first day)."""

    __tablename__ = "sac_count"
    __table_args__ = (CheckConstraint("crimes >= 0", name="crimes_not_negative"),)

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    crimes: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def id(self) -> str:
        return self.month.strftime("%Y-%m")


class SchemeRule(db.Model):
    """The minimum and the counted strands, in force from a month onward; earlier months keep
    the rule they were judged by."""

    __tablename__ = "scheme_rule"
    __table_args__ = (CheckConstraint("minimum_cohort >= 1", name="minimum_at_least_one"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    effective_from: Mapped[date] = mapped_column(Date, unique=True)
    minimum_cohort: Mapped[int] = mapped_column(Integer)
    counted_strands: Mapped[str] = mapped_column(String(200))  # comma-separated strand codes
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def strands(self) -> tuple[str, ...]:
        return tuple(code for code in self.counted_strands.split(",") if code)


class MonthClosure(db.Model):
    """A month's figures as they stood when a manager closed it; never rewritten."""

    __tablename__ = "month_closure"

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    on_scheme: Mapped[int] = mapped_column(Integer)
    counted_for_minimum: Mapped[int] = mapped_column(Integer)
    in_custody_or_remand: Mapped[int] = mapped_column(Integer)
    minimum: Mapped[int] = mapped_column(Integer)
    minimum_met: Mapped[bool] = mapped_column(Boolean)
    serious_acquisitive_crimes: Mapped[int | None] = mapped_column(Integer)
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    closed_by: Mapped[User | None] = relationship(lazy="raise")

    @property
    def id(self) -> str:
        return self.month.strftime("%Y-%m")
