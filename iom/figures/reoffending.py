"""Offending before and after adoption: the measure the national IOM tracking tools judge a
scheme by (the contract's Offending section, word for word).

For the clients adopted from FIRST to LAST (both days included), each adopted on the earliest
`joined_on` in that range (day A), the *before* window is A-365 to A-1 and the *after* window
A to A+364. A client whose after window has not ended by today (A+364 is today or later) is
left out of both windows and counted as `not_yet_a_year`.

Everything per client is summed in the database: offences by type and window, and the days of
each window spent on remand or in custody, from custody *intervals* (an event lasts until the
day before the client's next event; LEAD over the client's events), never by looping over days.
Dates become whole day numbers (days since 1 January 1970) so the arithmetic is the same SQL on
SQLite and PostgreSQL. Python then adds up one row per client, which is what lets the same
figures be broken down by strand, programme and cohort tier.
"""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Date, Integer, and_, case, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

from iom.clients.models import COHORT_TIERS, PROGRAMMES, STRANDS, Client, SchemePeriod
from iom.clock import today_in_london
from iom.custody.models import CustodyEvent
from iom.extensions import db
from iom.offending.models import NEIGHBOURHOOD_TYPES, SERIOUS_ACQUISITIVE_TYPES, Offence
from iom.offending.queries import unit_costs

WINDOW_DAYS = 365
_EPOCH = date(1970, 1, 1)
_NEVER = 10 ** 7  # a day number past any real date: an event with no later event lasts until then
ONE_DECIMAL = Decimal("0.1")
BREAKDOWNS = {"strand": STRANDS, "programme": PROGRAMMES, "tier": {**COHORT_TIERS, "": "Not set"}}


class day_number(FunctionElement):
    """A DATE column as the whole number of days since 1 January 1970."""

    type = Integer()
    inherit_cache = True


@compiles(day_number, "sqlite")
def _day_number_sqlite(element, compiler, **kw):
    return f"CAST(julianday({compiler.process(element.clauses, **kw)}) - 2440587.5 AS INTEGER)"


@compiles(day_number)
def _day_number_default(element, compiler, **kw):
    return f"({compiler.process(element.clauses, **kw)} - DATE '1970-01-01')"


def to_day_number(day: date) -> int:
    return (day - _EPOCH).days


def _least(a, b) -> ColumnElement:
    return case((a < b, a), else_=b)


def _greatest(a, b) -> ColumnElement:
    return case((a > b, a), else_=b)


