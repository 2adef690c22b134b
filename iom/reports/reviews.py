"""The outside reviewer's review of a year's pack, read: its versions, each version's chosen sections
with the reviewer's words, its questions with the manager's answers, and all of it as the JSON-ready
dict the pack's formats carry under "review" (identifiers scrubbed, as all text in the pack)."""
from sqlalchemy import select

from iom.auth.models import User
from iom.clock import to_london, uk_date
from iom.extensions import db
from iom.reports.disclosure import Identifiers
from iom.reports.models import REVIEW_STATUSES, Review, ReviewQuestion, ReviewSection, ReviewVersion
from iom.reports.pack import SECTIONS
from iom.years import FinancialYear


def review_of(financial_year: FinancialYear) -> Review | None:
    return db.session.scalar(select(Review).where(Review.financial_year == financial_year.label))


def versions_of(review: Review | None) -> list[ReviewVersion]:
    """Every version of the review, the first first."""
    if review is None:
        return []
    return list(db.session.scalars(select(ReviewVersion).where(ReviewVersion.review_id == review.id)
                                   .order_by(ReviewVersion.number)))


def latest_version(financial_year: FinancialYear) -> ReviewVersion | None:
    return db.session.scalar(select(ReviewVersion).join(Review).where(Review.financial_year == financial_year.label)
                             .order_by(ReviewVersion.number.desc()).limit(1))


def version_numbered(financial_year: FinancialYear, number: int) -> ReviewVersion | None:
    return db.session.scalar(select(ReviewVersion).join(Review).where(
        Review.financial_year == financial_year.label, ReviewVersion.number == number))


def sections_of(version: ReviewVersion) -> list[ReviewSection]:
    return list(db.session.scalars(select(ReviewSection).where(ReviewSection.version_id == version.id)
                                   .order_by(ReviewSection.position, ReviewSection.id)))


def questions_of(version: ReviewVersion) -> list[ReviewQuestion]:
    return list(db.session.scalars(select(ReviewQuestion).where(ReviewQuestion.version_id == version.id)
                                   .order_by(ReviewQuestion.asked_at, ReviewQuestion.id)))


def _day(moment) -> str | None:
    return to_london(moment).date().isoformat() if moment else None


def review_words(version: ReviewVersion | None, identifiers: Identifiers | None = None) -> dict | None:
    """One version of the review as the pack carries it: who, its status, its sections in the reviewer's
    order with their words, its questions and answers. None when the year has no review."""
    if version is None:
        return None
    identifiers = identifiers or Identifiers.from_database()
    signer = db.session.get(User, version.signed_off_by_id) if version.signed_off_by_id else None
    return {
        "version": version.number,
        "status": version.status,
        "status_label": REVIEW_STATUSES[version.status],
        "is_final": version.is_signed_off,
        "organisation": identifiers.scrub(version.organisation),
        "started_on": _day(version.started_at),
        "signed_off_on": _day(version.signed_off_at),
        "signed_off_by": signer.display_name if signer else None,
        "sections": [{"section": row.section, "title": SECTIONS[row.section][0],
                      "findings": identifiers.scrub(row.findings),
                      "recommendations": identifiers.scrub(row.recommendations)}
                     for row in sections_of(version) if row.section in SECTIONS],
        "questions": [{"section": row.section, "section_title": SECTIONS[row.section][0] if row.section in SECTIONS
                       else None, "question": identifiers.scrub(row.text), "asked_on": _day(row.asked_at),
                       "answer": identifiers.scrub(row.answer), "answered_on": _day(row.answered_at)}
                      for row in questions_of(version)],
    }


def layout(review: dict | None) -> list[dict]:
    """The pack's sections in the order the reviewer chose (every section, in the pack's order, when no
    review has chosen any), numbered, each with the reviewer's words on it."""
    chosen = [item["section"] for item in review["sections"]] if review and review["sections"] else list(SECTIONS)
    words = {item["section"]: item for item in (review or {}).get("sections", [])}
    return [{"code": code, "title": SECTIONS[code][0], "template": "reports/pack/" + SECTIONS[code][1],
             "anchor": SECTIONS[code][2], "number": number, "words": words.get(code)}
            for number, code in enumerate(chosen, start=1)]


def describe(version: ReviewVersion) -> str:
    """'version 2 (signed off on 3 April 2012)' or 'version 1 (draft)'."""
    if version.is_signed_off:
        return f"version {version.number} (signed off on {uk_date(version.signed_off_at)})"
    return f"version {version.number} (draft)"


def with_review(pack: dict, version: ReviewVersion | None) -> dict:
    """The pack carrying a version's words under "review" (added after the contract's keys); the pack
    alone when the year has no review."""
    words = review_words(version)
    return pack | {"review": words} if words else pack
