"""The end-of-year review's inputs: the self-assessment and the value-for-money estimate."""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from iom.auth.models import User
from iom.clock import utcnow
from iom.db_types import UTCDateTime, Versioned
from iom.extensions import db

RATINGS = {"strong": "Strong", "adequate": "Adequate", "developing": "Developing", "weak": "Weak",
           "not_assessed": "Not assessed"}


class SelfAssessmentQuestion(Versioned, db.Model):
    """A question in the yearly self-assessment checklist; kept as data, editable by a manager."""

    __tablename__ = "self_assessment_question"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    principle: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class SelfAssessmentAnswer(Versioned, db.Model):
    """The manager's rating and evidence for one question in one financial year."""

    __tablename__ = "self_assessment_answer"
    __table_args__ = (
        UniqueConstraint("financial_year", "question_id", name="uq_self_assessment_answer_year_question"),
        CheckConstraint("rating IN ('strong', 'adequate', 'developing', 'weak', 'not_assessed')",
                        name="rating_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    financial_year: Mapped[str] = mapped_column(String(7), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("self_assessment_question.id"))
    rating: Mapped[str] = mapped_column(String(16))
    evidence: Mapped[str | None] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    question: Mapped[SelfAssessmentQuestion] = relationship(lazy="raise")
    answered_by: Mapped[User | None] = relationship(lazy="raise")


class UnitCost(Versioned, db.Model):
    """The estimated cost of one crime of a type, with where the figure comes from."""

    __tablename__ = "unit_cost"
    __table_args__ = (CheckConstraint("cost_gbp >= 0", name="cost_not_negative"),
                      CheckConstraint("share_percent >= 0 AND share_percent <= 100", name="share_is_percent"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    crime_type: Mapped[str] = mapped_column(String(120), unique=True)
    cost_gbp: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    # the share of serious acquisitive crime this type makes up locally, to weight the average cost
    share_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("0"))
    source: Mapped[str] = mapped_column(Text)
    price_year: Mapped[str] = mapped_column(String(16))


class ValueForMoneyBaseline(Versioned, db.Model):
    """The baseline period a financial year's SAC is compared against."""

    __tablename__ = "vfm_baseline"
    __table_args__ = (CheckConstraint("baseline_to >= baseline_from", name="baseline_in_order"),)

    financial_year: Mapped[str] = mapped_column(String(7), primary_key=True)
    baseline_from: Mapped[date] = mapped_column(Date)  # first day of the first baseline month
    baseline_to: Mapped[date] = mapped_column(Date)    # first day of the last baseline month

    @property
    def id(self) -> str:
        return self.financial_year


PAPER_STATUSES = {"draft": "Draft", "published": "Published"}
PAPER_SECTIONS = {"introduction": "Introduction", "discussion": "Discussion",
                  "interventions": "Proposed interventions and services"}


class AlcoholPaper(Versioned, db.Model):
    """One version of a financial year's alcohol discussion paper: the manager's own sections as text.
    A draft is edited (the `version` counter refuses a stale save); publishing freezes it, with the
    figures as they stood (`figures`, the paper's figures as JSON), and the next edit starts a new
    draft numbered one more. Every version is kept."""

    __tablename__ = "alcohol_paper"
    __table_args__ = (
        UniqueConstraint("financial_year", "number", name="uq_alcohol_paper_year_number"),
        CheckConstraint("status IN ('draft', 'published')", name="status_known"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("(status = 'draft' AND published_at IS NULL AND figures IS NULL) OR "
                        "(status = 'published' AND published_at IS NOT NULL AND figures IS NOT NULL)",
                        name="published_is_frozen"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    financial_year: Mapped[str] = mapped_column(String(7), index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    introduction: Mapped[str | None] = mapped_column(Text)
    discussion: Mapped[str | None] = mapped_column(Text)
    interventions: Mapped[str | None] = mapped_column(Text)
    figures: Mapped[str | None] = mapped_column(Text)  # JSON, frozen when published
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id], lazy="raise")
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id], lazy="raise")
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id], lazy="raise")

    @property
    def is_published(self) -> bool:
        return self.status == "published"
