"""How big a part alcohol plays in the cohort's offending, for a financial year: the figures of the
alcohol discussion paper (iom/reports/alcohol_paper.py applies the disclosure rules and adds the
manager's words). Raw counts here; nothing suppressed.

- The cohort is the contract's: every client on the scheme on at least one day of the year. Each
  counts under the strand of their last scheme period in the year and under their cohort tier now.
- A client has *alcohol-related offending* when their flag says so (`alcohol_related` yes, the
  contract's figure), and separately the paper counts those with an offence in the year recorded
  with alcohol involved.
- Offences are those the cohort committed in the year on a day they were on the scheme (as the review
  pack's offending in the year counts them), each costing its type's unit cost of crime.
- AUDIT-C: a client's latest screening dated in the year; 5 or more of 12 is positive. The bands are
  those the UK's alcohol guidance gives for AUDIT-C scores.
- Quarters run April to June, July to September, October to December and January to March; a client
  counts in each quarter they were on the scheme on at least one day of.

Eight queries, whatever the size of the caseload."""
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import or_, select

from iom.clients.models import AUDIT_C_POSITIVE, COHORT_TIERS, STRANDS, AlcoholScreening, Client, SchemePeriod
from iom.extensions import db
from iom.figures.monthly import referrals as referrals_in_year
from iom.figures.annual import referral_details
from iom.offending.models import ALCOHOL_INVOLVED, OFFENCE_TYPES, Offence
from iom.offending.queries import UnitCostOfCrime, unit_costs
from iom.referrals.models import Referral
from iom.years import FinancialYear

NOT_SET = "not_set"
TIERS = {**COHORT_TIERS, NOT_SET: "Not set"}
SCORES = tuple(range(0, 13))
# AUDIT-C score bands, as the UK's alcohol screening guidance (OHID) gives them
SCORE_BANDS = {"lower_risk": ("Lower risk", 0, 4), "increasing_risk": ("Increasing risk", 5, 7),
               "higher_risk": ("Higher risk", 8, 10), "possible_dependence": ("Possible dependence", 11, 12)}
QUARTER_NAMES = ("April to June", "July to September", "October to December", "January to March")


def band_of(score: int) -> str:
    return next(code for code, (_, lowest, highest) in SCORE_BANDS.items() if lowest <= score <= highest)


def quarters(year: FinancialYear) -> list[tuple[str, date, date]]:
    """The year's four quarters: (name with its year, first day, last day)."""
    months = year.months
    result = []
    for index in range(4):
        first = months[index * 3]
        last = year.last_day if index == 3 else months[index * 3 + 3] - timedelta(days=1)
        result.append((f"{QUARTER_NAMES[index]} {first.year}", first, last))
    return result


@dataclass
class Person:
    """One client of the cohort, with what the figures need."""

    client_id: int
    strand: str
    tier: str
    flagged: str  # yes, no or unknown
    periods: list  # [(joined_on, left_on)] of the periods overlapping the year

    def on_scheme_between(self, first: date, last: date) -> bool:
        return any(joined <= last and (left is None or left >= first) for joined, left in self.periods)

    def on_scheme_on(self, day: date) -> bool:
        return self.on_scheme_between(day, day)


def _cohort(year: FinancialYear) -> dict[int, Person]:
    first, last = year.first_day, year.last_day
    rows = db.session.execute(
        select(SchemePeriod.client_id, SchemePeriod.strand, SchemePeriod.joined_on, SchemePeriod.left_on,
               Client.tier, Client.alcohol_related)
        .join(Client, Client.id == SchemePeriod.client_id)
        .where(SchemePeriod.joined_on <= last, or_(SchemePeriod.left_on.is_(None), SchemePeriod.left_on >= first))
        .order_by(SchemePeriod.client_id, SchemePeriod.joined_on)).all()
    people: dict[int, Person] = {}
    for client_id, strand, joined_on, left_on, tier, flagged in rows:
        person = people.setdefault(client_id, Person(client_id, strand, tier or NOT_SET, flagged, []))
        person.strand = strand  # the last period in the year (ordered by joining)
        person.periods.append((joined_on, left_on))
    return people


def _share(people: list[Person], alcohol_offenders: set[int]) -> dict:
    return {"clients": len(people),
            "flagged_yes": sum(1 for person in people if person.flagged == "yes"),
            "flagged_unknown": sum(1 for person in people if person.flagged == "unknown"),
            "with_alcohol_offence": sum(1 for person in people if person.client_id in alcohol_offenders)}


def _offences(year: FinancialYear, people: dict[int, Person]) -> list[tuple[int, date, str, str]]:
    """The cohort's offences in the year on a day on the scheme: (client_id, day, type, alcohol involved)."""
    rows = db.session.execute(
        select(Offence.client_id, Offence.offence_on, Offence.offence_type, Offence.alcohol_involved)
        .where(Offence.client_id.is_not(None), Offence.offence_on >= year.first_day,
               Offence.offence_on <= year.last_day)).all()
    return [tuple(row) for row in rows if row[0] in people and people[row[0]].on_scheme_on(row[1])]


