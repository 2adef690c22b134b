"""Changes to the monthly figures' inputs: a month's serious acquisitive crime count, the scheme's
rule from a month onward, and closing a month. Each checks its rule, changes the rows, writes the
audit entry and flushes; the caller commits once."""
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from iom import audit, clock
from iom.figures import monthly, queries
from iom.figures.monthly import MonthlyFigures
from iom.figures.models import MonthClosure, SacCount, SchemeRule
from iom.figures.months import month_text
from iom.figures.queries import month_label
from iom.clients.models import STRANDS
from iom.extensions import db
from iom.rules import Conflict, RuleBroken, StaleEdit, check_whole_number, flush_or_stale

MAX_CRIMES = 1_000_000
MAX_MINIMUM = 100_000


def current_month() -> date:
    return queries.first_of_month(clock.today_in_london())


def _strand_list(strands) -> str:
    return ", ".join(STRANDS[code].lower() for code in strands)


# --- serious acquisitive crime counts ----------------------------------------------------------

def record_sac_count(month: date, crimes: int, *, version) -> tuple[int | None, int]:
    """Enter or correct a month's count of serious acquisitive crimes; returns (old, new).

    `version` is the count's version when the form was opened ("0" when none was recorded), so a
    correction never silently overwrites someone else's."""
    check_whole_number(crimes, "Number of serious acquisitive crimes", 0, MAX_CRIMES, 81, "crimes")
    if month > current_month():
        raise RuleBroken(f"{month_label(month)} has not started yet. Record its count once the month has begun",
                         "crimes")
    row = queries.sac_count(month)
    saved_version = row.version if row is not None else 0
    if str(version) != str(saved_version):
        saved = row.crimes if row is not None else None
        raise StaleEdit(f"The count for {month_label(month)} was changed by someone else after you opened this "
                        f"page: it is now {saved if saved is not None else 'not recorded'}. Your figure has not "
                        "been saved. Check it, then save again if your figure is still right.",
                        [Conflict("crimes", crimes, saved)])
    old = row.crimes if row is not None else None
    if old == crimes:
        return old, crimes
    if row is None:
        row = SacCount(month=month, crimes=crimes)
        db.session.add(row)
    else:
        row.crimes = crimes
    flush_or_stale(f"Someone else saved the count for {month_label(month)} at the same moment. Your figure has "
                   "not been saved. Reload the page to see theirs.", races=(StaleDataError, IntegrityError))
    action = "sac_count.recorded" if old is None else "sac_count.corrected"
    before = "not recorded" if old is None else str(old)
    audit.record(action, f"Serious acquisitive crimes for {month_label(month)}: {before} → {crimes}",
                 subject=("sac_count", month_text(month)), changes={"crimes": [old, crimes]})
    return old, crimes


# --- the minimum and the counted strands -------------------------------------------------------

def set_scheme_rule(effective_from: date, minimum: int, strands, *, actor) -> date | None:
    """Set the minimum and the counted strands from a month onward (this month or later: months
    already judged keep the rule they were judged by). Returns the start of the next rule already
    set after it, where this one stops applying, or None."""
    effective_from = queries.first_of_month(effective_from)
    this_month = current_month()
    if effective_from < this_month:
        raise RuleBroken(f"Month the change applies from must be this month ({month_text(this_month)}) or "
                         "later: earlier months keep the rule they were judged by", "effective_from")
    check_whole_number(minimum, "Minimum", 1, MAX_MINIMUM, 70, "minimum")
    chosen = set(strands or ())
    if not chosen:
        raise RuleBroken("Select at least one strand to count towards the minimum", "counted_strands")
    unknown = chosen - set(STRANDS)
    if unknown:
        raise RuleBroken("Select strands from the list", "counted_strands")
    counted = tuple(code for code in STRANDS if code in chosen)  # one order, whatever order they came in
    before = monthly.rules_for([effective_from])[effective_from]
    if (before.minimum, before.counted_strands) == (minimum, counted):
        raise RuleBroken(f"From {month_label(effective_from)} the minimum is already {minimum}, counting "
                         f"{_strand_list(counted)}. Change the minimum or the strands counted", "minimum")
    row = db.session.scalar(select(SchemeRule).where(SchemeRule.effective_from == effective_from))
    if row is None:
        row = SchemeRule(effective_from=effective_from)
        db.session.add(row)
    row.minimum_cohort = minimum
    row.counted_strands = ",".join(counted)
    row.set_by_id = actor.id if actor is not None else None
    row.set_at = clock.utcnow()
    try:
        db.session.flush()
    except IntegrityError as error:
        raise RuleBroken(f"Someone else changed the rule from {month_label(effective_from)} at the same moment. "
                         "Nothing was saved. Reload the page to see their change") from error
    changes = audit.field_changes({"minimum": before.minimum, "counted_strands": list(before.counted_strands)},
                                  {"minimum": minimum, "counted_strands": list(counted)})
    changes["effective_from"] = [None, month_text(effective_from)]
    audit.record("scheme_rule.set", f"From {month_label(effective_from)}: minimum {before.minimum} → {minimum}, "
                 f"counting {_strand_list(counted)}", subject=("scheme_rule", month_text(effective_from)),
                 changes=changes)
    return queries.next_rule_after(effective_from)


# --- closing a month ---------------------------------------------------------------------------

def figures_seen(result: MonthlyFigures) -> str:
    """The figures a manager checked, carried by the close form: closing refuses if they moved since."""
    sac = result.serious_acquisitive_crimes
    return (f"{result.on_scheme}.{result.counted_for_minimum}.{result.in_custody_or_remand}."
            f"{result.minimum}.{'none' if sac is None else sac}")


def close_month(month: date, *, seen: str, actor) -> MonthClosure:
    """Keep a finished month's figures as they stand now; later corrections never rewrite them."""
    if month >= current_month():
        raise RuleBroken(f"{month_label(month)} has not ended yet. A month can be closed once it is over")
    existing = db.session.get(MonthClosure, month)
    if existing is not None:
        raise RuleBroken(f"{month_label(month)} was already closed on {clock.uk_date(existing.closed_at)}")
    result = monthly.month_figures(month)
    if seen != figures_seen(result):
        raise StaleEdit(f"The figures for {month_label(month)} changed after you opened this page. The month has "
                        "not been closed. Check the figures below, then close it if they are right.", [])
    closure = MonthClosure(month=month, closed_at=clock.utcnow(), closed_by_id=actor.id if actor else None,
                           **{name: getattr(result, name) for name in queries.CLOSED_FIELDS})
    db.session.add(closure)
    try:
        db.session.flush()
    except IntegrityError as error:
        raise RuleBroken(f"Someone else closed {month_label(month)} at the same moment") from error
    met = "met" if result.minimum_met else "not met"
    audit.record("month.closed", f"Closed {month_label(month)}: {result.counted_for_minimum} counted against a "
                 f"minimum of {result.minimum} ({met})", subject=("month_closure", month_text(month)),
                 changes={name: [None, getattr(result, name)] for name in queries.CLOSED_FIELDS})
    return closure
