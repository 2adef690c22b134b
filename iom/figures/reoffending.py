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

Speed (bench/reoffending_bench.py, 5,000 clients, 50,000 offences, 40,000 custody events): each
client's day of adoption, its day number and its windows' first and last days are worked out
once, in the cohort subquery, not again for every offence and custody row; offences are picked
by comparing dates, so the (client_id, offence_on) index finds each client's two years; and only
the cohort's custody events up to the end of each one's after window are turned into intervals
(a later event can only end an interval after the window, which the overlap cuts off anyway).
"""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Date, Integer, and_, case, func, literal, select
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


class days_after(FunctionElement):
    """A DATE moved by a whole number of days (negative: earlier), still a date, so it compares with
    another DATE column the way an index can use: days_after(column, -365)."""

    type = Date()
    inherit_cache = True


@compiles(days_after, "sqlite")
def _days_after_sqlite(element, compiler, **kw):
    day, days = list(element.clauses)
    return f"date({compiler.process(day, **kw)}, {compiler.process(days, **kw)} || ' days')"


@compiles(days_after)
def _days_after_default(element, compiler, **kw):
    day, days = list(element.clauses)
    return f"CAST({compiler.process(day, **kw)} + CAST({compiler.process(days, **kw)} AS INTEGER) AS DATE)"


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

    def merge(self, other: "Group") -> None:
        """Add another group's clients and figures to this one's."""
        self.clients += other.clients
        self.not_yet_a_year += other.not_yet_a_year
        self.before.add(other.before)
        self.after.add(other.after)

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

    # the whole cohort's figures, read from its group of all clients
    clients = property(lambda self: self.all.clients)
    not_yet_a_year = property(lambda self: self.all.not_yet_a_year)
    before = property(lambda self: self.all.before)
    after = property(lambda self: self.all.after)

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
    """Each client adopted in the range, once, on their earliest joined_on in it (adopted_on), with
    that day's number (adopted) and the first day of the before window and the last of the after
    window as dates (before_first_on, after_last_on)."""
    adopted_on = func.min(SchemePeriod.joined_on)
    return (select(SchemePeriod.client_id.label("client_id"), adopted_on.label("adopted_on"),
                   day_number(adopted_on).label("adopted"),
                   days_after(adopted_on, literal(-WINDOW_DAYS, Integer)).label("before_first_on"),
                   days_after(adopted_on, literal(WINDOW_DAYS - 1, Integer)).label("after_last_on"))
            .where(SchemePeriod.joined_on >= first, SchemePeriod.joined_on <= last)
            .group_by(SchemePeriod.client_id).subquery("cohort"))


def _spans(adopted):
    """The before and after windows of an adoption day number, as day numbers."""
    return (adopted - WINDOW_DAYS, adopted - 1), (adopted, adopted + WINDOW_DAYS - 1)


def window_spans(cohort):
    """(adopted day number, (before first, before last), (after first, after last)) as columns."""
    adopted = cohort.c.adopted if "adopted" in cohort.c else day_number(cohort.c.adopted_on)
    return adopted, *_spans(adopted)


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


def _cohort_custody_intervals(cohort):
    """custody_intervals() for the cohort's clients only, each row with the client's adoption day
    number; events after the client's after window are left out (they could only end an interval
    after the window, and overlap_days cuts every interval at the window's edge anyway)."""
    start = day_number(CustodyEvent.from_date)
    following = func.lead(start).over(partition_by=CustodyEvent.client_id, order_by=CustodyEvent.from_date)
    return (select(CustodyEvent.client_id.label("client_id"), CustodyEvent.status.label("status"),
                   start.label("first"), func.coalesce(following - 1, _NEVER).label("last"),
                   cohort.c.adopted.label("adopted"))
            .join(cohort, cohort.c.client_id == CustodyEvent.client_id)
            .where(CustodyEvent.from_date <= cohort.c.after_last_on)
            .subquery("intervals"))


def overlap_days(interval_first, interval_last, span_first, span_last) -> ColumnElement:
    """How many days two spans of day numbers share (0 when none)."""
    low, high = _greatest(interval_first, span_first), _least(interval_last, span_last)
    return case((high >= low, high - low + 1), else_=0)


