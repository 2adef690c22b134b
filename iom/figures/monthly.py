"""The figures: one module computes every monthly and yearly number, for the pages, the command
line and every export alike. Rules are in shared/contract.md; this follows them to the day.

Everything is set-based SQL over scheme periods and custody events: a handful of statements
for a whole year, whatever the number of clients."""
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Date, and_, case, exists, extract, func, literal, or_, select, union_all

from iom.figures.models import DEFAULT_COUNTED_STRANDS, DEFAULT_MINIMUM, SacCount, SchemeRule
from iom.figures.months import month_end, month_text
from iom.clients.models import Client, SchemePeriod
from iom.custody.models import CustodyEvent
from iom.extensions import db
from iom.offending.models import SERIOUS_ACQUISITIVE_TYPES, Offence
from iom.payments.queries import year_summary
from iom.referrals.models import REFERRAL_KINDS, Referral
from iom.years import FinancialYear

IN_CUSTODY = ("remand", "custody")


@dataclass(frozen=True)
class Rule:
    """The minimum and counted strands a month is judged by."""

    minimum: int
    counted_strands: tuple[str, ...]
    effective_from: date | None = None


DEFAULT_RULE = Rule(DEFAULT_MINIMUM, DEFAULT_COUNTED_STRANDS)


@dataclass
class MonthlyFigures:
    month: date                      # first day of the month
    on_scheme: int
    counted_for_minimum: int
    in_custody_or_remand: int
    minimum: int
    minimum_met: bool
    serious_acquisitive_crimes: int | None
    counted_strands: tuple[str, ...] = DEFAULT_COUNTED_STRANDS
    by_strand: dict[str, int] = field(default_factory=dict)
    # the recorded serious acquisitive offences of the month committed by someone on the scheme that day
    cohort_serious_acquisitive_offences: int = 0

    @property
    def month_text(self) -> str:
        return month_text(self.month)

    @property
    def taken_on(self) -> date:
        return month_end(self.month)

    @property
    def clients_per_sac(self) -> Decimal | None:
        """Clients on the scheme per serious acquisitive crime, to two places; None without a count."""
        if not self.serious_acquisitive_crimes:
            return None
        return (Decimal(self.on_scheme) / Decimal(self.serious_acquisitive_crimes)).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP)

    @property
    def sac_per_10_clients(self) -> Decimal | None:
        """Serious acquisitive crimes for every 10 clients on the scheme, to one place; None without a
        count or without clients (nothing to divide by)."""
        if self.serious_acquisitive_crimes is None or not self.on_scheme:
            return None
        return (Decimal(self.serious_acquisitive_crimes) * 10 / Decimal(self.on_scheme)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def cohort_share_of_sac_percent(self) -> Decimal | None:
        """The scheme's own share of the area's serious acquisitive crime: the clients' offences as a
        percentage of the area's recorded count, to one place; None without a count or with a count of 0.
        (Over 100 means the two counts disagree: the area's may cover a smaller area, say.)"""
        if not self.serious_acquisitive_crimes:
            return None
        return (Decimal(self.cohort_serious_acquisitive_offences) * 100
                / Decimal(self.serious_acquisitive_crimes)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    def as_json(self) -> dict:
        """The contract's keys, in the contract's order."""
        return {
            "month": self.month_text,
            "on_scheme": self.on_scheme,
            "counted_for_minimum": self.counted_for_minimum,
            "in_custody_or_remand": self.in_custody_or_remand,
            "minimum": self.minimum,
            "minimum_met": self.minimum_met,
            "serious_acquisitive_crimes": self.serious_acquisitive_crimes,
            "cohort_serious_acquisitive_offences": self.cohort_serious_acquisitive_offences,
        }


def rules_for(months: list[date]) -> dict[date, Rule]:
    """The rule in force for each month: the latest one effective on or before it."""
    rows = db.session.scalars(select(SchemeRule).order_by(SchemeRule.effective_from)).all()
    result = {}
    for month in months:
        rule = DEFAULT_RULE
        for row in rows:
            if row.effective_from <= month:
                rule = Rule(row.minimum_cohort, row.strands, row.effective_from)
        result[month] = rule
    return result


def _days_table(days: list[date]):
    """A derived table of the given days, one row each (portable: a UNION ALL of literals)."""
    selects = [select(literal(day, Date).label("day")) for day in days]
    return (union_all(*selects) if len(selects) > 1 else selects[0]).subquery("days")


def _counts_on(days: list[date]) -> dict[date, dict[tuple[str, bool], int]]:
    """For each day: {(strand, in custody or remand): clients on the scheme}."""
    if not days:
        return {}
    days_t = _days_table(days)
    day = days_t.c.day
    status_on_day = (select(CustodyEvent.status)
                     .where(CustodyEvent.client_id == SchemePeriod.client_id, CustodyEvent.from_date <= day)
                     .order_by(CustodyEvent.from_date.desc()).limit(1)
                     .correlate(SchemePeriod, days_t).scalar_subquery())
    on_scheme = (select(day.label("day"), SchemePeriod.client_id.label("client_id"),
                        SchemePeriod.strand.label("strand"),
                        case((status_on_day.in_(IN_CUSTODY), 1), else_=0).label("inside"))
                 .select_from(days_t)
                 .join(SchemePeriod, and_(SchemePeriod.joined_on <= day,
                                          or_(SchemePeriod.left_on.is_(None), SchemePeriod.left_on >= day)))
                 .subquery("on_scheme"))
    rows = db.session.execute(
        select(on_scheme.c.day, on_scheme.c.strand, on_scheme.c.inside,
               func.count(func.distinct(on_scheme.c.client_id)))
        .group_by(on_scheme.c.day, on_scheme.c.strand, on_scheme.c.inside)
    ).all()
    result: dict[date, dict[tuple[str, bool], int]] = {d: {} for d in days}
    for row_day, strand, inside, count in rows:
        if isinstance(row_day, str):  # SQLite hands a literal back as text
            row_day = date.fromisoformat(row_day)
        result[row_day][(strand, bool(inside))] = count
    return result


def sac_counts(months: list[date]) -> dict[date, int]:
    rows = db.session.execute(select(SacCount.month, SacCount.crimes).where(SacCount.month.in_(months))).all()
    return {month: crimes for month, crimes in rows}


def cohort_sac_offences(months: list[date]) -> dict[date, int]:
    """For each month (first days): the recorded offences of a serious acquisitive type committed in
    it by someone on the scheme (any strand) on the day of the offence. One statement for any months.

    Counted live from the offences, whenever they were recorded: a month's figure grows as offences
    are recorded late (a charge months after the burglary), so it is not kept when a month is closed."""
    if not months:
        return {}
    on_the_day = exists().where(SchemePeriod.client_id == Offence.client_id,
                                SchemePeriod.joined_on <= Offence.offence_on,
                                or_(SchemePeriod.left_on.is_(None), SchemePeriod.left_on >= Offence.offence_on))
    year, month = extract("year", Offence.offence_on), extract("month", Offence.offence_on)
    rows = db.session.execute(
        select(year, month, func.count())
        .where(Offence.offence_type.in_(sorted(SERIOUS_ACQUISITIVE_TYPES)),
               Offence.offence_on >= min(months), Offence.offence_on <= month_end(max(months)), on_the_day)
        .group_by(year, month)).all()
    found = {date(int(row_year), int(row_month), 1): count for row_year, row_month, count in rows}
    return {first: found.get(first, 0) for first in months}


def months_figures(months: list[date]) -> list[MonthlyFigures]:
    """Figures for each month (first days), taken on each month's last day."""
    ends = {month: month_end(month) for month in months}
    counts = _counts_on(sorted(set(ends.values())))
    rules = rules_for(months)
    sac = sac_counts(months)
    cohort_sac = cohort_sac_offences(months)
    figures = []
    for month in months:
        by_key = counts.get(ends[month], {})
        rule = rules[month]
        by_strand: dict[str, int] = {}
        for (strand, _), count in by_key.items():
            by_strand[strand] = by_strand.get(strand, 0) + count
        on_scheme = sum(by_key.values())
        counted = sum(count for (strand, _), count in by_key.items() if strand in rule.counted_strands)
        inside = sum(count for (_, is_inside), count in by_key.items() if is_inside)
        figures.append(MonthlyFigures(
            month=month, on_scheme=on_scheme, counted_for_minimum=counted, in_custody_or_remand=inside,
            minimum=rule.minimum, minimum_met=counted >= rule.minimum,
            serious_acquisitive_crimes=sac.get(month), counted_strands=rule.counted_strands,
            by_strand=by_strand, cohort_serious_acquisitive_offences=cohort_sac[month]))
    return figures


def month_figures(month: date) -> MonthlyFigures:
    return months_figures([month])[0]


def year_figures(financial_year: FinancialYear) -> list[MonthlyFigures]:
    """The twelve months of a financial year, April first."""
    return months_figures(financial_year.months)


# --- yearly figures ------------------------------------------------------------------------

def clients_on_scheme_in(first: date, last: date):
    """Clients with at least one day on the scheme between two days (both included)."""
    return (select(SchemePeriod.client_id)
            .where(SchemePeriod.joined_on <= last, or_(SchemePeriod.left_on.is_(None), SchemePeriod.left_on >= first))
            .distinct())


def alcohol_related(financial_year: FinancialYear) -> dict:
    """{'clients': with alcohol-related offending, 'of': on the scheme at least one day of the year}."""
    first, last = financial_year.first_day, financial_year.last_day
    in_year = clients_on_scheme_in(first, last).subquery()
    of, yes = db.session.execute(
        select(func.count(), func.coalesce(func.sum(case((Client.alcohol_related == "yes", 1), else_=0)), 0))
        .select_from(Client).where(Client.id.in_(select(in_year.c.client_id)))
    ).one()
    return {"clients": int(yes), "of": int(of)}


def referrals(financial_year: FinancialYear) -> dict:
    """Per kind: made (referred in the year), completed (status completed, closed in the year),
    open at year end (referred by the last day and not closed by it)."""
    first, last = financial_year.first_day, financial_year.last_day
    made = func.sum(case((and_(Referral.referred_on >= first, Referral.referred_on <= last), 1), else_=0))
    completed = func.sum(case((and_(Referral.status == "completed", Referral.closed_on >= first,
                                    Referral.closed_on <= last), 1), else_=0))
    still_open = func.sum(case((and_(Referral.referred_on <= last,
                                     or_(Referral.closed_on.is_(None), Referral.closed_on > last)), 1), else_=0))
    rows = db.session.execute(select(Referral.kind, made, completed, still_open).group_by(Referral.kind)).all()
    result = {kind: {"made": 0, "completed": 0, "open_at_year_end": 0} for kind in REFERRAL_KINDS}
    for kind, made_n, completed_n, open_n in rows:
        result[kind] = {"made": int(made_n or 0), "completed": int(completed_n or 0),
                        "open_at_year_end": int(open_n or 0)}
    return result


def payments(financial_year: FinancialYear) -> dict:
    """Approved payments dated in the year: count, total and the year's budget, money as Decimal."""
    summary = year_summary(financial_year)
    return {"count": summary.count, "total_gbp": summary.approved.quantize(Decimal("0.01")),
            "budget_gbp": summary.budget.quantize(Decimal("0.01"))}
