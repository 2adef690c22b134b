"""Support payments from the small yearly budget, and the budget for each financial year."""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from iom.auth.models import User
from iom.clients.models import Client
from iom.clock import utcnow
from iom.db_types import UTCDateTime, Versioned
from iom.extensions import db

DEFAULT_BUDGET = Decimal("1000.00")
PURPOSES = {
    "proof_of_qualifications": "Proof of education or qualifications for a job",
    "id_documents": "ID documents",
    "travel_to_interview": "Travel to an interview",
    "work_clothing_tools": "Work clothing or tools",
    "other": "Other",
}
PAYMENT_STATUSES = {"requested": "Waiting for approval", "approved": "Approved", "rejected": "Rejected"}
ACHIEVEMENTS = {"job_obtained": "Job obtained", "training_started": "Training or course started",
                "interview_attended": "Interview attended", "id_obtained": "ID obtained",
                "no_result": "No result yet", "other": "Other"}


def purpose_from_words(words: str, category: str | None = None) -> tuple[str, str | None]:
    """(category, description) for a purpose written in a file: the words are kept as the
    description, except a bare category code ("id_documents"), which is no description.

    Without a category, the words name one when they are its code or its label in any case
    ("ID documents"); any other words are "other"."""
    if category is None:
        named = {code: code for code in PURPOSES} | {label.lower(): code for code, label in PURPOSES.items()}
        category = named.get(words.strip().lower(), "other")
    return category, None if words == category else words


def purpose_in_words(category: str, description: str | None) -> str:
    """A payment's purpose as payments.csv writes it: its description, else its category's code."""
    return description or category


class SupportPayment(Versioned, db.Model):
    """A payment for a client, requested by an officer and approved or rejected by a manager."""

    __tablename__ = "support_payment"
    __table_args__ = (
        CheckConstraint("amount_gbp > 0", name="amount_positive"),
        CheckConstraint("status IN ('requested', 'approved', 'rejected')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), index=True)
    amount_gbp: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    paid_on: Mapped[date] = mapped_column(Date, index=True)
    financial_year: Mapped[str] = mapped_column(String(7), index=True)
    purpose: Mapped[str] = mapped_column(String(32))  # the category, one of PURPOSES
    # the purpose in the words typed or imported ("for proof of education"); needed for "other"
    detail: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="requested", index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)
    achieved: Mapped[str | None] = mapped_column(String(32))
    achieved_notes: Mapped[str | None] = mapped_column(Text)

    client: Mapped[Client] = relationship(lazy="raise")
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id], lazy="raise")
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id], lazy="raise")


class Budget(Versioned, db.Model):
    """The support budget for one financial year ('2011-12'); £1,000.00 when none is set."""

    __tablename__ = "budget"
    __table_args__ = (CheckConstraint("amount_gbp >= 0", name="amount_not_negative"),)

    financial_year: Mapped[str] = mapped_column(String(7), primary_key=True)
    amount_gbp: Mapped[Decimal] = mapped_column(Numeric(12, 2))

    @property
    def id(self) -> str:
        return self.financial_year
