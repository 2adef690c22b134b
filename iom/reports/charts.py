"""The pack's two charts as plain geometry (bars, axis ticks, a reference line) for an inline SVG
template: the same drawing in the browser and in WeasyPrint's PDF, with no script and no styles."""
from dataclasses import dataclass, field

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 16, 36


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int | None
    label: str
    centre: float
    note: str | None = None   # the words shown in place of a bar with no value


@dataclass
class Chart:
    id: str
    title: str
    description: str
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM
    bars: list[Bar] = field(default_factory=list)
    ticks: list[tuple[float, str]] = field(default_factory=list)
    lines: list[tuple[float, float, float, float]] = field(default_factory=list)
    line_label: str | None = None
    key: str | None = None    # what the words in place of missing bars mean


def nice_top(largest: int) -> tuple[int, int]:
    """An axis top at or above the largest value and its tick step: 1, 2 or 5 times a power of ten."""
    if largest <= 0:
        return 5, 1
    step = 1
    while True:
        for multiple in (1, 2, 5):
            candidate = step * multiple
            if largest / candidate <= 5:
                top = -(-largest // candidate) * candidate
                return top, candidate
        step *= 10


def bar_chart(chart_id: str, title: str, description: str, labels: list[str], values: list[int | None],
              line: list[int] | None = None, line_label: str | None = None, notes: list[str | None] | None = None,
              key: str | None = None) -> Chart:
    """Bars for each value (None draws no bar, its `notes` word in its place); `line`, one value per bar,
    a stepped reference line; `key` explains the notes."""
    chart = Chart(chart_id, title, description, line_label=line_label, key=key)
    notes = notes or [None] * len(values)
    largest = max([v for v in values if v is not None] + (line or []) + [0])
    top, step = nice_top(largest)
    plot_height = chart.bottom - chart.top
    slot = (chart.right - chart.left) / max(len(values), 1)

    def y_of(value: float) -> float:
        return round(chart.bottom - plot_height * value / top, 1)

    chart.ticks = [(y_of(tick), str(tick)) for tick in range(0, top + 1, step)]
    for index, (label, value, note) in enumerate(zip(labels, values, notes)):
        x = chart.left + slot * index
        height = 0 if value is None else round(plot_height * value / top, 1)
        chart.bars.append(Bar(x=round(x + slot * 0.15, 1), y=round(chart.bottom - height, 1),
                              width=round(slot * 0.7, 1), height=height, value=value, label=label,
                              centre=round(x + slot / 2, 1), note=None if value is not None else note))
    if line:
        for index, value in enumerate(line):
            x = chart.left + slot * index
            chart.lines.append((round(x, 1), y_of(value), round(x + slot, 1), y_of(value)))
    return chart


NOT_ENDED, NOT_RECORDED = "not ended", "none"


def pack_charts(pack: dict, month_names: list[str]) -> list[Chart]:
    """Chart 1: clients counted for the minimum against the minimum; chart 2: SAC recorded. A month not
    yet ended has no bar in either, and says so where its bar would be."""
    months = pack["months"]
    short = [name.split("\u00a0")[0] for name in month_names]
    ended = pack["months_ended"]
    not_ended = 12 - ended
    not_ended_words = (f" The {not_ended} {'month' if not_ended == 1 else 'months'} not yet ended "
                       f"{'has' if not_ended == 1 else 'have'} no bar and {'is' if not_ended == 1 else 'are'} "
                       f"marked \u201c{NOT_ENDED}\u201d." if not_ended else "")
    key_not_ended = f"\u201c{NOT_ENDED}\u201d: month not yet ended, no figures" if not_ended else None
    counted = bar_chart(
        "chart-counted", "Clients counted for the minimum, by month",
        f"Bars show the clients on the counted strands on each month's last day, from {month_names[0]} to "
        f"{month_names[-1]}; the dashed line is the minimum in force. The minimum was met in "
        f"{pack['months_minimum_met']} of the {ended} {'month' if ended == 1 else 'months'} that have ended."
        f"{not_ended_words} The table beside the chart gives the figures.",
        short, [m["counted_for_minimum"] for m in months], line=[m["minimum"] for m in months],
        line_label="Minimum", notes=[None if m["has_ended"] else NOT_ENDED for m in months], key=key_not_ended)
    sac_key = "; ".join(filter(None, [key_not_ended, f"\u201c{NOT_RECORDED}\u201d: no count recorded"]))
    sac = bar_chart(
        "chart-sac", "Serious acquisitive crimes recorded, by month",
        f"Bars show the serious acquisitive crimes recorded each month from {month_names[0]} to "
        f"{month_names[-1]}; months with no count recorded have no bar and are marked \u201c{NOT_RECORDED}\u201d."
        f"{not_ended_words} The table beside the chart gives the figures.",
        short, [m["serious_acquisitive_crimes"] if m["has_ended"] else None for m in months],
        notes=[NOT_RECORDED if m["has_ended"] else NOT_ENDED for m in months], key=sac_key)
    return [counted, sac]
