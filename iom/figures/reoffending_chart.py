"""The reoffending page's chart: offences per 100 years at risk in the year before and the year
after adoption, as a pair of horizontal bars per group (the whole cohort first, then a
breakdown's groups), drawn with the one chart module's primitives (iom/charts.py).

Horizontal, so a group's name sits on its own line above its bars at any width. Colour is not
the only cue: the year before is hatched, the year after solid, each bar is labelled with its
value, and the order never changes (before above after). A group with no day at risk has no
rate and says so in words. The table beside the chart holds the same numbers."""
from math import ceil

from iom.charts import BRAND, COMPACT, GRID, SECONDARY, TEXT, Chart, legend_swatch, legend_width, n, nice_scale, svg, \
    tag, text
from iom.figures.reoffending_table import GroupRow

LABEL_LEFT, BAR_LEFT, BAR_RIGHT = 4, 8, COMPACT.width - 52   # room on the right for the longest value label
TOP = 66                                              # below the legend and the scale's name
BAR, GAP, BLOCK = 15, 2, 60                           # a bar's height, between the pair, a group's height
SMALL, VALUE, HEADING = COMPACT.small, COMPACT.value, COMPACT.heading


def _rate(value) -> str:
    return f"{value:,.1f}"


def _summary(rows: list[GroupRow]) -> str:
    sentences = []
    for row in rows:
        before, after = row.group.before.per_100_years_at_risk, row.group.after.per_100_years_at_risk
        if before is None or after is None:
            sentences.append(f"{row.label}: no rate for a year with no day at risk.")
        else:
            sentences.append(f"{row.label}: {_rate(before)} before, {_rate(after)} after.")
    return " ".join(sentences) or "Nobody adopted in this period has had a year since adoption yet."


def rates_before_and_after(rows: list[GroupRow], title: str, chart_id: str) -> Chart:
    """A pair of bars (before, after) for each group that has clients counted."""
    rows = [row for row in rows if row.counted]
    summary = _summary(rows)
    rates = [rate for row in rows for rate in (row.group.before.per_100_years_at_risk,
                                               row.group.after.per_100_years_at_risk) if rate is not None]
    scale_top, step = nice_scale(ceil(max(rates, default=0)))
    height = TOP + BLOCK * max(len(rows), 1) + 26
    hatch = f"{chart_id}-before"

    def x(value) -> float:
        return BAR_LEFT + (BAR_RIGHT - BAR_LEFT) * float(value) / scale_top

    body = [tag("defs", tag("pattern", tag("rect", width=3, height=6, fill=SECONDARY), id=hatch,
                            patternUnits="userSpaceOnUse", width=6, height=6, patternTransform="rotate(45)"))]
    body += legend_swatch(LABEL_LEFT, 16, "Year before adoption", fill=f"url(#{hatch})", stroke=SECONDARY)
    body += legend_swatch(LABEL_LEFT + legend_width("Year before adoption"), 16, "Year after adoption", fill=BRAND)
    bottom = height - 26
    ticks = range(0, scale_top + 1, step)
    for value in ticks:
        body.append(text(x(value), bottom + 17, f"{value:,}", size=SMALL, fill=SECONDARY))
    body.append(text(BAR_RIGHT, TOP - 16, "Offences per 100 years at risk", anchor="end", size=SMALL, fill=SECONDARY))
    for index, row in enumerate(rows):
        top = TOP + index * BLOCK
        # the scale's lines run beside the bars only, never through a group's name
        last_block = index == len(rows) - 1
        for value in ticks:
            body.append(tag("line", x1=n(x(value)), x2=n(x(value)), y1=top + 14,
                            y2=n(bottom if last_block else top + BLOCK), stroke=GRID if value else TEXT,
                            stroke_width=1))
        body.append(text(LABEL_LEFT, top + 11, row.label + (" (small group)" if row.is_small else ""),
                         anchor="start", size=HEADING, font_weight="bold"))
        for offset, (rate, style) in enumerate(((row.group.before.per_100_years_at_risk,
                                                 {"fill": f"url(#{hatch})", "stroke": SECONDARY}),
                                                (row.group.after.per_100_years_at_risk, {"fill": BRAND}))):
            y = top + 16 + offset * (BAR + GAP)
            if rate is None:
                body.append(text(BAR_LEFT + 2, y + BAR - 3, "no days at risk", anchor="start", size=VALUE,
                                 fill=SECONDARY))
                continue
            if rate > 0:
                body.append(tag("rect", x=n(BAR_LEFT), y=n(y), width=n(x(rate) - BAR_LEFT), height=BAR, **style))
            body.append(text(x(rate) + 3, y + BAR - 3, _rate(rate), anchor="start", size=VALUE))
    return Chart(chart_id, title, summary, svg(chart_id, title, summary, height, body, COMPACT))
