"""Offences and the unit cost of crime per offence type (see the contract's Offending section)."""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from iom.auth.models import User
from iom.clock import utcnow
from iom.db_types import UTCDateTime, Versioned
from iom.extensions import db

# The contract's list, in the order a form offers them.
OFFENCE_TYPES = {
    "domestic_burglary": "Domestic burglary",
    "non_domestic_burglary": "Non-domestic burglary",
    "robbery": "Robbery",
    "theft_of_vehicle": "Theft of a vehicle",
    "theft_from_vehicle": "Theft from a vehicle",
    "vehicle_interference": "Vehicle interference",
    "theft_from_person": "Theft from the person",
    "shoplifting": "Shoplifting",
    "other_theft": "Other theft",
    "violence_with_injury": "Violence with injury",
    "violence_without_injury": "Violence without injury",
    "criminal_damage": "Criminal damage",
    "drug_offence": "Drug offence",
    "public_order": "Public order",
    "breach": "Breach (of an order, licence or bail)",
    "other": "Other",
}
SERIOUS_ACQUISITIVE_TYPES = frozenset({"domestic_burglary", "robbery", "theft_of_vehicle", "theft_from_vehicle"})
# The 2020 IOM strategy's neighbourhood crime: serious acquisitive crime and two more.
NEIGHBOURHOOD_TYPES = SERIOUS_ACQUISITIVE_TYPES | {"vehicle_interference", "theft_from_person"}
OFFENCE_OUTCOMES = {"convicted": "Convicted", "cautioned": "Cautioned", "charged": "Charged", "other": "Other"}
ALCOHOL_INVOLVED = {"yes": "Yes", "no": "No", "unknown": "Not known"}


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


class Offence(db.Model):
    """One offence someone committed, on the day it was committed. Several may share a day. It is
    a client's, or (before any adoption) a watch-list person's, for their adoption score."""

    __tablename__ = "offence"
    __audit_type__ = "offence"
    __table_args__ = (
        CheckConstraint(_in("offence_type", OFFENCE_TYPES), name="type_known"),
        CheckConstraint(f"outcome IS NULL OR {_in('outcome', OFFENCE_OUTCOMES)}", name="outcome_known"),
        CheckConstraint(_in("alcohol_involved", ALCOHOL_INVOLVED), name="alcohol_known"),
        CheckConstraint("(client_id IS NULL) <> (watch_entry_id IS NULL)", name="one_person"),
        Index("ix_offence_client_day", "client_id", "offence_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("client.id"))
    watch_entry_id: Mapped[int | None] = mapped_column(ForeignKey("watch_entry.id"), index=True)
    offence_on: Mapped[date] = mapped_column(Date, index=True)
    offence_type: Mapped[str] = mapped_column(String(32))
    outcome: Mapped[str | None] = mapped_column(String(16))
    crime_reference: Mapped[str | None] = mapped_column(String(40))
    alcohol_involved: Mapped[str] = mapped_column(String(8), default="unknown")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    recorded_by: Mapped[User | None] = relationship(lazy="raise")

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_serious_acquisitive(self) -> bool:
        return self.offence_type in SERIOUS_ACQUISITIVE_TYPES

    @property
    def is_neighbourhood(self) -> bool:
        return self.offence_type in NEIGHBOURHOOD_TYPES


class OffenceUnitCost(Versioned, db.Model):
    """The partnership's own cost of one offence of a type, replacing the published default
    (iom.offending.unit_costs) for that type. A type with no row costs its default."""

    __tablename__ = "offence_unit_cost"
    __audit_type__ = "offence_unit_cost"
    __table_args__ = (
        CheckConstraint(_in("offence_type", OFFENCE_TYPES), name="type_known"),
        CheckConstraint("cost_gbp > 0", name="cost_positive"),
    )

    offence_type: Mapped[str] = mapped_column(String(32), primary_key=True)
    cost_gbp: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    price_year: Mapped[str] = mapped_column(String(7))  # 2015-16
    source: Mapped[str | None] = mapped_column(Text)
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    @property
    def id(self) -> str:
        return self.offence_type


class SchemeCost(Versioned, db.Model):
    """What running the scheme cost in a financial year besides its support payments (staff time
    and other costs), as a manager enters it, for value for money on the cohort's offending."""

    __tablename__ = "scheme_cost"
    __audit_type__ = "scheme_cost"
    __table_args__ = (
        CheckConstraint("staff_costs_gbp >= 0", name="staff_not_negative"),
        CheckConstraint("other_costs_gbp >= 0", name="other_not_negative"),
    )

    financial_year: Mapped[str] = mapped_column(String(7), primary_key=True)  # 2011-12
    staff_costs_gbp: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    other_costs_gbp: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0.00"))
    source: Mapped[str | None] = mapped_column(Text)  # where the figures come from, in words
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    @property
    def id(self) -> str:
        return self.financial_year


class ScoreSettings(db.Model):
    """How the adoption score is worked out (Recency, Frequency, Gravity) and the score at which a
    watch-list person is flagged "Consider for adoption", as a manager set them. One row at most:
    without it the defaults in iom.offending.scores apply (see docs/offending-scores.md)."""

    __tablename__ = "score_settings"
    __audit_type__ = "score_settings"
    __table_args__ = (
        CheckConstraint("id = 1", name="one_row"),
        CheckConstraint("0 < recent_days AND recent_days < middle_days AND middle_days < older_days",
                        name="bands_in_order"),
        CheckConstraint("recent_points >= middle_points AND middle_points >= older_points AND older_points >= 0",
                        name="points_in_order"),
        CheckConstraint("points_per_offence >= 0 AND offence_cap >= 1 AND points_per_gravity >= 0",
                        name="parts_not_negative"),
        CheckConstraint("threshold >= 1", name="threshold_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    recent_days: Mapped[int] = mapped_column(Integer)
    recent_points: Mapped[int] = mapped_column(Integer)
    middle_days: Mapped[int] = mapped_column(Integer)
    middle_points: Mapped[int] = mapped_column(Integer)
    older_days: Mapped[int] = mapped_column(Integer)
    older_points: Mapped[int] = mapped_column(Integer)
    points_per_offence: Mapped[int] = mapped_column(Integer)
    offence_cap: Mapped[int] = mapped_column(Integer)
    points_per_gravity: Mapped[int] = mapped_column(Integer)
    threshold: Mapped[int] = mapped_column(Integer)
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    set_by: Mapped[User | None] = relationship(lazy="raise")

    __mapper_args__ = {"version_id_col": version}


class GravityWeight(db.Model):
    """How serious the partnership counts one offence type for the adoption score, 0 to 10,
    replacing the default (iom.offending.scores.DEFAULT_GRAVITY) for that type."""

    __tablename__ = "gravity_weight"
    __audit_type__ = "gravity_weight"
    __table_args__ = (
        CheckConstraint(_in("offence_type", OFFENCE_TYPES), name="type_known"),
        CheckConstraint("weight >= 0 AND weight <= 10", name="weight_in_range"),
    )

    offence_type: Mapped[str] = mapped_column(String(32), primary_key=True)
    weight: Mapped[int] = mapped_column(Integer)

    @property
    def id(self) -> str:
        return self.offence_type
