"""Changes to the review's inputs: self-assessment answers and questions, unit costs, what the
scheme cost in a year and the value-for-money baseline; the alcohol discussion paper's versions. Each checks its rule, changes the rows, writes the audit entry and
flushes; the caller commits once.

Text a manager types here goes into the reviewer's pack, so it may not identify a client."""
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from iom import audit
from iom.figures.months import month_text
from iom.clock import utcnow
from iom.extensions import db
from iom.money import MoneyError, check_amount, gbp, money_text
from iom.offending.models import SchemeCost
from iom.reports.disclosure import Identifiers, refusal
from iom.reports.pack import SECTIONS
from iom.reports.models import (PAPER_SECTIONS, RATINGS, AlcoholPaper, Review, ReviewQuestion, ReviewSection,
                                ReviewVersion, SelfAssessmentAnswer, SelfAssessmentQuestion, UnitCost,
                                ValueForMoneyBaseline)
from iom.rules import Conflict, RuleBroken, StaleEdit, flush_or_stale
from iom.years import FinancialYear

TEXT_LIMIT = 5_000
MAX_COST = Decimal("100000000.00")
MAX_BASELINE_MONTHS = 120

def _check_no_identifiers(text: str | None, what: str, field: str, identifiers: Identifiers | None = None, *,
                          pseudonymised: str = "The reviewer's pack") -> None:
    """Refuse text that names anyone, saying what kind of identifier was found and the words, on the field."""
    identifiers = identifiers or Identifiers.from_database()
    findings = identifiers.findings(text)
    if findings:
        raise RuleBroken(refusal(what, findings, pseudonymised), field)


def _flush(what: str) -> None:
    flush_or_stale(f"{what} was changed by someone else at the same moment. Your changes have not been saved. "
                   "Reload the page to see their changes.")


def _check_version(row, version, what: str, conflicts: list[Conflict] | None = None) -> None:
    saved = "" if row is None else str(row.version)
    if str(version or "") != saved:
        raise StaleEdit(f"{what} was changed by someone else after you opened this page. Your changes have not "
                        "been saved. Check what is saved now, then try again if your changes are still right.",
                        conflicts or [])


# --- self-assessment ----------------------------------------------------------------------------

@dataclass
class AnswerInput:
    question_id: int
    rating: str | None
    evidence: str | None
    version: str | None  # the answer's version when the page was opened; "" when it had none


def save_self_assessment(financial_year: FinancialYear, inputs: list[AnswerInput], *,
                         answered_by_id: int | None = None) -> int:
    """Save the year's ratings and evidence; a question left with neither stays unanswered.
    Returns how many answers changed."""
    questions = {q.id: q for q in db.session.scalars(
        select(SelfAssessmentQuestion).where(SelfAssessmentQuestion.id.in_([i.question_id for i in inputs])))}
    answers = {a.question_id: a for a in db.session.scalars(
        select(SelfAssessmentAnswer).where(SelfAssessmentAnswer.financial_year == financial_year.label))}
    identifiers = Identifiers.from_database()
    changed = 0
    for item in inputs:
        question = questions.get(item.question_id)
        if question is None:
            raise RuleBroken("A question on this page no longer exists. Reload the page")
        existing = answers.get(question.id)
        rating = item.rating or None
        evidence = (item.evidence or "").strip() or None
        if rating is None and evidence is None:
            continue
        if rating not in RATINGS:
            raise RuleBroken(f"Select a rating for '{question.principle}'", f"rating_{question.id}")
        if evidence is None and rating != "not_assessed":
            raise RuleBroken(f"Enter the evidence for '{question.principle}'", f"evidence_{question.id}")
        if evidence is not None and len(evidence) > TEXT_LIMIT:
            raise RuleBroken(f"Evidence for '{question.principle}' must be 5,000 characters or fewer",
                             f"evidence_{question.id}")
        _check_no_identifiers(evidence, f"Evidence for '{question.principle}'", f"evidence_{question.id}",
                              identifiers)
        if existing is not None and (existing.rating, existing.evidence) == (rating, evidence):
            continue
        # only an answer this save would change can conflict with someone else's newer one
        _check_version(existing, item.version, f"The answer to '{question.principle}'")
        before = {"rating": existing.rating, "evidence": existing.evidence} if existing else {}
        if existing is None:
            existing = SelfAssessmentAnswer(financial_year=financial_year.label, question_id=question.id)
            db.session.add(existing)
        existing.rating, existing.evidence = rating, evidence
        existing.answered_by_id = answered_by_id
        _flush(f"The answer to '{question.principle}'")
        audit.record("self_assessment.answered",
                     f"Self-assessment {financial_year}: '{question.principle}' rated {RATINGS[rating].lower()}",
                     subject=existing, changes=audit.field_changes(before, {"rating": rating, "evidence": evidence}))
        changed += 1
    return changed