def before_and_after(first: date, last: date, *, today: date | None = None) -> Reoffending:
    """The contract's before-and-after figures for clients adopted from FIRST to LAST, with the
    same figures by strand (of the adopting period), programme and cohort tier. Four queries."""
    today = today or today_in_london()
    cohort = _cohort(first, last)
    # Core rows straight from the session's connection (tens of thousands of them, no ORM entities),
    # after the flush session.execute would have done
    db.session.flush()
    read = db.session.connection().execute

    people = read(
        select(cohort.c.client_id, cohort.c.adopted_on, SchemePeriod.strand, Client.programme, Client.tier)
        .join(SchemePeriod, and_(SchemePeriod.client_id == cohort.c.client_id,
                                 SchemePeriod.joined_on == cohort.c.adopted_on))
        .join(Client, Client.id == cohort.c.client_id)
        .order_by(cohort.c.client_id)).all()

    # within both windows (A-365 to A+364), an offence before day A is in the before window
    offence_rows = read(
        select(Offence.client_id, Offence.offence_type,
               func.sum(case((Offence.offence_on < cohort.c.adopted_on, 1), else_=0)),
               func.sum(case((Offence.offence_on >= cohort.c.adopted_on, 1), else_=0)))
        .join(cohort, cohort.c.client_id == Offence.client_id)
        .where(Offence.offence_on >= cohort.c.before_first_on, Offence.offence_on <= cohort.c.after_last_on)
        .group_by(Offence.client_id, Offence.offence_type)).all()

    intervals = _cohort_custody_intervals(cohort)
    (before_first, before_last), (after_first, after_last) = _spans(intervals.c.adopted)
    custody_rows = read(
        select(intervals.c.client_id,
               func.sum(overlap_days(intervals.c.first, intervals.c.last, before_first, before_last)),
               func.sum(overlap_days(intervals.c.first, intervals.c.last, after_first, after_last)))
        .where(intervals.c.status != "community", intervals.c.last >= before_first)
        .group_by(intervals.c.client_id)).all()

    costs = unit_costs()
    # each client's two windows, filled straight from their offences by type (one pass over the rows)
    windows: dict[int, tuple[Window, Window]] = {}
    for client_id, offence_type, before_count, after_count in offence_rows:
        pair = windows.get(client_id)
        if pair is None:
            pair = windows[client_id] = (Window(clients=1), Window(clients=1))
        unit_cost = costs[offence_type].cost_gbp
        for window, count in zip(pair, (before_count, after_count)):
            if count:
                _count(window, offence_type, int(count), unit_cost)
    days_inside = {client_id: (int(before or 0), int(after or 0)) for client_id, before, after in custody_rows}

    members = []
    for client_id, adopted_on, strand, programme, tier in people:
        if isinstance(adopted_on, str):  # SQLite hands an aggregate's date back as text
            adopted_on = date.fromisoformat(adopted_on)
        counted = adopted_on + timedelta(days=WINDOW_DAYS - 1) < today
        before, after = windows.get(client_id) or (Window(clients=1), Window(clients=1))
        for window, inside in zip((before, after), days_inside.get(client_id, (0, 0))):
            window.days_at_risk = WINDOW_DAYS - inside
            window.clients_offending = 1 if window.offences else 0
        members.append(CohortClient(client_id, adopted_on, strand, programme, tier, counted, before, after))
    return summarise(first, last, today, members, costs)


def _count(window: Window, offence_type: str, count: int, unit_cost: Decimal) -> None:
    """Add one client's `count` offences of a type to their window."""
    window.offences += count
    window.by_type[offence_type] = count
    if offence_type in SERIOUS_ACQUISITIVE_TYPES:
        window.serious_acquisitive += count
    if offence_type in NEIGHBOURHOOD_TYPES:
        window.neighbourhood += count
    window.cost_gbp += unit_cost * count


def client_window(rows: list[tuple[str, int, int]], which: int, days_at_risk: int, costs: dict) -> Window:
    """One client's window from their offence counts by type, [(type, count, count), ...], taking
    the count at `which` (for figures other than before and after, such as a year on the scheme)."""
    window = Window(clients=1, days_at_risk=days_at_risk)
    for offence_type, *counts in rows:
        if counts[which]:
            _count(window, offence_type, int(counts[which]), costs[offence_type].cost_gbp)
    window.clients_offending = 1 if window.offences else 0
    return window


def summarise(first: date, last: date, today: date, members: list[CohortClient], costs: dict) -> Reoffending:
    # Members sharing a strand, programme and tier are added up once; each of those few dozen cells is
    # then added to the cohort and to its strand, programme and tier (the same sums, a quarter of the work).
    cells: dict[tuple[str, str, str], Group] = defaultdict(Group)
    for member in members:
        cells[(member.strand, member.programme, member.tier or "")].add(member)
    everyone = Group()
    by: dict[str, dict[str, Group]] = {name: {code: Group() for code in codes} for name, codes in BREAKDOWNS.items()}
    for (strand, programme, tier), cell in cells.items():
        everyone.merge(cell)
        by["strand"][strand].merge(cell)
        by["programme"][programme].merge(cell)
        by["tier"][tier].merge(cell)
    return Reoffending(first, last, today, members, everyone, by, costs)
