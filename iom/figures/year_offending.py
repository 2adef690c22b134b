"""The offences clients committed in a financial year while on the scheme, against the days they were
at risk on the scheme in it: offences per 100 years at risk and the cost of crime, in all and by
cohort tier. For the review pack's offending section, beside the before-and-after figures of
reoffending.py, whose helpers (day numbers, custody intervals, overlapping days, one client's window)
it uses, so a day at risk and an offence's cost are worked out the same way in both.

A client counts on the days of the year they were on the scheme (any strand: a scheme period covering
the day, the leaving day included). Their days at risk are those days on which their custody status
(the latest custody event on or before the day) is `community`; their offences are those committed on
those days on the scheme, whatever their custody status that day (as the before-and-after windows
count them). Four queries whatever the size of the caseload."""
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import and_, func, or_, select

from iom.clients.models import COHORT_TIERS, Client, SchemePeriod
from iom.extensions import db
from iom.figures.reoffending import (_NEVER, Window, _greatest, _least, client_window, custody_intervals, day_number,
                                     overlap_days, to_day_number)
from iom.offending.models import Offence
from iom.offending.queries import unit_costs
from iom.years import FinancialYear

TIERS = {**COHORT_TIERS, "": "Not set"}


@dataclass
class YearOffending:
    financial_year: FinancialYear
    all: Window
    by_tier: dict[str, Window] = field(default_factory=dict)  # "" for clients with no tier set
    unit_costs: dict = field(default_factory=dict)


def scheme_spans(first_day: int, last_day: int):
    """Each scheme period cut to the days first_day..last_day (day numbers): (client_id, first, last)."""
    return (select(SchemePeriod.client_id.label("client_id"),
                   _greatest(day_number(SchemePeriod.joined_on), first_day).label("first"),
                   _least(func.coalesce(day_number(SchemePeriod.left_on), _NEVER), last_day).label("last"))
            .where(day_number(SchemePeriod.joined_on) <= last_day,
                   or_(SchemePeriod.left_on.is_(None), day_number(SchemePeriod.left_on) >= first_day))
            .subquery("spans"))


def offending_in_year(financial_year: FinancialYear) -> YearOffending:
    """Offences, days at risk, the rate per 100 years at risk and the cost of crime of everyone on the
    scheme at some time in the year, counted only on their days on the scheme; in all and by tier."""
    spans = scheme_spans(to_day_number(financial_year.first_day), to_day_number(financial_year.last_day))
    people = db.session.execute(
        select(spans.c.client_id, Client.tier, func.sum(spans.c.last - spans.c.first + 1))
        .join(Client, Client.id == spans.c.client_id)
        .group_by(spans.c.client_id, Client.tier)).all()

    intervals = custody_intervals()
    inside = db.session.execute(
        select(spans.c.client_id,
               func.sum(overlap_days(intervals.c.first, intervals.c.last, spans.c.first, spans.c.last)))
        .join(intervals, intervals.c.client_id == spans.c.client_id)
        .where(intervals.c.status != "community", intervals.c.last >= spans.c.first,
               intervals.c.first <= spans.c.last)
        .group_by(spans.c.client_id)).all()

    committed = day_number(Offence.offence_on)
    offence_rows = db.session.execute(
        select(Offence.client_id, Offence.offence_type, func.count())
        .join(spans, and_(spans.c.client_id == Offence.client_id, committed >= spans.c.first,
                          committed <= spans.c.last))
        .group_by(Offence.client_id, Offence.offence_type)).all()

    costs = unit_costs()
    days_inside = {client_id: int(days or 0) for client_id, days in inside}
    offences: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for client_id, offence_type, count in offence_rows:
        offences[client_id].append((offence_type, int(count)))
    everyone = Window()
    by_tier = {code: Window() for code in TIERS}
    for client_id, tier, days_on_scheme in people:
        window = client_window(offences[client_id], 0, int(days_on_scheme) - days_inside.get(client_id, 0), costs)
        everyone.add(window)
        by_tier[tier or ""].add(window)
    return YearOffending(financial_year, everyone, by_tier, costs)