QUESTION_FIELDS = ("principle", "text", "position", "is_active")


def _check_question(details: dict) -> dict:
    principle = (details.get("principle") or "").strip()
    text = (details.get("text") or "").strip()
    if not principle:
        raise RuleBroken("Enter the principle", "principle")
    if len(principle) > 200:
        raise RuleBroken("Principle must be 200 characters or fewer", "principle")
    if not text:
        raise RuleBroken("Enter the question", "text")
    if len(text) > TEXT_LIMIT:
        raise RuleBroken("Question must be 5,000 characters or fewer", "text")
    position = details.get("position")
    if position is None or not 0 <= int(position) <= 999:
        raise RuleBroken("Order must be a whole number from 0 to 999", "position")
    identifiers = Identifiers.from_database()
    _check_no_identifiers(principle, "The principle", "principle", identifiers)
    _check_no_identifiers(text, "The question", "text", identifiers)
    return {"principle": principle, "text": text, "position": int(position),
            "is_active": bool(details.get("is_active", True))}


def add_question(details: dict) -> SelfAssessmentQuestion:
    """Add a question to the self-assessment checklist."""
    cleaned = _check_question(details)
    question = SelfAssessmentQuestion(**cleaned)
    db.session.add(question)
    db.session.flush()
    audit.record("self_assessment_question.added", f"Self-assessment question {question.id} added: "
                 f"'{question.principle}'", subject=question,
                 changes={field: [None, value] for field, value in cleaned.items()})
    return question


def _apply_changes(row, saved: dict, cleaned: dict, what: str, version) -> dict:
    """Check the row is the version the page showed (naming each field someone else changed), then
    set the cleaned values and flush; returns the changes, empty when nothing differs."""
    _check_version(row, version, what, [Conflict(field, cleaned[field], saved[field]) for field in saved
                                        if cleaned[field] != saved[field]])
    changes = audit.field_changes(saved, cleaned)
    if changes:
        for field, value in cleaned.items():
            setattr(row, field, value)
        _flush(what)
    return changes


def update_question(question: SelfAssessmentQuestion, details: dict, *, version) -> dict:
    """Change a question's wording, order or whether it is asked; answers already given keep it."""
    saved = {field: getattr(question, field) for field in QUESTION_FIELDS}
    cleaned = _check_question({**saved, **details})
    changes = _apply_changes(question, saved, cleaned, f"The question '{question.principle}'", version)
    if changes:
        audit.record("self_assessment_question.updated", f"Self-assessment question {question.id} changed "
                     f"({', '.join(changes)})", subject=question, changes=changes)
    return changes


# --- unit costs ---------------------------------------------------------------------------------

UNIT_COST_FIELDS = ("crime_type", "cost_gbp", "share_percent", "source", "price_year")


