"""What every output of the before-and-after figures shows, written once: the command's table, the
managers' page, its CSV and workbook. Each figure's words, the change (after minus before), the
groups of each breakdown with their names, the caveats in plain words, and the range a page
shows when none is asked for. The figures themselves come from iom.figures.reoffending."""
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import exists, select

from iom.clients.models import SchemePeriod
from iom.extensions import db
from iom.figures.reoffending import BREAKDOWNS, WINDOW_DAYS, Group, Reoffending
from iom.money import gbp
from iom.years import FinancialYear

COUNT, RATE, MONEY = "count", "rate", "money"
ISO_DAY = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")  # as the contract writes a day: 2011-04-01
UK_DAY = re.compile(r"^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})$")  # as spreadsheets export one: 1/4/2011

# (name in the contract's JSON, words, kind), in the contract's order
FIGURES = (
    ("clients", "Clients counted", COUNT),
    ("offences", "Offences", COUNT),
    ("clients_offending", "Clients who offended", COUNT),
    ("serious_acquisitive", "Serious acquisitive offences", COUNT),
    ("neighbourhood", "Neighbourhood offences", COUNT),
    ("days_at_risk", "Days at risk (in the community)", COUNT),
    ("per_100_years_at_risk", "Offences per 100 years at risk", RATE),
    ("cost_gbp", "Cost of crime", MONEY),
)
# The same people are counted in both years, so their number has no change to show.
NO_CHANGE = frozenset({"clients"})
BREAKDOWN_NAMES = {"strand": "Strand", "programme": "Programme of origin", "tier": "Cohort tier"}

# A group with fewer clients counted than this is marked as small: one person moves it a long way.
SMALL_GROUP = 20

CAVEATS = (
    "People are adopted onto the scheme when their offending is at a peak, so some fall in the year "
    "after is expected whatever the scheme does (regression to the mean).",
    f"Small cohorts swing a lot: one person's offending can move a small group's figures a long way. "
    f"Groups of fewer than {SMALL_GROUP} clients counted are marked as small.",
    "This is not a controlled comparison: nobody here was left off the scheme to compare with, so these "
    "figures cannot show that the scheme caused the change.",
    "Only recorded offences count. Offences that were never reported, or not recorded against the person, "
    "are missing from both years.",
    "Time in custody or on remand is taken out: rates are per 100 years spent in the community (days at "
    "risk), so a year in prison does not look like a year without offending.",
)


@dataclass(frozen=True)
class FigureRow:
    """One figure of a group: the year before adoption, the year after, and after minus before."""

    name: str
    label: str
    kind: str
    before: int | Decimal | None
    after: int | Decimal | None
    change: int | Decimal | None


@dataclass(frozen=True)
class GroupRow:
    """One group of a breakdown (a strand, a programme, a tier), named."""

    breakdown: str
    code: str
    label: str
    group: Group

    @property
    def counted(self) -> int:
        return self.group.before.clients

    @property
    def is_small(self) -> bool:
        return self.counted < SMALL_GROUP


def change(before, after):
    """After minus before; None when either is missing (a rate with no day at risk)."""
    if before is None or after is None:
        return None
    return after - before


def figure_text(value, kind: str) -> str:
    """A figure as people read it: 1,234; 144.4; £30,210.00; a rate with no day at risk in words."""
    if value is None:
        return "no days at risk" if kind == RATE else "—"
    if kind == MONEY:
        return gbp(value)
    if kind == RATE:
        return f"{value:,.1f}"
    return f"{value:,}"


def change_text(value, kind: str) -> str:
    """A change with its sign: +3, -155.6, -£51,130.00, 0; a dash when there is none."""
    if value is None:
        return "—"
    return ("+" if value > 0 else "") + figure_text(value, kind)


def figure_rows(group: Group) -> list[FigureRow]:
    """Every figure of a group, before, after and the change, in the contract's order."""
    rows = []
    for name, label, kind in FIGURES:
        before, after = getattr(group.before, name), getattr(group.after, name)
        rows.append(FigureRow(name, label, kind, before, after, None if name in NO_CHANGE else change(before, after)))
    return rows


def whole_cohort(result: Reoffending) -> GroupRow:
    return GroupRow("all", "all", "All clients adopted", result.all)


def breakdown_rows(result: Reoffending) -> dict[str, list[GroupRow]]:
    """Each breakdown's groups, in the order the service lists them, tiers not set last."""
    return {name: [GroupRow(name, code, BREAKDOWNS[name][code], group) for code, group in groups.items()]
            for name, groups in result.by.items()}


def day_parts(text: str) -> tuple[int, int, int] | None:
    """(year, month, day) from '2011-04-01' or '1/4/2011' (ASCII digits only); None for anything else."""
    cleaned = text.strip()
    if match := ISO_DAY.match(cleaned):
        year, month, day = (int(part) for part in match.groups())
    elif match := UK_DAY.match(cleaned):
        day, month, year = (int(part) for part in match.groups())
    else:
        return None
    return year, month, day


def latest_full_year(today: date) -> FinancialYear:
    """The latest financial year every adoption of which has had its year after adoption by today."""
    year = FinancialYear.of(today)
    while year.last_day + timedelta(days=WINDOW_DAYS - 1) >= today:
        year = FinancialYear(year.start - 1)
    return year


def default_range(today: date) -> tuple[date, date]:
    """The latest financial year whose adoptions have all had a year; the current financial year
    when nobody was adopted by the end of that one (a scheme too new for a whole year). One query."""
    year = latest_full_year(today)
    if not db.session.scalar(select(exists().where(SchemePeriod.joined_on <= year.last_day))):
        year = FinancialYear.of(today)
    return year.first_day, year.last_day
