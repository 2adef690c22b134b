"""Clients, their scheme periods and case notes."""
import unicodedata
from datetime import date, datetime

from sqlalchemy import (CheckConstraint, Date, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint, text)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from iom.auth.models import User
from iom.clock import utcnow
from iom.db_types import UTCDateTime, Versioned
from iom.extensions import db

STRANDS = {
    "prevent_deter": "Prevent and deter",
    "catch_convict": "Catch and convict",
    "resettle_rehabilitate": "Resettle and rehabilitate",
}
PROGRAMMES = {"ppo": "PPO", "dip": "DIP", "youth": "Youth", "other": "Other"}
ALCOHOL = {"yes": "Yes", "no": "No", "unknown": "Not known"}
# The 2020 national IOM strategy's cohort tiers.
COHORT_TIERS = {"fixed": "Fixed", "flex": "Flex", "free": "Free"}
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


MATCH_KEY_LENGTH = 200


def match_key(given_name: str | None, family_name: str | None) -> str:
    """The name as the duplicate check compares it: no case, accents, hyphens, apostrophes or
    spaces ("Seán O'Brien-Smith" -> "seanobriensmith")."""
    name = f"{given_name or ''}{family_name or ''}"
    if name.isascii():
        # no accents to strip and nothing casefold changes beyond case: the same key, without the
        # per-character work (the importer works out thousands)
        return "".join(filter(str.isalnum, name.lower()))[:MATCH_KEY_LENGTH]

    def bare(text: str) -> str:
        return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    # casefold after stripping marks can uncover more to strip (and turns ß into ss)
    folded = bare(bare(name).casefold())
    return "".join(ch for ch in folded if ch.isalnum())[:MATCH_KEY_LENGTH]


def _match_key_default(context) -> str:
    """For INSERTs that bypass the ORM (the importer's bulk rows)."""
    params = context.get_current_parameters()
    return match_key(params.get("given_name"), params.get("family_name"))


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


class Client(Versioned, db.Model):
    """A person on (or once on) the IOM scheme."""

    __tablename__ = "client"
    __table_args__ = (
        CheckConstraint(_in("programme", PROGRAMMES), name="programme_known"),
        CheckConstraint(_in("alcohol_related", ALCOHOL), name="alcohol_known"),
        CheckConstraint(f"risk_level IS NULL OR {_in('risk_level', RISK_LEVELS)}", name="risk_known"),
        CheckConstraint(f"tier IS NULL OR {_in('tier', COHORT_TIERS)}", name="tier_known"),
        Index("ix_client_family_given", "family_name", "given_name"),
        Index("ix_client_match_key_dob", "match_key", "date_of_birth"),
        # the caseload's order by name: a page is read from the index and stops after its rows
        Index("ix_client_sort_name", text("lower(family_name)"), text("lower(given_name)"), "id"),
        # the caseload's count (everyone on the scheme today, and how many come before a page) read from
        # this index alone, not from every client row (migration 0016)
        Index("ix_client_on_scheme", "merged_into_id", "latest_joined_on", "latest_left_on",
              text("lower(family_name)"), text("lower(given_name)"), "id"),
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
    tier: Mapped[str | None] = mapped_column(String(8), index=True)  # COHORT_TIERS; empty until set
    offender_manager_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    match_key: Mapped[str] = mapped_column(String(MATCH_KEY_LENGTH), default=_match_key_default)
    # set when a manager merged this record into another: the old reference then leads there
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("client.id"), index=True)
    # set when a manager disposed of the record under the retention rule (iom/data_protection): its personal
    # data erased, only what the published figures count kept (who, and why, are in its audit entry)
    disposed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # derived, never typed: the latest scheme period's strand and days and the latest custody status, kept by
    # iom/clients/latest.py in the same transaction as any write of a period or custody change
    latest_strand: Mapped[str | None] = mapped_column(String(32))
    latest_joined_on: Mapped[date | None] = mapped_column(Date)
    latest_left_on: Mapped[date | None] = mapped_column(Date)
    latest_custody_status: Mapped[str] = mapped_column(String(16), default="community", server_default="community")

    offender_manager: Mapped[User | None] = relationship(lazy="raise")
    periods: Mapped[list["SchemePeriod"]] = relationship(
        back_populates="client", order_by="SchemePeriod.joined_on", lazy="raise")

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def is_disposed(self) -> bool:
        return self.disposed_at is not None

    @validates("given_name", "family_name")
    def _keep_match_key(self, name: str, value: str) -> str:
        names = {"given_name": self.given_name, "family_name": self.family_name, name: value}
        self.match_key = match_key(names["given_name"], names["family_name"])
        return value