def _check_unit_cost(details: dict, cost_id: int | None) -> dict:
    crime_type = (details.get("crime_type") or "").strip()
    source = (details.get("source") or "").strip()
    price_year = (details.get("price_year") or "").strip()
    cost, share = details.get("cost_gbp"), details.get("share_percent")
    if not crime_type:
        raise RuleBroken("Enter the crime type", "crime_type")
    if len(crime_type) > 120:
        raise RuleBroken("Crime type must be 120 characters or fewer", "crime_type")
    if cost is None:
        raise RuleBroken("Enter the cost of one crime", "cost_gbp")
    cost = Decimal(cost)
    if cost < 0 or cost > MAX_COST or cost != cost.quantize(Decimal("0.01")):
        raise RuleBroken("Cost must be an amount in pounds and pence from £0 to £100,000,000, like 870 or 870.50",
                         "cost_gbp")
    share = Decimal(share if share is not None else 0)
    if share < 0 or share > 100 or share != share.quantize(Decimal("0.01")):
        raise RuleBroken("Share must be a percentage from 0 to 100, like 25 or 12.5", "share_percent")
    if not source:
        raise RuleBroken("Enter where the cost comes from", "source")
    if len(source) > TEXT_LIMIT:
        raise RuleBroken("Source must be 5,000 characters or fewer", "source")
    if not price_year:
        raise RuleBroken("Enter the price year, like 2015/16", "price_year")
    if len(price_year) > 16:
        raise RuleBroken("Price year must be 16 characters or fewer, like 2015/16", "price_year")
    other = db.session.scalar(select(UnitCost.id).where(func.lower(UnitCost.crime_type) == crime_type.lower(),
                                                        UnitCost.id != (cost_id or -1)))
    if other is not None:
        raise RuleBroken(f"There is already a unit cost for {crime_type}: change that one instead", "crime_type")
    others = db.session.scalar(select(func.coalesce(func.sum(UnitCost.share_percent), 0))
                               .where(UnitCost.id != (cost_id or -1)))
    if Decimal(others) + share > 100:
        raise RuleBroken(f"Shares must add up to 100% or less: the other crime types already have "
                         f"{Decimal(others).quantize(Decimal('0.01'))}%", "share_percent")
    identifiers = Identifiers.from_database()
    _check_no_identifiers(crime_type, "The crime type", "crime_type", identifiers)
    _check_no_identifiers(source, "The source", "source", identifiers)
    return {"crime_type": crime_type, "cost_gbp": cost.quantize(Decimal("0.01")),
            "share_percent": share.quantize(Decimal("0.01")), "source": source, "price_year": price_year}


def add_unit_cost(details: dict) -> UnitCost:
    """Add a crime type's unit cost, with its source and price year."""
    cleaned = _check_unit_cost(details, None)
    cost = UnitCost(**cleaned)
    db.session.add(cost)
    db.session.flush()
    audit.record("unit_cost.added", f"Unit cost added: {cost.crime_type} £{cost.cost_gbp}", subject=cost,
                 changes={field: [None, value] for field, value in cleaned.items()})
    return cost


def update_unit_cost(cost: UnitCost, details: dict, *, version) -> dict:
    saved = {field: getattr(cost, field) for field in UNIT_COST_FIELDS}
    saved["cost_gbp"] = Decimal(saved["cost_gbp"]).quantize(Decimal("0.01"))
    saved["share_percent"] = Decimal(saved["share_percent"]).quantize(Decimal("0.01"))
    cleaned = _check_unit_cost({**saved, **details}, cost.id)
    changes = _apply_changes(cost, saved, cleaned, f"The unit cost for {cost.crime_type}", version)
    if changes:
        audit.record("unit_cost.updated", f"Unit cost for {cost.crime_type} changed ({', '.join(changes)})",
                     subject=cost, changes=changes)
    return changes


# --- what the scheme cost in a year ------------------------------------------------------------

SCHEME_COST_LIMIT = Decimal("100000000.00")  # £100 million: a scheme's yearly cost is far below it
SCHEME_COST_FIELDS = ("staff_costs_gbp", "other_costs_gbp", "source")


