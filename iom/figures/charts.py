"""The monthly figures' two charts, drawn with iom/charts.py's primitives (COMPACT style).

Each comes with a sentence or two of summary that the page shows as text; the table beside the
charts (the page's own) holds every number.

(a) counted cohort per month as columns, against the minimum as a dashed step line (the minimum
    can change from a month onward);
(b) the cohort against serious acquisitive crime as two small multiples sharing the months, each
    with its own zero-based scale: never a dual axis, whose two scales would invite a reader to
    compare heights that mean nothing together. An indexed chart was rejected too: it needs a
    base month with a recorded, non-zero count, which a year may not have. The clients' own serious
    acquisitive offences are the hatched foot of each month's crime column: a part of the area's
    count, on the same scale."""
from decimal import ROUND_HALF_UP, Decimal

from iom.charts import BRAND, COMPACT, RED, SECONDARY, TEXT, VALUE_FONT, Chart, Plot, legend_line, legend_swatch, \
    legend_width, pattern_fill, svg, tag, text
from iom.figures.queries import IN_PROGRESS, MonthRow
from iom.years import FinancialYear

WIDTH, RIGHT = COMPACT.width, COMPACT.right
SO_FAR_OPACITY = "0.55"


def _panel(top: float, bottom: float, largest: int) -> Plot:
    """A panel of the twelve months."""
    return Plot(COMPACT, top, bottom, largest, slots=12)


def _month_labels(rows: list[MonthRow]) -> list[str]:
    return [f"{row.month:%b}" for row in rows]


def _started(rows: list[MonthRow]) -> list[tuple[int, MonthRow]]:
    return [(index, row) for index, row in enumerate(rows) if row.has_started]


def _so_far_key(rows: list[MonthRow], panel: Plot) -> list[str]:
    """The legend for the paler column of the month still running, when there is one."""
    if not any(row.state == IN_PROGRESS for row in rows):
        return []
    label = "Paler: so far, not yet ended"
    return legend_swatch(WIDTH - RIGHT - legend_width(label) + 12, panel.top - 22, label, fill=BRAND,
                         fill_opacity=SO_FAR_OPACITY)


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
    height = 300
    largest = max([row.figures.minimum for row in rows] +
                  [row.figures.counted_for_minimum for _, row in _started(rows)])
    panel = _panel(top=84, bottom=height - 24, largest=largest)
    left = 4
    under, hatch = pattern_fill("hatch", RED, f"{chart_id}-under")
    minimum_line = {"stroke": TEXT, "stroke_width": 2, "stroke_dasharray": "5 3"}
    body = [tag("defs", hatch)]
    # the legend: every mark the chart draws, the minimum's line included
    body += legend_swatch(left, 16, "Met", fill=BRAND)
    body += legend_swatch(left + legend_width("Met"), 16, "Under the minimum", **under)
    body += legend_line(left + legend_width("Met") + legend_width("Under the minimum"), 16, "Minimum",
                        **minimum_line)
    body += panel.axes(_month_labels(rows), "Clients counted")
    body += _so_far_key(rows, panel)
    for index, row in _started(rows):
        result = row.figures
        style = {"fill": BRAND} if result.minimum_met else dict(under)
        if row.state == IN_PROGRESS:
            style["fill_opacity"] = SO_FAR_OPACITY
        body += panel.bar(index, result.counted_for_minimum, **style)
    # the minimum as a step line: it may change from one month to the next
    body.append(panel.step_line([row.figures.minimum for row in rows], **minimum_line))
    return Chart(chart_id, title, summary, svg(chart_id, title, summary, height, body, COMPACT))


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
    height = 420
    started = _started(rows)
    months = _month_labels(rows)
    cohort = _panel(top=56, bottom=166, largest=max([row.figures.on_scheme for _, row in started], default=0))
    crimes = _panel(top=276, bottom=height - 24,
                    largest=max([max(row.figures.serious_acquisitive_crimes or 0,
                                     row.figures.cohort_serious_acquisitive_offences) for _, row in started], default=0))
    body = cohort.axes(months, "Clients on the scheme") + crimes.axes(months, "Serious acquisitive crimes")
    body += _so_far_key(rows, cohort)
    body.append(text(WIDTH - RIGHT, crimes.top - 8, "n/r: not recorded", anchor="end", size=COMPACT.small,
                     fill=SECONDARY))
    # the clients' own offences as the hatched foot of the area's column: part of the whole, on its scale
    ours, hatch = pattern_fill("hatch", BRAND, f"{chart_id}-ours")
    if started:
        body.append(tag("defs", hatch))
        body += legend_swatch(4, crimes.top - 46, "Area's count", fill=SECONDARY)
        body += legend_swatch(4 + legend_width("Area's count"), crimes.top - 46, "Hatched: by clients on the scheme",
                              **ours)
    for index, row in started:
        opacity = SO_FAR_OPACITY if row.state == IN_PROGRESS else None
        body += cohort.bar(index, row.figures.on_scheme, fill=BRAND, fill_opacity=opacity)
        count, mine = row.figures.serious_acquisitive_crimes, row.figures.cohort_serious_acquisitive_offences
        if count is None and mine:
            body.append(text(crimes.centre(index), crimes.y(mine) - 4, "n/r", size=VALUE_FONT, fill=SECONDARY))
        elif count is None:
            body.append(crimes.note(index, "n/r"))
        else:
            body += crimes.bar(index, count, fill=SECONDARY, fill_opacity=opacity)
        if mine:
            body += crimes.bar(index, mine, labelled=False, **ours)
    return Chart(chart_id, title, summary, svg(chart_id, title, summary, height, body, COMPACT))