class DistinctPeople(db.Model):
    """A manager's word that two records with the same name and date of birth are two people,
    so the pair leaves the possible duplicates list. The lower client id comes first."""

    __tablename__ = "distinct_people"
    __table_args__ = (
        UniqueConstraint("first_client_id", "second_client_id", name="uq_distinct_people_pair"),
        CheckConstraint("first_client_id < second_client_id", name="pair_ordered"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    first_client_id: Mapped[int] = mapped_column(ForeignKey("client.id"))
    second_client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), index=True)
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SchemePeriod(Versioned, db.Model):
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

    client: Mapped[Client] = relationship(back_populates="periods", lazy="raise")

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


# AUDIT-C, the three consumption questions of the WHO's AUDIT, as the UK's Office for Health
# Improvement and Disparities publishes them (units, not "drinks"; 8 or more units for a man and 6
# for a woman). Each answer scores 0 to 4, so a screening scores 0 to 12; 5 or more is positive.
AUDIT_C_QUESTIONS = {
    "drinking_frequency": ("How often do you have a drink containing alcohol?", {
        0: "Never", 1: "Monthly or less", 2: "2 to 4 times per month", 3: "2 to 3 times per week",
        4: "4 or more times per week"}),
    "typical_units": ("How many units of alcohol do you drink on a typical day when you are drinking?", {
        0: "0 to 2", 1: "3 to 4", 2: "5 to 6", 3: "7 to 9", 4: "10 or more"}),
    "heavy_drinking_frequency": ("How often have you had 6 or more units if female, or 8 or more if male, "
                                 "on a single occasion in the last year?", {
        0: "Never", 1: "Less than monthly", 2: "Monthly", 3: "Weekly", 4: "Daily or almost daily"}),
}
AUDIT_C_SHORT = {"drinking_frequency": "How often they drink",
                 "typical_units": "Units on a typical drinking day",
                 "heavy_drinking_frequency": "How often 6 or 8 units or more on one occasion"}
AUDIT_C_LOWEST, AUDIT_C_HIGHEST = 0, 4
AUDIT_C_POSITIVE = 5  # a score of 5 or more is a positive screen


class AlcoholScreening(Versioned, db.Model):
    """One AUDIT-C screening of a client: the three answers (each 0 to 4) and the day it was done.
    Health data: officers and managers only (auth.permissions.may_see_alcohol_screening)."""

    __tablename__ = "alcohol_screening"
    __table_args__ = tuple(
        CheckConstraint(f"{question} >= {AUDIT_C_LOWEST} AND {question} <= {AUDIT_C_HIGHEST}",
                        name=f"{question}_in_range") for question in AUDIT_C_QUESTIONS
    ) + (Index("ix_alcohol_screening_client_day", "client_id", "screened_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"))
    screened_on: Mapped[date] = mapped_column(Date, index=True)
    drinking_frequency: Mapped[int] = mapped_column(Integer)
    typical_units: Mapped[int] = mapped_column(Integer)
    heavy_drinking_frequency: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    recorded_by: Mapped[User | None] = relationship(lazy="raise")

    @property
    def score(self) -> int:
        """0 to 12: the three answers' scores added up."""
        return sum(getattr(self, question) for question in AUDIT_C_QUESTIONS)

    @property
    def is_positive(self) -> bool:
        return self.score >= AUDIT_C_POSITIVE