def set_scheme_cost(financial_year: FinancialYear, staff_costs_gbp: Decimal, other_costs_gbp: Decimal,
                    source: str | None, *, version, actor=None) -> dict:
    """Record what running the scheme cost in a year besides its support payments (staff time, and
    other costs such as premises or commissioned services), with where the figures come from, for the
    value for money on the cohort's own offending. Returns the changes, empty when nothing differs.

    `version` is the row's version when the page was opened ("" when none was saved)."""
    for amount, noun, field in ((staff_costs_gbp, "Staff costs", "staff_costs_gbp"),
                                (other_costs_gbp, "Other costs", "other_costs_gbp")):
        try:
            check_amount(amount, noun=noun, allow_zero=True, limit=SCHEME_COST_LIMIT)
        except MoneyError as error:
            raise RuleBroken(str(error), field) from error
    source = (source or "").strip()
    if not source:
        raise RuleBroken("Enter where the costs come from, for example the partnership's budget for the year",
                         "source")
    if len(source) > TEXT_LIMIT:
        raise RuleBroken("Where the costs come from must be 5,000 characters or fewer", "source")
    _check_no_identifiers(source, "Where the costs come from", "source")
    row = db.session.get(SchemeCost, financial_year.label, populate_existing=True)
    saved = ({field: getattr(row, field) for field in SCHEME_COST_FIELDS} if row is not None else {})
    cleaned = {"staff_costs_gbp": staff_costs_gbp, "other_costs_gbp": other_costs_gbp, "source": source}
    _check_version(row, version, f"The scheme's costs for {financial_year}",
                   [Conflict(field, cleaned[field], saved[field]) for field in saved if cleaned[field] != saved[field]])
    changes = audit.field_changes({field: _as_text(value) for field, value in saved.items()},
                                  {field: _as_text(value) for field, value in cleaned.items()})
    if not changes:
        return {}
    if row is None:
        row = SchemeCost(financial_year=financial_year.label)
        db.session.add(row)
    for field, value in cleaned.items():
        setattr(row, field, value)
    row.set_by_id = actor.id if actor is not None else None
    _flush(f"The scheme's costs for {financial_year}")
    audit.record("scheme_cost.set", f"The scheme's costs for {financial_year}: staff {gbp(staff_costs_gbp)}, "
                 f"other {gbp(other_costs_gbp)}", subject=row, changes=changes)
    return changes


def _as_text(value):
    """Money as its two-decimal text (how the audit trail keeps money); anything else as it is."""
    return money_text(value) if isinstance(value, Decimal) else value


# --- value-for-money baseline -------------------------------------------------------------------

def set_baseline(financial_year: FinancialYear, baseline_from: date, baseline_to: date, *,
                 version) -> ValueForMoneyBaseline:
    """Pick the months (first to last, both included) the year's SAC is compared against; they
    must end before the year starts."""
    first = financial_year.first_day
    baseline_from, baseline_to = baseline_from.replace(day=1), baseline_to.replace(day=1)
    if baseline_from.year < 1900:
        raise RuleBroken("First month must be 1900 or later", "baseline_from")
    if baseline_to < baseline_from:
        raise RuleBroken("Last month must be the same as or after the first month", "baseline_to")
    if baseline_to >= first:
        raise RuleBroken(f"The baseline must end before the year starts: the last month must be "
                         f"{month_text(date(first.year, 3, 1))} or earlier", "baseline_to")
    months = (baseline_to.year - baseline_from.year) * 12 + baseline_to.month - baseline_from.month + 1
    if months > MAX_BASELINE_MONTHS:
        raise RuleBroken("The baseline must be 10 years or shorter", "baseline_from")
    baseline = db.session.get(ValueForMoneyBaseline, financial_year.label)
    _check_version(baseline, version, f"The baseline for {financial_year}")
    before = ({"baseline_from": baseline.baseline_from, "baseline_to": baseline.baseline_to}
              if baseline is not None else {})
    if baseline is None:
        baseline = ValueForMoneyBaseline(financial_year=financial_year.label)
        db.session.add(baseline)
    baseline.baseline_from, baseline.baseline_to = baseline_from, baseline_to
    changes = audit.field_changes(before, {"baseline_from": baseline_from, "baseline_to": baseline_to})
    if changes:
        _flush(f"The baseline for {financial_year}")
        audit.record("vfm_baseline.set", f"Value-for-money baseline for {financial_year}: "
                     f"{month_text(baseline_from)} to {month_text(baseline_to)}", subject=baseline, changes=changes)
    return baseline


def remove_baseline(financial_year: FinancialYear, *, version) -> bool:
    """Remove the year's baseline; the pack then says no estimate can be made. False when there was none."""
    baseline = db.session.get(ValueForMoneyBaseline, financial_year.label)
    if baseline is None:
        return False
    _check_version(baseline, version, f"The baseline for {financial_year}")
    changes = {"baseline_from": [baseline.baseline_from, None], "baseline_to": [baseline.baseline_to, None]}
    audit.record("vfm_baseline.removed", f"Value-for-money baseline for {financial_year} removed",
                 subject=baseline, changes=changes)
    db.session.delete(baseline)
    _flush(f"The baseline for {financial_year}")
    return True