def per_100_years(offences: int, days_at_risk: int) -> Decimal | None:
    """offences x 36,500 / days at risk, rounded half up to one decimal; None with no day at risk."""
    if not days_at_risk:
        return None
    return (Decimal(offences) * 36500 / Decimal(days_at_risk)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


@dataclass
class Window:
    """One window's figures over a set of clients."""

    clients: int = 0
    offences: int = 0
    clients_offending: int = 0
    serious_acquisitive: int = 0
    neighbourhood: int = 0
    days_at_risk: int = 0
    cost_gbp: Decimal = Decimal("0.00")
    by_type: dict[str, int] = field(default_factory=dict)

    @property
    def per_100_years_at_risk(self) -> Decimal | None:
        return per_100_years(self.offences, self.days_at_risk)

    def add(self, other: "Window") -> None:
        self.clients += other.clients
        self.offences += other.offences
        self.clients_offending += other.clients_offending
        self.serious_acquisitive += other.serious_acquisitive
        self.neighbourhood += other.neighbourhood
        self.days_at_risk += other.days_at_risk
        self.cost_gbp += other.cost_gbp
        for offence_type, count in other.by_type.items():
            self.by_type[offence_type] = self.by_type.get(offence_type, 0) + count

    def as_json(self) -> dict:
        rate = self.per_100_years_at_risk
        return {"clients": self.clients, "offences": self.offences, "clients_offending": self.clients_offending,
                "serious_acquisitive": self.serious_acquisitive, "neighbourhood": self.neighbourhood,
                "days_at_risk": self.days_at_risk,
                "per_100_years_at_risk": float(rate) if rate is not None else None,
                "cost_gbp": f"{self.cost_gbp:.2f}"}


@dataclass
class CohortClient:
    """One adopted client's row: what the breakdowns group by, and their two windows."""

    client_id: int
    adopted_on: date
    strand: str
    programme: str
    tier: str | None
    counted: bool  # False: the after window has not ended (not_yet_a_year)
    before: Window
    after: Window


@dataclass
class Group:
    """The cohort, or one strand, programme or tier of it."""

    clients: int = 0
    not_yet_a_year: int = 0
    before: Window = field(default_factory=Window)
    after: Window = field(default_factory=Window)

    def add(self, member: CohortClient) -> None:
        self.clients += 1
        if not member.counted:
            self.not_yet_a_year += 1
            return
        self.before.add(member.before)
        self.after.add(member.after)

    @property
    def change_in_cost_gbp(self) -> Decimal:
        """After minus before: negative when the cohort's offending cost less after adoption."""
        return self.after.cost_gbp - self.before.cost_gbp


@dataclass
class Reoffending:
    first: date
    last: date
    today: date
    members: list[CohortClient]
    all: Group
    # breakdown name ("strand", "programme", "tier") -> code ("" for no tier) -> group
    by: dict[str, dict[str, Group]]
    unit_costs: dict

    @property
    def clients(self) -> int:
        return self.all.clients

    @property
    def not_yet_a_year(self) -> int:
        return self.all.not_yet_a_year

    @property
    def before(self) -> Window:
        return self.all.before

    @property
    def after(self) -> Window:
        return self.all.after

    def as_json(self) -> dict:
        """The contract's object (`reoffending --json`), then the breakdowns."""
        return {"from": self.first.isoformat(), "to": self.last.isoformat(), "clients": self.clients,
                "not_yet_a_year": self.not_yet_a_year,
                "before": self.before.as_json(), "after": self.after.as_json(),
                "by": {name: {code: {"clients": group.clients, "not_yet_a_year": group.not_yet_a_year,
                                     "before": group.before.as_json(), "after": group.after.as_json()}
                              for code, group in groups.items()}
                       for name, groups in self.by.items()}}


def _cohort(first: date, last: date):
    """Each client adopted in the range, once, on their earliest joined_on in it."""
    return (select(SchemePeriod.client_id.label("client_id"), func.min(SchemePeriod.joined_on).label("adopted_on"))
            .where(SchemePeriod.joined_on >= first, SchemePeriod.joined_on <= last)
            .group_by(SchemePeriod.client_id).subquery("cohort"))


def window_spans(cohort):
    """(client_id, adopted day number, before first, before last, after first, after last) as columns."""
    adopted = day_number(cohort.c.adopted_on)
    return adopted, (adopted - WINDOW_DAYS, adopted - 1), (adopted, adopted + WINDOW_DAYS - 1)


def custody_intervals(client_ids=None):
    """Each custody event as an interval of day numbers: (client_id, status, first, last), where
    last is the day before the client's next event (or far in the future)."""
    start = day_number(CustodyEvent.from_date)
    following = func.lead(start).over(partition_by=CustodyEvent.client_id, order_by=CustodyEvent.from_date)
    query = select(CustodyEvent.client_id.label("client_id"), CustodyEvent.status.label("status"),
                   start.label("first"), func.coalesce(following - 1, _NEVER).label("last"))
    if client_ids is not None:
        query = query.where(CustodyEvent.client_id.in_(client_ids))
    return query.subquery("intervals")


def overlap_days(interval_first, interval_last, span_first, span_last) -> ColumnElement:
    """How many days two spans of day numbers share (0 when none)."""
    low, high = _greatest(interval_first, span_first), _least(interval_last, span_last)
    return case((high >= low, high - low + 1), else_=0)


def before_and_after(first: date, last: date, *, today: date | None = None) -> Reoffending:
    """The contract's before-and-after figures for clients adopted from FIRST to LAST, with the
    same figures by strand (of the adopting period), programme and cohort tier. Four queries."""
    today = today or today_in_london()
    cohort = _cohort(first, last)
    adopted, (before_first, before_last), (after_first, after_last) = window_spans(cohort)

    people = db.session.execute(
        select(cohort.c.client_id, cohort.c.adopted_on, SchemePeriod.strand, Client.programme, Client.tier)
        .join(SchemePeriod, and_(SchemePeriod.client_id == cohort.c.client_id,
                                 SchemePeriod.joined_on == cohort.c.adopted_on))
        .join(Client, Client.id == cohort.c.client_id)
        .order_by(cohort.c.client_id)).all()

    in_before = and_(day_number(Offence.offence_on) >= before_first, day_number(Offence.offence_on) <= before_last)
    in_after = and_(day_number(Offence.offence_on) >= after_first, day_number(Offence.offence_on) <= after_last)
    offence_rows = db.session.execute(
        select(Offence.client_id, Offence.offence_type,
               func.sum(case((in_before, 1), else_=0)), func.sum(case((in_after, 1), else_=0)))
        .join(cohort, cohort.c.client_id == Offence.client_id)
        .where(day_number(Offence.offence_on) >= before_first, day_number(Offence.offence_on) <= after_last)
        .group_by(Offence.client_id, Offence.offence_type)).all()

    intervals = custody_intervals()
    inside = intervals.c.status != "community"
    custody_rows = db.session.execute(
        select(intervals.c.client_id,
               func.sum(overlap_days(intervals.c.first, intervals.c.last, before_first, before_last)),
               func.sum(overlap_days(intervals.c.first, intervals.c.last, after_first, after_last)))
        .join(cohort, cohort.c.client_id == intervals.c.client_id)
        .where(inside, intervals.c.last >= before_first, intervals.c.first <= after_last)
        .group_by(intervals.c.client_id)).all()

    costs = unit_costs()
    offences: dict[int, list[tuple[str, int, int]]] = defaultdict(list)
    for client_id, offence_type, before_count, after_count in offence_rows:
        offences[client_id].append((offence_type, int(before_count or 0), int(after_count or 0)))
    days_inside = {client_id: (int(before or 0), int(after or 0)) for client_id, before, after in custody_rows}

    members = []
    for client_id, adopted_on, strand, programme, tier in people:
        if isinstance(adopted_on, str):  # SQLite hands an aggregate's date back as text
            adopted_on = date.fromisoformat(adopted_on)
        counted = adopted_on + timedelta(days=WINDOW_DAYS - 1) < today
        inside_before, inside_after = days_inside.get(client_id, (0, 0))
        before = _window(offences[client_id], 0, WINDOW_DAYS - inside_before, costs)
        after = _window(offences[client_id], 1, WINDOW_DAYS - inside_after, costs)
        members.append(CohortClient(client_id, adopted_on, strand, programme, tier, counted, before, after))
    return summarise(first, last, today, members, costs)


def _window(rows: list[tuple[str, int, int]], which: int, days_at_risk: int, costs: dict) -> Window:
    window = Window(clients=1, days_at_risk=days_at_risk)
    for offence_type, *counts in rows:
        count = counts[which]
        if not count:
            continue
        window.offences += count
        window.by_type[offence_type] = count
        if offence_type in SERIOUS_ACQUISITIVE_TYPES:
            window.serious_acquisitive += count
        if offence_type in NEIGHBOURHOOD_TYPES:
            window.neighbourhood += count
        window.cost_gbp += costs[offence_type].cost_gbp * count
    window.clients_offending = 1 if window.offences else 0
    return window


def summarise(first: date, last: date, today: date, members: list[CohortClient], costs: dict) -> Reoffending:
    everyone = Group()
    by: dict[str, dict[str, Group]] = {name: {code: Group() for code in codes} for name, codes in BREAKDOWNS.items()}
    for member in members:
        everyone.add(member)
        by["strand"][member.strand].add(member)
        by["programme"][member.programme].add(member)
        by["tier"][member.tier or ""].add(member)
    return Reoffending(first, last, today, members, everyone, by, costs)
