"""The client page's offending timeline: where the person was (custody spells), when they were on
the scheme, and their offences, on one time axis. This module works out the geometry and the facts;
templates/offending/_timeline.html draws it as inline SVG (presentation attributes only: the content
security policy allows no inline style) with its title and description, and the table beside it
gives every fact the picture shows, for those who cannot see it.

Not colour alone: custody statuses differ by pattern (plain, hatched, solid) as well as colour and
carry their names where a band is wide enough; offences are marked by shape (a filled diamond for
serious acquisitive crime, an open diamond for the rest of neighbourhood crime, a circle otherwise)."""
from dataclasses import dataclass, field
from datetime import date, timedelta

from iom.clients.models import STRANDS, SchemePeriod
from iom.clock import uk_date
from iom.custody.models import CUSTODY_STATUSES
from iom.custody.spans import spells
from iom.offending.models import OFFENCE_TYPES, Offence

WIDTH = 720
LEFT = 118     # the lanes' names
RIGHT = 12
LANE_HEIGHT = 26
LANE_GAP = 14
TOP = 40       # the key and the year before adoption's label above the lanes
AXIS_HEIGHT = 30
MIN_LABEL_WIDTH = 64  # a band narrower than this carries no words (the table has them)
STACK = 3      # offences on one day drawn one above another, up to this many (the rest on the last)
STACKED_OFFSETS = (0, -9, 9)
KEY_FONT_WIDTH = 5.6  # roughly, per character at the key's 11px
OFFENCE_KEY = (("filled-diamond", "Serious acquisitive"), ("open-diamond", "Other neighbourhood"),
               ("circle", "Other offence"))

LANES = ("Where they were", "On the scheme", "Offences")
# status -> (fill, stroke, the pattern drawn instead of the fill, or None)
CUSTODY_LOOK = {
    "community": ("#cce2d8", "#005a30", None),
    "remand": ("#f47738", "#6f2e00", "hatch"),
    "custody": ("#942514", "#2b0a05", None),
}
SCHEME_FILL = "#1d5c63"


def custody_fill(chart_id: str, status: str) -> str:
    fill, _, pattern = CUSTODY_LOOK[status]
    return f"url(#{chart_id}-{pattern})" if pattern else fill


@dataclass
class Band:
    x: float
    width: float
    y: float
    height: float
    fill: str
    stroke: str
    words: str          # drawn inside when wide enough
    title: str          # the tooltip and the table's words
    text_fill: str = "#0b0c0c"

    @property
    def has_room(self) -> bool:
        return self.width >= MIN_LABEL_WIDTH


@dataclass
class Mark:
    x: float
    y: float
    shape: str  # "filled-diamond", "open-diamond", "circle"
    title: str


@dataclass
class KeyItem:
    """One entry of the key above the lanes: a swatch (a band's fill, or an offence's shape) and words."""

    x: float
    words: str
    shape: str | None = None   # an offence's mark; None for a band's swatch
    fill: str = ""
    stroke: str = ""


@dataclass
class Tick:
    x: float
    label: str


@dataclass
class Fact:
    """A row of the table beside the picture: from, to (None for a single day) and what."""

    first: date
    last: date | None
    what: str
    order: int = 0          # where they were, the scheme, then offences, on the same day
    is_ongoing: bool = False

    @property
    def first_text(self) -> str:
        return uk_date(self.first)

    @property
    def last_text(self) -> str:
        return "Today" if self.is_ongoing else uk_date(self.last)


@dataclass
class Timeline:
    chart_id: str
    title: str
    desc: str
    first: date
    last: date
    height: float
    lanes: list[tuple[str, float]]  # (name, y of the lane's middle)
    bands: list[Band] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    axis_y: float = 0
    width: int = WIDTH
    left: int = LEFT
    right: int = WIDTH - RIGHT
    key: list[KeyItem] = field(default_factory=list)
    before_window: tuple[float, float] | None = None  # (x, width): the year before adoption, shaded


def _n(value: float) -> float:
    return round(value, 1)


def offence_shape(offence: Offence) -> str:
    if offence.is_serious_acquisitive:
        return "filled-diamond"
    return "open-diamond" if offence.is_neighbourhood else "circle"


def offence_words(offence: Offence) -> str:
    kind = (" (serious acquisitive crime)" if offence.is_serious_acquisitive
            else " (neighbourhood crime)" if offence.is_neighbourhood else "")
    return f"Offence: {OFFENCE_TYPES[offence.offence_type]}{kind}"