# --- the alcohol discussion paper: drafts, edits and publishing, every version kept ---------------

PAPER_TEXT_LIMIT = 20_000
PAPER = "The alcohol discussion paper"


def _paper_words(paper: AlcoholPaper) -> str:
    return f"the {paper.financial_year} alcohol discussion paper, version {paper.number}"


def latest_alcohol_paper(financial_year: FinancialYear, *, published_only: bool = False) -> AlcoholPaper | None:
    query = select(AlcoholPaper).where(AlcoholPaper.financial_year == financial_year.label)
    if published_only:
        query = query.where(AlcoholPaper.status == "published")
    return db.session.scalar(query.order_by(AlcoholPaper.number.desc()).limit(1))


def published_refusal(paper: AlcoholPaper) -> str:
    return (f"Version {paper.number} of the {paper.financial_year} paper is published, so it cannot be changed. "
            "Start a new draft to change the paper: the published version is kept as it is")


def start_alcohol_paper_draft(financial_year: FinancialYear, actor) -> AlcoholPaper:
    """A new draft, numbered one more than the latest version and starting from its words. Refused while
    a draft is open (edit that one)."""
    latest = latest_alcohol_paper(financial_year)
    if latest is not None and not latest.is_published:
        raise RuleBroken(f"Version {latest.number} of the {financial_year} paper is a draft already: change that "
                         "draft, or publish it first")
    draft = AlcoholPaper(financial_year=financial_year.label, number=(latest.number + 1) if latest else 1,
                         status="draft", created_by_id=actor.id if actor else None,
                         updated_by_id=actor.id if actor else None,
                         **{name: getattr(latest, name) if latest else None for name in PAPER_SECTIONS})
    db.session.add(draft)
    # two managers starting one at the same moment: the year's numbers are unique
    flush_or_stale(f"Someone else started a draft of the {financial_year} paper at the same moment. Yours has not "
                   "been started. Reload the page to see theirs.", races=(IntegrityError, StaleDataError))
    audit.record("alcohol_paper.drafted", f"Started {_paper_words(draft)} (a draft"
                 + (f", from version {latest.number})" if latest else ")"), subject=draft,
                 changes={"financial_year": [None, financial_year.label], "paper_version": [None, draft.number]})
    return draft


def save_alcohol_paper_draft(paper: AlcoholPaper, details: dict, *, version, actor) -> dict:
    """Save the manager's sections of a draft; refused once it is published, or when someone else saved it
    after the form was opened. Returns the changes ({} when nothing changed)."""
    if paper.is_published:
        raise RuleBroken(published_refusal(paper))
    saved = {name: getattr(paper, name) for name in PAPER_SECTIONS}
    cleaned = {name: (details.get(name) or "").strip() or None for name in PAPER_SECTIONS}
    if str(version) != str(paper.version):
        raise StaleEdit(f"Version {paper.number} was changed by someone else after you opened this page. Your changes "
                        "have not been saved. Check what is saved now, then save again if your changes are still right.",
                        [Conflict(name, cleaned[name], saved[name]) for name in PAPER_SECTIONS
                         if cleaned[name] != saved[name]])
    identifiers = Identifiers.from_database()
    for name, label in PAPER_SECTIONS.items():
        text = cleaned[name]
        if text is not None and len(text) > PAPER_TEXT_LIMIT:
            raise RuleBroken(f"{label} must be {PAPER_TEXT_LIMIT:,} characters or fewer", name)
        _check_no_identifiers(text, label, name, identifiers, pseudonymised="The paper")
    changes = audit.field_changes(saved, cleaned)
    if not changes:
        return changes
    for name, text in cleaned.items():
        setattr(paper, name, text)
    paper.updated_at = utcnow()
    paper.updated_by_id = actor.id if actor else None
    _flush(f"Version {paper.number}")
    audit.record("alcohol_paper.edited", f"Changed {_paper_words(paper)} ({', '.join(PAPER_SECTIONS[name].lower() for name in changes)})",
                 subject=paper, changes={"paper_version": [paper.number, paper.number], **changes})
    return changes


