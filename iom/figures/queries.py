"""Reads for the monthly figures pages and the home page alert. Every number comes from
figures/monthly.py; this adds what the pages need around it (month states, closures, history)."""
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from iom.audit.models import AuditEntry
from iom.auth.models import User
from iom.figures import monthly
from iom.figures.monthly import MonthlyFigures
from iom.figures.models import DEFAULT_COUNTED_STRANDS, DEFAULT_MINIMUM, MonthClosure, SacCount, SchemeRule
from iom.figures.months import add_months, has_ended, month_text
from iom.extensions import db
from iom.years import FinancialYear

# The figures a closure keeps, in the order the pages show them.
CLOSED_FIELDS = ("on_scheme", "counted_for_minimum", "in_custody_or_remand", "minimum", "minimum_met",
                 "serious_acquisitive_crimes")

COMPLETE, IN_PROGRESS, NOT_STARTED = "complete", "in_progress", "not_started"


def first_of_month(day: date) -> date:
    return date(day.year, day.month, 1)


def month_label(month: date) -> str:
    """October 2011."""
    return f"{month:%B %Y}"


def month_state(month: date, today: date) -> str:
    """complete (ended), in_progress (this month: figures as known today) or not_started."""
    if has_ended(month, today):
        return COMPLETE
    return IN_PROGRESS if first_of_month(month) == first_of_month(today) else NOT_STARTED


@dataclass
class MonthRow:
    """One month as the pages show it: its figures now, and what was reported if it was closed."""

    figures: MonthlyFigures
    state: str
    closure: MonthClosure | None = None
    # field -> (as closed, now), only for figures that changed after the month was closed
    changed: dict[str, tuple] = field(default_factory=dict)

    @property
    def month(self) -> date:
        return self.figures.month

    @property
    def label(self) -> str:
        return month_label(self.month)

    @property
    def is_closed(self) -> bool:
        return self.closure is not None

    @property
    def is_closable(self) -> bool:
        return self.state == COMPLETE and self.closure is None

    @property
    def has_started(self) -> bool:
        return self.state != NOT_STARTED


def month_rows(months: list[date], today: date) -> list[MonthRow]:
    """Figures, closures and the differences between them: four statements for any number of months."""
    results = monthly.months_figures(months)
    closed = closures(months)
    rows = []
    for result in results:
        closure = closed.get(result.month)
        changed = {}
        if closure is not None:
            for name in CLOSED_FIELDS:
                then, now = getattr(closure, name), getattr(result, name)
                if then != now:
                    changed[name] = (then, now)
        rows.append(MonthRow(result, month_state(result.month, today), closure, changed))
    return rows


def closures(months: list[date]) -> dict[date, MonthClosure]:
    """The closed months among these, with who closed them (one statement)."""
    rows = db.session.scalars(select(MonthClosure).options(joinedload(MonthClosure.closed_by))
                              .where(MonthClosure.month.in_(months))).all()
    return {row.month: row for row in rows}


@dataclass
class YearPage:
    financial_year: FinancialYear
    previous_year: FinancialYear
    next_year: FinancialYear
    rows: list[MonthRow]

    @property
    def started(self) -> list[MonthRow]:
        return [row for row in self.rows if row.has_started]

    @property
    def strands_differ(self) -> bool:
        """Whether the counted strands change within the year (the table then shows them per month)."""
        return len({row.figures.counted_strands for row in self.rows}) > 1

    @property
    def counted_strands(self) -> tuple[str, ...]:
        return self.rows[0].figures.counted_strands

    @property
    def complete(self) -> list[MonthRow]:
        return [row for row in self.rows if row.state == COMPLETE]

    @property
    def months_met(self) -> int:
        return sum(row.figures.minimum_met for row in self.complete)

    @property
    def changed_since_closing(self) -> list[MonthRow]:
        return [row for row in self.rows if row.changed]


def year_page(financial_year: FinancialYear, today: date) -> YearPage:
    """The twelve months of a financial year, April first."""
    return YearPage(financial_year, financial_year.shifted(-1), financial_year.shifted(1),
                    month_rows(financial_year.months, today))


def month_row(month: date, today: date) -> MonthRow:
    return month_rows([month], today)[0]


def sac_count(month: date) -> SacCount | None:
    """The stored count, fresh from the database (its version guards corrections)."""
    return db.session.get(SacCount, month, populate_existing=True)


def month_history(month: date, limit: int = 50) -> list[AuditEntry]:
    """What was done to a month (counts entered or corrected, closing), newest first."""
    ident = month_text(month)
    return list(db.session.scalars(
        select(AuditEntry)
        .where(or_(AuditEntry.subject_type == "sac_count", AuditEntry.subject_type == "month_closure"),
               AuditEntry.subject_id == ident)
        .order_by(AuditEntry.seq.desc()).limit(limit)))


@dataclass
class RuleRow:
    effective_from: date | None     # None: the built-in default, before any change
    minimum: int
    counted_strands: tuple[str, ...]
    set_by: str | None = None
    set_at: object = None

    @property
    def label(self) -> str:
        return month_label(self.effective_from) if self.effective_from else "The start (default)"


def rule_history() -> list[RuleRow]:
    """Every rule, the latest start first, ending with the default the scheme began with."""
    rows = db.session.execute(
        select(SchemeRule, User.display_name).outerjoin(User, User.id == SchemeRule.set_by_id)
        .order_by(SchemeRule.effective_from.desc())).all()
    history = [RuleRow(rule.effective_from, rule.minimum_cohort, rule.strands, name, rule.set_at)
               for rule, name in rows]
    history.append(RuleRow(None, DEFAULT_MINIMUM, DEFAULT_COUNTED_STRANDS))
    return history


def next_rule_after(month: date) -> date | None:
    """The start of the first rule after a month: where a rule set from that month stops applying."""
    return db.session.scalar(select(SchemeRule.effective_from).where(SchemeRule.effective_from > month)
                             .order_by(SchemeRule.effective_from).limit(1))


# --- the home page alert -----------------------------------------------------------------------

@dataclass
class MinimumAlert:
    """A month under the minimum: the latest complete month, or this month on what is known today."""

    month: date
    counted: int
    minimum: int
    is_current: bool

    @property
    def label(self) -> str:
        return month_label(self.month)

    @property
    def short(self) -> int:
        return self.minimum - self.counted


def minimum_alerts(today: date) -> list[MinimumAlert]:
    """Counts only (no personal data), so every role's home page may show them. Three statements."""
    current = first_of_month(today)
    latest = add_months(current, -1)
    return [MinimumAlert(result.month, result.counted_for_minimum, result.minimum, result.month == current)
            for result in monthly.months_figures([latest, current]) if not result.minimum_met]