def _cost(offence_types: list[str], costs: dict[str, UnitCostOfCrime]) -> Decimal:
    return sum((costs[offence_type].cost_gbp for offence_type in offence_types), Decimal("0.00"))


def _screenings(year: FinancialYear, people: dict[int, Person]) -> dict:
    """The cohort's latest AUDIT-C screening in the year each, as scores and bands."""
    rows = db.session.execute(
        select(AlcoholScreening.client_id, AlcoholScreening.screened_on, AlcoholScreening.id,
               AlcoholScreening.drinking_frequency + AlcoholScreening.typical_units
               + AlcoholScreening.heavy_drinking_frequency)
        .where(AlcoholScreening.screened_on >= year.first_day, AlcoholScreening.screened_on <= year.last_day)
        .order_by(AlcoholScreening.client_id, AlcoholScreening.screened_on, AlcoholScreening.id)).all()
    latest: dict[int, int] = {}
    screenings_in_year = 0
    for client_id, _, _, score in rows:
        if client_id in people:
            latest[client_id] = int(score)  # ordered: the last one kept is the latest
            screenings_in_year += 1
    positive = {client_id for client_id, score in latest.items() if score >= AUDIT_C_POSITIVE}
    return {"latest": latest, "positive": positive, "screenings": screenings_in_year}


def _alcohol_referrals(year: FinancialYear) -> tuple[dict, dict, set[int]]:
    made, details = referrals_in_year(year)["alcohol"], referral_details(year)["alcohol"]
    referred = set(db.session.scalars(
        select(Referral.client_id).where(Referral.kind == "alcohol", Referral.referred_on >= year.first_day,
                                         Referral.referred_on <= year.last_day)))
    return made, details, referred


def alcohol_figures(year: FinancialYear) -> dict:
    """Every figure of the year's alcohol discussion paper, raw (see the module's docstring)."""
    people = _cohort(year)
    offences = _offences(year, people)
    costs = unit_costs()
    screened = _screenings(year, people)
    made, details, referred = _alcohol_referrals(year)

    alcohol_offenders = {client_id for client_id, _, _, involved in offences if involved == "yes"}
    everyone = list(people.values())
    by_strand = {code: _share([p for p in everyone if p.strand == code], alcohol_offenders) for code in STRANDS}
    by_tier = {code: _share([p for p in everyone if p.tier == code], alcohol_offenders) for code in TIERS}
    by_quarter = []
    for name, first, last in quarters(year):
        in_quarter = [p for p in everyone if p.on_scheme_between(first, last)]
        offenders = {client_id for client_id, day, _, involved in offences if involved == "yes" and first <= day <= last}
        by_quarter.append({"quarter": name, "first_day": first.isoformat(), "last_day": last.isoformat(),
                           **_share(in_quarter, offenders),
                           "alcohol_offences": sum(1 for _, day, _, involved in offences
                                                   if involved == "yes" and first <= day <= last),
                           "offences": sum(1 for _, day, _, _ in offences if first <= day <= last)})

    # the offences, by whether alcohol was involved, and their cost
    involvement = {}
    for code in ALCOHOL_INVOLVED:
        types = [offence_type for _, _, offence_type, involved in offences if involved == code]
        involvement[code] = {"offences": len(types), "cost_gbp": _cost(types, costs),
                             "uncosted": sum(1 for offence_type in types if not costs[offence_type].is_costed)}
    by_type = {}
    for code in OFFENCE_TYPES:
        of_type = [involved for _, _, offence_type, involved in offences if offence_type == code]
        if of_type:
            by_type[code] = {"offences": len(of_type), "alcohol_involved": of_type.count("yes")}

    latest = screened["latest"]
    scores = {score: 0 for score in SCORES}
    bands = {code: 0 for code in SCORE_BANDS}
    for score in latest.values():
        scores[score] += 1
        bands[band_of(score)] += 1
    positive = screened["positive"]
    return {
        "financial_year": year.label,
        "cohort": {**_share(everyone, alcohol_offenders)},
        "by_strand": by_strand,
        "by_tier": by_tier,
        "by_quarter": by_quarter,
        "offences": {"total": len(offences), "cost_gbp": _cost([t for _, _, t, _ in offences], costs),
                     "by_involvement": involvement, "by_type": by_type},
        "audit_c": {
            "screenings": screened["screenings"], "clients_screened": len(latest),
            "not_screened": len(people) - len(latest),
            "positive": len(positive), "negative": len(latest) - len(positive),
            "by_score": scores, "by_band": bands,
            "positive_flagged_yes": sum(1 for client_id in positive if people[client_id].flagged == "yes"),
            "positive_not_flagged_yes": sum(1 for client_id in positive if people[client_id].flagged != "yes"),
            "positive_referred": len(positive & referred),
            "positive_not_referred": len(positive - referred),
        },
        "referrals": {"made": made["made"], "completed": made["completed"],
                      "open_at_year_end": made["open_at_year_end"], "clients_referred": len(referred & set(people)),
                      "closed": details["closed"], "closed_by_status": details["closed_by_status"],
                      "outcomes": details["outcomes"], "median_days_to_close": details["median_days_to_close"]},
        "unit_costs_price_years": sorted({cost.price_year for cost in costs.values()}),
    }