def publish_alcohol_paper(paper: AlcoholPaper, figures: dict, *, version, actor) -> None:
    """Publish a draft: its words and `figures` (the paper's figures as they stand) are frozen from now on."""
    if paper.is_published:
        raise RuleBroken(f"Version {paper.number} of the {paper.financial_year} paper is already published")
    if str(version) != str(paper.version):
        raise StaleEdit(f"Version {paper.number} was changed by someone else after you opened this page. It has not "
                        "been published. Check it below, then publish it again if it is still right.", [])
    missing = [label for name, label in PAPER_SECTIONS.items() if not getattr(paper, name)]
    if missing:
        raise RuleBroken(f"Write the {' and the '.join(label.lower() for label in missing)} before publishing "
                         f"version {paper.number}")
    paper.status = "published"
    paper.published_at = utcnow()
    paper.published_by_id = actor.id if actor else None
    paper.figures = json.dumps(figures, sort_keys=True)
    _flush(f"Version {paper.number}")
    audit.record("alcohol_paper.published", f"Published {_paper_words(paper)}", subject=paper,
                 changes={"paper_version": [paper.number, paper.number], "status": ["draft", "published"]})


# --- the review designed by the outside reviewer --------------------------------------------------------
# The reviewer's changes go into the year's latest version while it is a draft. Once it is signed off it
# is frozen: a page opened on it says a change will start a new version (a copy of it), and its form
# carries starts_new; a form opened before the sign-off is refused, so nothing is changed behind anyone.

REVIEW_TEXT_LIMIT = 10_000
ORGANISATION_LIMIT = 200


def _review_text(text: str | None, what: str, field: str, identifiers: Identifiers, *,
                 required: bool = False) -> str | None:
    text = (text or "").strip() or None
    if text is None:
        if required:
            raise RuleBroken(f"Enter {what.lower()}", field)
        return None
    if len(text) > REVIEW_TEXT_LIMIT:
        raise RuleBroken(f"{what} must be 10,000 characters or fewer", field)
    _check_no_identifiers(text, what, field, identifiers)
    return text


def _still_draft(version: ReviewVersion) -> bool:
    """Claim the version's row for this change while it is a draft: the UPDATE takes the row's lock, so a
    sign-off at the same moment either waits for this change or, first, makes it see the version signed."""
    table = ReviewVersion.__table__
    claimed = db.session.execute(update(table).where(table.c.id == version.id, table.c.status == "draft")
                                 .values(status="draft"))
    return claimed.rowcount == 1


def _latest(review: Review) -> ReviewVersion:
    return db.session.scalar(select(ReviewVersion).where(ReviewVersion.review_id == review.id)
                             .order_by(ReviewVersion.number.desc()).limit(1))


def _copy_version(previous: ReviewVersion, actor) -> ReviewVersion:
    """A new draft version: the previous one's organisation, sections, words, questions and answers."""
    version = ReviewVersion(review_id=previous.review_id, number=previous.number + 1, status="draft",
                            organisation=previous.organisation, started_by_id=actor.id if actor else None)
    db.session.add(version)
    db.session.flush()
    for row in db.session.scalars(select(ReviewSection).where(ReviewSection.version_id == previous.id)):
        db.session.add(ReviewSection(version_id=version.id, section=row.section, position=row.position,
                                     findings=row.findings, recommendations=row.recommendations))
    for row in db.session.scalars(select(ReviewQuestion).where(ReviewQuestion.version_id == previous.id)):
        db.session.add(ReviewQuestion(version_id=version.id, section=row.section, text=row.text,
                                      asked_at=row.asked_at, asked_by_id=row.asked_by_id, answer=row.answer,
                                      answered_at=row.answered_at, answered_by_id=row.answered_by_id))
    db.session.flush()
    audit.record("review.version_started", f"Review version {version.number} started as a copy of version "
                 f"{previous.number}", subject=version,
                 changes={"number": [None, version.number], "copied_from": [None, previous.number]}, actor=actor)
    return version


