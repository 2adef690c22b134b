"""The monthly figures' two charts, drawn on the server as inline SVG markup.

No script and no style attributes (the content security policy allows neither inline): colours,
lines and text sizes are SVG presentation attributes. Each chart is role="img" with a <title>
and <desc>, and comes with a sentence or two of summary that the page shows as text; the table
beside the charts holds every number.

(a) counted cohort per month as columns, against the minimum as a dashed step line (the minimum
    can change from a month onward);
(b) the cohort against serious acquisitive crime as two small multiples sharing the months, each
    with its own zero-based scale: never a dual axis, whose two scales would invite a reader to
    compare heights that mean nothing together. The clients' own serious acquisitive offences are
    the hatched foot of each month's crime column: a part of the area's count, on the same scale. An indexed chart was rejected too: it needs a
    base month with a recorded, non-zero count, which a year may not have."""
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from math import ceil, log10

from markupsafe import Markup, escape

from iom.figures.queries import IN_PROGRESS, MonthRow
from iom.years import FinancialYear

BRAND = "#1d5c63"      # met; the cohort
RED = "#d4351c"        # under the minimum
TEXT = "#0b0c0c"
SECONDARY = "#505a5f"  # serious acquisitive crime; axis text
GRID = "#b1b4b6"

WIDTH = 360
LEFT, RIGHT = 44, 10
FONT = 11
# the page's own font stack: SVG text does not pick up GOV.UK's classes
FONT_FAMILY = '"Helvetica Neue", Helvetica, Arial, sans-serif'


@dataclass
class Chart:
    chart_id: str
    title: str
    summary: str
    svg: Markup


def _attributes(attrs: dict) -> str:
    parts = []
    for name, value in attrs.items():
        if value is None:
            continue
        name = name.rstrip("_").replace("_", "-")
        parts.append(f' {name}="{escape(str(value))}"')
    return "".join(parts)


def tag(name: str, content: str | None = None, **attrs) -> str:
    """One SVG element; attribute names written with underscores (stroke_width -> stroke-width)."""
    if content is None:
        return f"<{name}{_attributes(attrs)}/>"
    return f"<{name}{_attributes(attrs)}>{content}</{name}>"


def text(x, y, words, size=FONT, anchor="middle", fill=TEXT, **attrs) -> str:
    return tag("text", str(escape(words)), x=_n(x), y=_n(y), font_size=size, text_anchor=anchor, fill=fill, **attrs)


