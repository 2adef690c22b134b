"""The client page's offending record, for those allowed to see it: the offences, the year before
adoption beside the time since, with days at risk and the cost of crime, and the timeline. Built
from what the page already loaded (periods, custody events) plus two queries (the offences and the
unit costs), whatever the length of the person's history."""
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from iom.clients.queries import ClientPage
from iom.clients.timeline import Timeline, build_timeline
from iom.custody.spans import days_in_community
from iom.offending import queries as offending_queries
from iom.offending.models import Offence
from iom.offending.queries import UnitCostOfCrime

YEAR_BEFORE = 365


@dataclass
class SpanOfOffending:
    """Offending in first..last (both days included)."""

    label: str
    first: date
    last: date
    offences: int
    serious_acquisitive: int
    neighbourhood: int
    not_costed: int       # offences of a type the published source does not cost and no local figure
    cost_gbp: Decimal
    days_at_risk: int

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def span_of_offending(label: str, first: date, last: date, offences: list[Offence], custody_events: list,
                      costs: dict[str, UnitCostOfCrime]) -> SpanOfOffending:
    inside = [offence for offence in offences if first <= offence.offence_on <= last]
    return SpanOfOffending(
        label, first, last, len(inside),
        serious_acquisitive=sum(1 for offence in inside if offence.is_serious_acquisitive),
        neighbourhood=sum(1 for offence in inside if offence.is_neighbourhood),
        not_costed=sum(1 for offence in inside if not costs[offence.offence_type].is_costed),
        cost_gbp=offending_queries.cost_of(inside, costs),
        days_at_risk=days_in_community(custody_events, first, last))


@dataclass
class OffendingRecord:
    offences: list[Offence]
    costs: dict[str, UnitCostOfCrime]
    adopted_on: date | None          # the latest period's joined_on
    before: SpanOfOffending | None   # the 365 days before adoption
    since: SpanOfOffending | None    # adoption to today
    timeline: Timeline | None


def offending_record(page: ClientPage, today: date) -> OffendingRecord:
    offences = offending_queries.offences_for(page.client.id)
    costs = offending_queries.unit_costs()
    adopted_on = page.periods[0].joined_on if page.periods else None  # newest first
    before = since = None
    if adopted_on is not None:
        before = span_of_offending("The year before adoption", adopted_on - timedelta(days=YEAR_BEFORE),
                                   adopted_on - timedelta(days=1), offences, page.custody_events, costs)
        since = span_of_offending("Since adoption", adopted_on, today, offences, page.custody_events, costs)
    timeline = build_timeline(periods=page.periods, custody_events=page.custody_events, offences=offences,
                              today=today, also_from=before.first if before else None)
    return OffendingRecord(offences, costs, adopted_on, before, since, timeline)