def version_to_change(financial_year: FinancialYear, based_on: str | None, starts_new: str | None,
                      actor=None) -> ReviewVersion:
    """The version a reviewer's change goes into: the draft the page was opened on; a new version (a
    copy) when the page was opened on a signed-off one and said so; the year's first when it has none."""
    review = db.session.scalar(select(Review).where(Review.financial_year == financial_year.label))
    based_on = (based_on or "").strip()
    if review is None:
        if based_on not in ("", "0"):
            raise RuleBroken("This page was out of date. Nothing has been saved. Open the review again")
        review = Review(financial_year=financial_year.label)
        db.session.add(review)
        db.session.flush()
        version = ReviewVersion(review_id=review.id, number=1, status="draft",
                                started_by_id=actor.id if actor else None)
        db.session.add(version)
        db.session.flush()
        audit.record("review.started", f"Review of {financial_year} started (version 1)", subject=version,
                     changes={"financial_year": [None, financial_year.label], "number": [None, 1]}, actor=actor)
        return version
    latest = _latest(review)
    if based_on != str(latest.number):
        raise StaleEdit(f"This page showed an earlier version of the review; version {latest.number} is the "
                        "latest now. Nothing has been saved. Open the review again to see it.", [])
    if latest.is_signed_off:
        if starts_new == "yes":
            return _copy_version(latest, actor)
        raise _frozen(latest)
    if not _still_draft(latest):
        raise _frozen(latest)
    return latest


def _frozen(version: ReviewVersion) -> RuleBroken:
    return RuleBroken(f"Version {version.number} of the review is signed off, so it cannot be changed. Nothing "
                      f"has been saved. Open the page again to make your change in version {version.number + 1}, "
                      f"which starts as a copy of version {version.number}")


def choose_review_sections(financial_year: FinancialYear, codes: list[str], organisation: str | None, *,
                           based_on: str | None, starts_new: str | None = None, actor=None) -> ReviewVersion:
    """The reviewer's chosen sections, in their order, and their organisation for the report's cover.
    An unknown or repeated section is refused before anything is changed."""
    if not codes:
        raise RuleBroken("Choose at least one section for the review", "sections")
    seen = set()
    for code in codes:
        if code not in SECTIONS:
            shown = (code or "")[:40].encode("ascii", "replace").decode()
            raise RuleBroken(f"'{shown}' is not a section of the review pack. Choose sections from the list",
                             "sections")
        if code in seen:
            raise RuleBroken(f"{SECTIONS[code][0]} is chosen more than once. Choose each section once", "sections")
        seen.add(code)
    organisation = (organisation or "").strip() or None
    if organisation and len(organisation) > ORGANISATION_LIMIT:
        raise RuleBroken("Your organisation must be 200 characters or fewer", "organisation")
    identifiers = Identifiers.from_database()
    _check_no_identifiers(organisation, "Your organisation", "organisation", identifiers)
    version = version_to_change(financial_year, based_on, starts_new, actor)
    rows = {row.section: row for row in db.session.scalars(
        select(ReviewSection).where(ReviewSection.version_id == version.id))}
    before = [code for code, _ in sorted(((row.section, row.position) for row in rows.values()),
                                         key=lambda item: item[1])]
    for code, row in rows.items():
        if code not in seen:  # its words, if any, are in the trail from when they were written
            db.session.delete(row)
    for position, code in enumerate(codes, start=1):
        if code in rows:
            rows[code].position = position
        else:
            db.session.add(ReviewSection(version_id=version.id, section=code, position=position))
    changes = audit.field_changes({"sections": before, "organisation": version.organisation},
                                  {"sections": list(codes), "organisation": organisation})
    version.organisation = organisation
    _flush("The review")
    if changes:
        audit.record("review.sections_chosen", f"Review of {financial_year}, version {version.number}: "
                     f"{len(codes)} {'section' if len(codes) == 1 else 'sections'} chosen", subject=version,
                     changes=changes, actor=actor)
    return version