def _ticks(first: date, last: date, x) -> list[Tick]:
    """Years for a long span; quarters, then months, for shorter ones."""
    days = (last - first).days
    months = 12 if days > 3 * 365 else 3 if days > 200 else 1
    label = "{:%Y}" if months == 12 else "{:%b %Y}"
    ticks = []
    day = date(first.year, 1, 1)
    while day <= last:
        if day >= first:
            ticks.append(Tick(_n(x(day)), label.format(day)))
        month = day.month - 1 + months
        day = date(day.year + month // 12, month % 12 + 1, 1)
    return ticks


def build_timeline(*, periods: list[SchemePeriod], custody_events: list, offences: list[Offence],
                   today: date, also_from: date | None = None, chart_id: str = "offending-timeline"
                   ) -> Timeline | None:
    """The picture and its facts from the person's records, from their earliest record (or
    `also_from`, the start of the year before adoption, if earlier) to today. None with nothing to show."""
    starts = [period.joined_on for period in periods] + [event.from_date for event in custody_events] + \
        [offence.offence_on for offence in offences] + ([also_from] if also_from else [])
    starts = [day for day in starts if day <= today]
    if not starts:
        return None
    first, last = min(starts), today
    total_days = (last - first).days + 1
    plot = WIDTH - LEFT - RIGHT

    def x(day: date) -> float:
        return LEFT + plot * (day - first).days / total_days

    lane_tops = [TOP + index * (LANE_HEIGHT + LANE_GAP) for index in range(len(LANES))]
    timeline = Timeline(chart_id, "", "", first, last, height=lane_tops[-1] + LANE_HEIGHT + AXIS_HEIGHT,
                        lanes=[(name, top + LANE_HEIGHT / 2) for name, top in zip(LANES, lane_tops)],
                        axis_y=lane_tops[-1] + LANE_HEIGHT + 6)

    where_top, scheme_top, offence_top = lane_tops
    timeline.key = _key(chart_id)
    if also_from is not None and first <= also_from:
        adopted = also_from + timedelta(days=365)
        timeline.before_window = (_n(x(also_from)), _n(x(min(adopted, last + timedelta(days=1))) - x(also_from)))
    days_by_status = {status: 0 for status in CUSTODY_LOOK}
    for spell in spells(custody_events, first, last):
        stroke = CUSTODY_LOOK[spell.status][1]
        fill = custody_fill(chart_id, spell.status)
        place = f": {spell.event.establishment}" if spell.event is not None and spell.event.establishment else ""
        words = CUSTODY_STATUSES[spell.status] + place
        timeline.bands.append(Band(_n(x(spell.first)), _n(x(spell.last + timedelta(days=1)) - x(spell.first)),
                                   where_top, LANE_HEIGHT, fill, stroke, CUSTODY_STATUSES[spell.status], words,
                                   text_fill="#ffffff" if spell.status == "custody" else "#0b0c0c"))
        timeline.facts.append(Fact(spell.first, spell.last, words, 0, is_ongoing=spell.last == today))
        days_by_status[spell.status] += spell.days
    for period in sorted(periods, key=lambda period: period.joined_on):
        if period.joined_on > last:
            continue
        ends = min(period.left_on, last) if period.left_on else last
        words = f"On the scheme: {STRANDS[period.strand]}"
        timeline.bands.append(Band(_n(x(period.joined_on)), _n(x(ends + timedelta(days=1)) - x(period.joined_on)),
                                   scheme_top, LANE_HEIGHT, SCHEME_FILL, SCHEME_FILL, "On the scheme", words,
                                   text_fill="#ffffff"))
        timeline.facts.append(Fact(period.joined_on, period.left_on, words, 1, is_ongoing=period.left_on is None))
    on_day: dict[date, int] = {}
    day_width = plot / total_days
    for offence in sorted(offences, key=lambda offence: (offence.offence_on, offence.id or 0)):
        stacked = on_day.get(offence.offence_on, 0)
        on_day[offence.offence_on] = stacked + 1
        words = offence_words(offence)
        timeline.marks.append(Mark(_n(x(offence.offence_on) + day_width / 2),
                                   offence_top + LANE_HEIGHT / 2 + STACKED_OFFSETS[min(stacked, STACK - 1)],
                                   offence_shape(offence), f"{words}, {uk_date(offence.offence_on)}"))
        timeline.facts.append(Fact(offence.offence_on, None, words, 2))
    timeline.facts.sort(key=lambda fact: (fact.first, fact.order))
    timeline.ticks = _ticks(first, last, x)
    timeline.title = f"Where they were, their time on the scheme and their offences, {uk_date(first)} to today"
    timeline.desc = _description(first, last, days_by_status, len(periods), offences)
    return timeline


def _key(chart_id: str) -> list[KeyItem]:
    """The key's entries left to right from the picture's left edge, each as wide as its words."""
    items, x = [], 4.0
    for status, (_, stroke, _) in CUSTODY_LOOK.items():
        words = status.capitalize()  # the client page's own tags: Community, Remand, Custody
        items.append(KeyItem(x, words, fill=custody_fill(chart_id, status), stroke=stroke))
        x += 16 + len(words) * KEY_FONT_WIDTH + 14
    for shape, words in OFFENCE_KEY:
        items.append(KeyItem(x, words, shape=shape))
        x += 16 + len(words) * KEY_FONT_WIDTH + 14
    return items


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'s' if count != 1 else ''}"


def _description(first: date, last: date, days_by_status: dict[str, int], periods: int,
                 offences: list[Offence]) -> str:
    serious = sum(1 for offence in offences if offence.is_serious_acquisitive)
    where = ", ".join(f"{_plural(days, 'day')} {CUSTODY_STATUSES[status].lower()}"
                      for status, days in days_by_status.items() if days)
    return (f"From {uk_date(first)} to {uk_date(last)}: {where}; {_plural(periods, 'period')} on the scheme; "
            f"{_plural(len(offences), 'offence')} recorded"
            + (f", {serious:,} of them serious acquisitive crime." if serious else ".")
            + " The table below the picture lists every one.")
