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


# --- the review designed by the outside reviewer ------------------------------------------------------
# One review a financial year, in numbered versions. The reviewer chooses and orders the pack's sections,
# writes findings and recommendations for each and raises questions the manager answers; signing a
# version off freezes it, and any later change is made in a new version that starts as its copy.

REVIEW_STATUSES = {"draft": "Draft", "signed_off": "Signed off"}


class Review(db.Model):
    """The outside reviewer's review of one financial year's pack."""

    __tablename__ = "review"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    financial_year: Mapped[str] = mapped_column(String(7), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReviewVersion(Versioned, db.Model):
    """One version of a review: draft until signed off, then frozen for good."""

    __tablename__ = "review_version"
    __table_args__ = (
        UniqueConstraint("review_id", "number", name="uq_review_version_review_number"),
        CheckConstraint("status IN ('draft', 'signed_off')", name="status_known"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("(status = 'signed_off') = (signed_off_at IS NOT NULL)", name="signed_off_when_signed"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    organisation: Mapped[str | None] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    signed_off_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_off_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    review: Mapped[Review] = relationship(lazy="raise")
    signed_off_by: Mapped[User | None] = relationship(foreign_keys=[signed_off_by_id], lazy="raise")

    @property
    def is_signed_off(self) -> bool:
        return self.status == "signed_off"


class ReviewSection(db.Model):
    """A section of the pack the reviewer chose for a version, in its place, with their words on it."""

    __tablename__ = "review_section"
    __table_args__ = (
        # positions are kept distinct by the operations (a unique constraint would trip mid-reorder)
        UniqueConstraint("version_id", "section", name="uq_review_section_version_section"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("review_version.id"), index=True)
    section: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer)
    findings: Mapped[str | None] = mapped_column(Text)
    recommendations: Mapped[str | None] = mapped_column(Text)


class ReviewQuestion(db.Model):
    """A question the reviewer raised in a version, and the manager's answer."""

    __tablename__ = "review_question"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("review_version.id"), index=True)
    section: Mapped[str | None] = mapped_column(String(40))  # the section it is about, if any
    text: Mapped[str] = mapped_column(Text)
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    asked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