def write_review_findings(financial_year: FinancialYear, section: str, findings: str | None,
                          recommendations: str | None, *, based_on: str | None, starts_new: str | None = None,
                          actor=None) -> ReviewVersion:
    """The reviewer's findings and recommendations on one of the version's sections."""
    identifiers = Identifiers.from_database()
    findings = _review_text(findings, "Findings", "findings", identifiers)
    recommendations = _review_text(recommendations, "Recommendations", "recommendations", identifiers)
    version = version_to_change(financial_year, based_on, starts_new, actor)
    row = db.session.scalar(select(ReviewSection).where(ReviewSection.version_id == version.id,
                                                        ReviewSection.section == section))
    if row is None:
        raise RuleBroken(f"{SECTIONS.get(section, ('This section',))[0]} is not one of the review's sections. "
                         "Choose it for the review first")
    changes = audit.field_changes({"findings": row.findings, "recommendations": row.recommendations},
                                  {"findings": findings, "recommendations": recommendations})
    row.findings, row.recommendations = findings, recommendations
    _flush("The review")
    if changes:
        audit.record("review.findings_written", f"Review of {financial_year}, version {version.number}: findings "
                     f"on {SECTIONS[section][0]}", subject=version,
                     changes={"section": [None, section], **changes}, actor=actor)
    return version


def raise_review_question(financial_year: FinancialYear, text: str | None, section: str | None, *,
                          based_on: str | None, starts_new: str | None = None, actor=None) -> ReviewQuestion:
    """A question the reviewer raises for the manager to answer, about one section or the whole pack."""
    section = (section or "").strip() or None
    if section is not None and section not in SECTIONS:
        raise RuleBroken("Choose a section of the review pack, or the whole review", "section")
    text = _review_text(text, "Your question", "question", Identifiers.from_database(), required=True)
    version = version_to_change(financial_year, based_on, starts_new, actor)
    question = ReviewQuestion(version_id=version.id, section=section, text=text,
                              asked_by_id=actor.id if actor else None)
    db.session.add(question)
    _flush("The review")
    audit.record("review.question_raised", f"Review of {financial_year}, version {version.number}: question "
                 "raised", subject=question, changes={"review_version": [None, version.number],
                                                       "section": [None, section], "question": [None, text]},
                 actor=actor)
    return question


def answer_review_question(question: ReviewQuestion, answer: str | None, *, actor=None) -> ReviewQuestion:
    """The manager's answer to a question in a draft version; a signed-off version's are frozen."""
    version = db.session.get(ReviewVersion, question.version_id)
    if version.is_signed_off or not _still_draft(version):
        raise RuleBroken(f"Version {version.number} of the review is signed off, so its questions cannot be "
                         "answered now. Nothing has been saved. Answer the question in the review's latest "
                         "version once the reviewer starts one", "answer")
    answer = _review_text(answer, "Your answer", "answer", Identifiers.from_database(), required=True)
    changes = audit.field_changes({"answer": question.answer}, {"answer": answer})
    if not changes:
        return question
    question.answer, question.answered_at = answer, utcnow()
    question.answered_by_id = actor.id if actor else None
    _flush("The question")
    audit.record("review.question_answered", f"Question in the review, version {version.number}, answered",
                 subject=question, changes={"review_version": [None, version.number], **changes}, actor=actor)
    return question


def sign_off_review(financial_year: FinancialYear, *, based_on: str | None, actor=None) -> ReviewVersion:
    """Sign the latest version off: from then on it cannot change."""
    review = db.session.scalar(select(Review).where(Review.financial_year == financial_year.label))
    if review is None:
        raise RuleBroken("There is no review to sign off yet. Choose its sections first")
    version = _latest(review)
    if (based_on or "").strip() != str(version.number):
        raise StaleEdit(f"This page showed an earlier version of the review; version {version.number} is the "
                        "latest now. Nothing has been signed off. Open the review again to see it.", [])
    if version.is_signed_off:
        raise RuleBroken(f"Version {version.number} of the review is already signed off")
    if not version.organisation:
        raise RuleBroken("Enter your organisation before you sign off: the report's cover names it")
    version.status, version.signed_off_at = "signed_off", utcnow()
    version.signed_off_by_id = actor.id if actor else None
    _flush("The review")
    audit.record("review.signed_off", f"Review of {financial_year}, version {version.number}, signed off",
                 subject=version, changes={"number": [None, version.number], "status": ["draft", "signed_off"]},
                 actor=actor)
    return version