def _n(value: float) -> str:
    """Coordinates to one decimal place: short markup, stable output."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def nice_scale(largest: int, steps: int = 4) -> tuple[int, int]:
    """(top, step): a round step (1, 2, 5 x 10^n) so that `steps` of them reach at least `largest`."""
    if largest <= 0:
        return steps, 1
    raw = largest / steps
    magnitude = 10 ** int(log10(raw)) if raw >= 1 else 1
    for multiple in (1, 2, 5, 10):
        step = multiple * magnitude
        if step >= raw:
            break
    step = max(int(step), 1)
    return step * ceil(largest / step), step


def _svg(chart_id: str, title: str, desc: str, height: int, body: list[str]) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'role="img" focusable="false" aria-labelledby="{chart_id}-title {chart_id}-desc" id="{chart_id}" '
        f'font-family="{escape(FONT_FAMILY)}">'
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(desc)}</desc>'
        + "".join(body) + "</svg>")


class Panel:
    """A plotting area with twelve month slots and a zero-based vertical scale."""

    def __init__(self, top: float, bottom: float, largest: int, slots: int = 12):
        self.top, self.bottom = top, bottom
        # headroom above the tallest column for its value label
        self.scale_top, self.step = nice_scale(ceil(largest * 1.1))
        self.slot = (WIDTH - LEFT - RIGHT) / slots
        self.slots = slots

    def y(self, value: float) -> float:
        return self.bottom - (self.bottom - self.top) * value / self.scale_top

    def x(self, index: int) -> float:
        return LEFT + index * self.slot

    def centre(self, index: int) -> float:
        return self.x(index) + self.slot / 2

    def axes(self, months: list, axis_label: str) -> list[str]:
        parts = []
        for value in range(0, self.scale_top + 1, self.step):
            y = self.y(value)
            parts.append(tag("line", x1=LEFT, x2=_n(WIDTH - RIGHT), y1=_n(y), y2=_n(y),
                             stroke=GRID if value else TEXT, stroke_width=1))
            parts.append(text(LEFT - 4, y + 4, f"{value:,}", anchor="end", fill=SECONDARY, size=10))
        for index, month in enumerate(months):
            parts.append(text(self.centre(index), self.bottom + 13, f"{month:%b}", size=10, fill=SECONDARY))
        parts.append(text(4, self.top - 8, axis_label, anchor="start", size=FONT, font_weight="bold"))
        return parts

    def foot(self, index: int, value: int, **attrs) -> list[str]:
        """A part of a column drawn over its foot, unlabelled (the table beside the chart has the number)."""
        width = self.slot * 0.62
        y = self.y(value)
        return [tag("rect", x=_n(self.x(index) + (self.slot - width) / 2), y=_n(y), width=_n(width),
                    height=_n(self.bottom - y), **attrs)]

    def column(self, index: int, value: int, **attrs) -> list[str]:
        width = self.slot * 0.62
        x = self.x(index) + (self.slot - width) / 2
        y = self.y(value)
        parts = []
        if value > 0:
            parts.append(tag("rect", x=_n(x), y=_n(y), width=_n(width), height=_n(self.bottom - y), **attrs))
        parts.append(text(self.centre(index), y - 3, f"{value:,}", size=9))
        return parts


def _started(rows: list[MonthRow]) -> list[tuple[int, MonthRow]]:
    return [(index, row) for index, row in enumerate(rows) if row.has_started]


def _legend_swatch(x: float, y: float, label: str, **attrs) -> list[str]:
    return [tag("rect", x=_n(x), y=_n(y - 9), width=10, height=10, **attrs),
            text(x + 14, y, label, anchor="start", size=10)]


SO_FAR_OPACITY = "0.55"


def _so_far_key(rows: list[MonthRow], panel: "Panel") -> list[str]:
    """The legend for the paler column of the month still running, when there is one."""
    if not any(row.state == IN_PROGRESS for row in rows):
        return []
    x = WIDTH - RIGHT - 160
    return _legend_swatch(x, panel.top - 8, "Paler: so far, not yet ended", fill=BRAND, fill_opacity=SO_FAR_OPACITY)


# --- (a) the counted cohort against the minimum ------------------------------------------------

def counted_summary(rows: list[MonthRow], financial_year: FinancialYear) -> str:
    started = [row for row in rows if row.has_started]
    if not started:
        return f"No month of {financial_year} has started yet."
    sentences = []
    complete = [row for row in started if row.state != IN_PROGRESS]
    if complete:
        met = sum(row.figures.minimum_met for row in complete)
        sentences.append(f"The minimum was met in {met} of {len(complete)} complete "
                         f"month{'s' if len(complete) != 1 else ''} of {financial_year}.")
        lowest = min(complete, key=lambda row: (row.figures.counted_for_minimum - row.figures.minimum, row.month))
        highest = max(complete, key=lambda row: (row.figures.counted_for_minimum, row.month))
        if len(complete) > 1:
            where = "Furthest under" if not lowest.figures.minimum_met else "Closest to"
            sentences.append(f"{where} the minimum: {lowest.label}, {lowest.figures.counted_for_minimum} counted "
                             f"against {lowest.figures.minimum}. Highest: {highest.label}, "
                             f"{highest.figures.counted_for_minimum} counted.")
    current = next((row for row in started if row.state == IN_PROGRESS), None)
    if current is not None:
        figures = current.figures
        sentences.append(f"{current.label} so far, on what is known today: {figures.counted_for_minimum} counted "
                         f"against a minimum of {figures.minimum}, "
                         f"{'met' if figures.minimum_met else 'under the minimum'}.")
    return " ".join(sentences)


def counted_against_minimum(rows: list[MonthRow], financial_year: FinancialYear,
                            chart_id: str = "chart-minimum") -> Chart:
    """Columns of the counted cohort, hatched red where under the minimum, and the minimum as a line."""
    title = f"Clients counted for the minimum each month, {financial_year}, against the minimum"
    summary = counted_summary(rows, financial_year)
    height = 260
    largest = max([row.figures.minimum for row in rows] +
                  [row.figures.counted_for_minimum for _, row in _started(rows)])
    panel = Panel(top=44, bottom=height - 24, largest=largest)
    hatch = f"{chart_id}-under"
    body = [tag("defs", tag("pattern", tag("rect", width=3, height=6, fill=RED), id=hatch,
                            patternUnits="userSpaceOnUse", width=6, height=6, patternTransform="rotate(45)"))]
    body += _legend_swatch(LEFT, 14, "Met", fill=BRAND)
    body += _legend_swatch(LEFT + 48, 14, "Under the minimum", fill=f"url(#{hatch})", stroke=RED)
    body += [tag("line", x1=_n(LEFT + 174), x2=_n(LEFT + 196), y1=10, y2=10, stroke=TEXT, stroke_width=2,
                 stroke_dasharray="5 3"),
             text(LEFT + 200, 14, "Minimum", anchor="start", size=10)]
    body += panel.axes([row.month for row in rows], "Clients counted")
    body += _so_far_key(rows, panel)
    for index, row in _started(rows):
        result = row.figures
        style = {"fill": BRAND} if result.minimum_met else {"fill": f"url(#{hatch})", "stroke": RED}
        if row.state == IN_PROGRESS:
            style["fill_opacity"] = SO_FAR_OPACITY
        body += panel.column(index, result.counted_for_minimum, **style)
    # the minimum as a step line: it may change from one month to the next
    path, previous = [], None
    for index, row in enumerate(rows):
        y = _n(panel.y(row.figures.minimum))
        if previous is None:
            path.append(f"M{_n(panel.x(index))} {y}")
        elif previous != y:
            path.append(f"V{y}")
        path.append(f"H{_n(panel.x(index) + panel.slot)}")
        previous = y
    body.append(tag("path", d=" ".join(path), fill="none", stroke=TEXT, stroke_width=2, stroke_dasharray="5 3"))
    return Chart(chart_id, title, summary, _svg(chart_id, title, summary, height, body))


# --- (b) the cohort against serious acquisitive crime -----------------------------------------

def _range_sentence(what: str, points: list[tuple[MonthRow, int]]) -> str:
    low = min(points, key=lambda point: (point[1], point[0].month))
    high = max(points, key=lambda point: (point[1], point[0].month))
    if low[1] == high[1]:
        return f"{what} was {low[1]:,} in every month shown."
    return f"{what} ranged from {low[1]:,} ({low[0].label}) to {high[1]:,} ({high[0].label})."


def cohort_sac_summary(rows: list[MonthRow], financial_year: FinancialYear) -> str:
    started = [row for row in rows if row.has_started]
    if not started:
        return f"No month of {financial_year} has started yet."
    sentences = [_range_sentence("Clients on the scheme", [(row, row.figures.on_scheme) for row in started])]
    recorded = [(row, row.figures.serious_acquisitive_crimes) for row in started
                if row.figures.serious_acquisitive_crimes is not None]
    missing = len(started) - len(recorded)
    if recorded:
        sentences.append(_range_sentence("Serious acquisitive crime", recorded))
    else:
        sentences.append(f"No serious acquisitive crime count is recorded for {financial_year} yet.")
    if recorded and missing:
        sentences.append(f"{missing} month{'s' if missing != 1 else ''} with no count recorded.")
    ratios = [row for row in started if row.figures.sac_per_10_clients is not None]
    if ratios:
        shown = [ratios[0], ratios[-1]] if len(ratios) > 1 else ratios[:1]
        sentences.append("Serious acquisitive crimes for every 10 clients on the scheme: " + ", ".join(
            f"{row.figures.sac_per_10_clients} in {row.label}{' so far' if row.state == IN_PROGRESS else ''}"
            for row in shown) + ".")
    ours = sum(row.figures.cohort_serious_acquisitive_offences for row in started)
    if ours:
        compared = [row for row in started if row.figures.serious_acquisitive_crimes]
        share = ""
        if compared:
            mine = sum(row.figures.cohort_serious_acquisitive_offences for row in compared)
            area = sum(row.figures.serious_acquisitive_crimes for row in compared)
            share = (f", {(Decimal(mine) * 100 / area).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}% of the "
                     f"area's count in the months with a count")
        sentences.append(f"Serious acquisitive offences recorded against clients on the scheme (hatched): "
                         f"{ours:,}{share}.")
    return " ".join(sentences)


def cohort_against_sac(rows: list[MonthRow], financial_year: FinancialYear, chart_id: str = "chart-sac") -> Chart:
    """Two small multiples over the same months: clients on the scheme above, crimes below."""
    title = f"Clients on the scheme and serious acquisitive crimes each month, {financial_year}"
    summary = cohort_sac_summary(rows, financial_year)
    height = 346
    started = _started(rows)
    months = [row.month for row in rows]
    cohort = Panel(top=30, bottom=140, largest=max([row.figures.on_scheme for _, row in started], default=0))
    crimes = Panel(top=210, bottom=height - 24,
                   largest=max([max(row.figures.serious_acquisitive_crimes or 0,
                                    row.figures.cohort_serious_acquisitive_offences) for _, row in started], default=0))
    body = cohort.axes(months, "Clients on the scheme") + crimes.axes(months, "Serious acquisitive crimes")
    body += _so_far_key(rows, cohort)
    body.append(text(WIDTH - RIGHT, crimes.top - 8, "n/r: not recorded", anchor="end", size=10, fill=SECONDARY))
    # the clients' own offences as the hatched foot of the area's column: part of the whole, on its scale
    ours = f"{chart_id}-ours"
    if started:
        body.append(tag("defs", tag("pattern", tag("path", d="M0 0V6", stroke=BRAND, stroke_width=4), id=ours,
                                    patternUnits="userSpaceOnUse", width=6, height=6, patternTransform="rotate(45)")))
        body += _legend_swatch(LEFT, crimes.top - 24, "Area's count", fill=SECONDARY)
        body += _legend_swatch(LEFT + 84, crimes.top - 24, "Hatched: by clients on the scheme",
                               fill=f"url(#{ours})", stroke=BRAND)
    for index, row in started:
        opacity = SO_FAR_OPACITY if row.state == IN_PROGRESS else None
        body += cohort.column(index, row.figures.on_scheme, fill=BRAND, fill_opacity=opacity)
        count, mine = row.figures.serious_acquisitive_crimes, row.figures.cohort_serious_acquisitive_offences
        if count is None:
            body.append(text(crimes.centre(index), crimes.y(mine) - 4, "n/r", size=9, fill=SECONDARY))
        else:
            body += crimes.column(index, count, fill=SECONDARY, fill_opacity=opacity)
        if mine:
            body += crimes.foot(index, mine, fill=f"url(#{ours})", stroke=BRAND)
    return Chart(chart_id, title, summary, _svg(chart_id, title, summary, height, body))
