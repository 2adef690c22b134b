"""Housing, mental-health and alcohol service referrals, their status history and the agencies they go to."""
from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from iom.auth.models import User
from iom.clients.models import Client
from iom.clock import utcnow
from iom.db_types import UTCDateTime, Versioned
from iom.extensions import db

REFERRAL_KINDS = {"housing": "Housing", "mental_health": "Mental health", "alcohol": "Alcohol services"}
REFERRAL_STATUSES = {"open": "Open", "accepted": "Accepted", "completed": "Completed", "declined": "Declined",
            "withdrawn": "Withdrawn"}
CLOSED_STATUSES = ("completed", "declined", "withdrawn")
REFERRAL_OUTCOMES = {
    "housing": {"settled_accommodation": "Settled accommodation", "temporary_accommodation": "Temporary accommodation",
                "supported_housing": "Supported housing", "no_change": "No change", "other": "Other"},
    "mental_health": {"assessed": "Assessed", "treatment_started": "Treatment started",
                      "did_not_engage": "Did not engage", "not_eligible": "Not eligible", "other": "Other"},
    "alcohol": {"assessed": "Assessed", "treatment_started": "Treatment started",
                "treatment_completed": "Treatment completed", "did_not_engage": "Did not engage",
                "not_eligible": "Not eligible", "other": "Other"},
}
# An agency's kind -> the kinds of referral it takes ("both" is housing and mental health, as it always was).
AGENCY_TAKES = {"housing": ("housing",), "mental_health": ("mental_health",), "both": ("housing", "mental_health"),
                "alcohol": ("alcohol",)}


def agency_kinds_for(kind: str) -> tuple[str, ...]:
    """The agency kinds that take a referral of this kind."""
    return tuple(agency_kind for agency_kind, takes in AGENCY_TAKES.items() if kind in takes)
DUTY_TO_REFER_OUTCOMES = {"accepted": "Accepted by the council", "prevention_duty": "Prevention duty owed",
                          "relief_duty": "Relief duty owed", "main_duty": "Main housing duty owed",
                          "no_duty": "No duty owed", "pending": "Waiting for a decision", "other": "Other"}


class Agency(Versioned, db.Model):
    """An agency referrals are made to (a managed list; 'other' is free text on the referral)."""

    __tablename__ = "agency"
    __table_args__ = (CheckConstraint("kind IN ('housing', 'mental_health', 'both', 'alcohol')", name="kind_known"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default="both")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class Referral(Versioned, db.Model):
    """A referral of a client for housing advice, mental-health services or alcohol services."""

    __tablename__ = "referral"
    __table_args__ = (
        CheckConstraint("kind IN ('housing', 'mental_health', 'alcohol')", name="kind_known"),
        CheckConstraint("status IN ('open', 'accepted', 'completed', 'declined', 'withdrawn')", name="status_known"),
        CheckConstraint("(status IN ('completed', 'declined', 'withdrawn') AND closed_on IS NOT NULL) OR "
                        "(status IN ('open', 'accepted') AND closed_on IS NULL)", name="closed_on_with_status"),
        CheckConstraint("closed_on IS NULL OR closed_on >= referred_on", name="closed_after_referred"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    referred_on: Mapped[date] = mapped_column(Date, index=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    agency_other: Mapped[str | None] = mapped_column(String(120))
    need: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")
    closed_on: Mapped[date | None] = mapped_column(Date, index=True)
    outcome: Mapped[str | None] = mapped_column(String(32))
    outcome_notes: Mapped[str | None] = mapped_column(Text)
    next_action: Mapped[str | None] = mapped_column(Text)
    next_action_due_on: Mapped[date | None] = mapped_column(Date)
    # Duty to Refer (Homelessness Reduction Act 2017): housing referrals only
    duty_to_refer_made: Mapped[bool | None] = mapped_column(Boolean)
    duty_to_refer_on: Mapped[date | None] = mapped_column(Date)
    duty_to_refer_local_authority: Mapped[str | None] = mapped_column(String(120))
    duty_to_refer_outcome: Mapped[str | None] = mapped_column(String(32))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    client: Mapped[Client] = relationship(lazy="raise")
    agency: Mapped[Agency | None] = relationship(lazy="raise")
    created_by: Mapped[User | None] = relationship(lazy="raise")

    @property
    def agency_name(self) -> str:
        if self.agency_other:
            return self.agency_other
        return self.agency.name if self.agency is not None else ""


class ReferralStatusChange(db.Model):
    """One step in a referral's status history; never changed afterwards."""

    __tablename__ = "referral_status_change"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    changed_on: Mapped[date] = mapped_column(Date)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    note: Mapped[str | None] = mapped_column(Text)

    changed_by: Mapped[User | None] = relationship(lazy="raise")
