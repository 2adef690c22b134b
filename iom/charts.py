"""Every chart the service draws, as inline SVG markup made on the server: one module for the
monthly figures, the review pack and whatever page charts next.

No script and no style attributes (the content security policy allows neither inline, and
WeasyPrint draws the same markup into the PDF): colours, lines and sizes are SVG presentation
attributes. Each chart is role="img", labelled by its <title> and <desc>; the page shows the
title and, as text, the summary and a table of every number (templates/_macros/charts.html).
Colour is never the only cue: a second series is hatched or dotted, missing values are words.

The primitives, for a chart of its own kind (iom/figures/charts.py draws two this way):

    tag(name, content, **attrs), text(x, y, words, ...)  one SVG element, its words escaped
    nice_scale(largest, steps)           a round axis top and tick step (1, 2 or 5 x 10^n)
    Style, COMPACT, PRINT                the sizes of a family of charts: COMPACT for a narrow
                                         column of a page (360 wide), PRINT for the pack (600 wide)
    Plot(style, top, bottom, largest, slots)
        a plotting band with one slot per category and a zero-based scale: y(value), x(index),
        centre(index), axes(labels, axis_label), bar(index, value, ...), group(index, values,
        series), note(index, words), step_line(values, ...)
    legend_swatch(...), legend_line(...) a legend entry: a filled square or a line, with words
    svg(chart_id, title, summary, height, body, style)   the accessible <svg> round a body
    Chart, Table                         what a page renders: the markup, its words and its table

Two whole charts, each returning a Chart with its table:

    bar_chart(chart_id, title, summary, labels, values, line=..., notes=..., key=...)
        one bar per category; None draws no bar but its note's words; `line`, one value per
        category, a dashed stepped reference line named in the legend (the pack's minimum).

    grouped_bar_chart(chart_id, title, summary, categories, series, ...)
        two (or three) bars side by side in each category, one per Series, each series in the
        legend with its own fill: the first solid, the second hatched, the third dotted, and
        every bar labelled with its value, so neither colour nor pattern alone carries it.
        Before and after adoption, for example:

            chart = grouped_bar_chart(
                "chart-reoffending", "Offences before and after adoption",
                "12 clients committed 30 offences in the year before adoption and 13 in the year after.",
                categories=["All offences", "Serious acquisitive", "Neighbourhood"],
                series=[Series("Year before adoption", [30, 11, 14]),
                        Series("Year after adoption", [13, 4, 5])],
                category_heading="Offences")
            # chart.svg: the markup; chart.table: "Offences before and after adoption: the
            # figures", one row per category, one column per series

        A value may be None (nothing to show: `missing` is written where its bar would be), an
        int, a float or a Decimal; `value_text` writes the labels and the table's cells
        (default: thousands separated, "1,234"). In a template:
        {% from "_macros/charts.html" import chart_beside_table %}{{ chart_beside_table(chart) }}
"""
from dataclasses import dataclass
from decimal import Decimal
from math import ceil, log10
from typing import Callable, Sequence

from markupsafe import Markup, escape

BRAND = "#1d5c63"       # the service's own colour: the monthly figures' cohort
BLUE = "#1d70b8"        # GOV.UK blue: the pack's bars
RED = "#d4351c"         # under the minimum; the pack's minimum line
TEXT = "#0b0c0c"
SECONDARY = "#505a5f"   # secondary text; serious acquisitive crime
GRID = "#b1b4b6"
LIGHT_GRID = "#d8dadb"

# Sizes are in the chart's own units. A page never draws a chart narrower than MIN_WIDTH_PX
# CSS pixels (a narrower screen scrolls the chart inside its frame, the table beside it still
# reflowing), so at COMPACT's 360 units a 13-unit label is at least 16 px: the body text's size.
MIN_WIDTH_PX = 450  # COMPACT's charts; PRINT's, MIN_WIDTH_PX_WIDE
FONT = 13               # an axis's own label (COMPACT)
VALUE_FONT = 13         # a bar's value, and the words in place of a missing one (COMPACT)
# the page's own font stack: SVG text does not pick up GOV.UK's classes
PAGE_FONT = '"Helvetica Neue", Helvetica, Arial, sans-serif'
PRINT_FONT = "Arial, Helvetica, sans-serif"

Number = int | float | Decimal


@dataclass(frozen=True)
class Style:
    """The sizes shared by a family of charts."""
    width: int
    left: int           # room for the tick labels
    right: int          # margin on the right
    small: int          # font size of tick and category labels
    tick_gap: int       # how far left of the plot a tick's label ends
    label_gap: int      # a category label's baseline, below the plot
    ink: str            # colour of tick and category labels
    grid: str           # colour of the gridlines above zero (zero is a solid TEXT line)
    bar_share: float    # the share of a category's slot its bar (or group of bars) fills
    font_family: str
    value: int = VALUE_FONT     # a bar's value label, and the words in place of a missing bar
    heading: int = FONT         # an axis's own name, in bold


# the monthly figures page: a third of a desktop page, charts one above the other
COMPACT = Style(width=360, left=48, right=10, small=13, tick_gap=4, label_gap=16, ink=SECONDARY, grid=GRID,
                bar_share=0.7, font_family=PAGE_FONT)
# the review pack: two thirds of the page, and A4 in the PDF
# (never under 600 px wide on screen, so labels of at least 16 px, and 12 pt in the PDF's A4 column)
PRINT = Style(width=600, left=56, right=12, small=16, tick_gap=6, label_gap=20, ink=TEXT, grid=LIGHT_GRID,
              bar_share=0.7, font_family=PRINT_FONT, value=16, heading=16)
MIN_WIDTH_PX_WIDE = 600  # the pack's charts (PRINT)


def _attributes(attrs: dict) -> str:
    parts = []
    for name, value in attrs.items():
        if value is None:
            continue
        name = name.rstrip("_").replace("_", "-")
        parts.append(f' {name}="{escape(str(value))}"')
    return "".join(parts)


def tag(name: str, content: str | None = None, **attrs) -> str:
    """One SVG element; attribute names written with underscores (stroke_width -> stroke-width), None left out."""
    if content is None:
        return f"<{name}{_attributes(attrs)}/>"
    return f"<{name}{_attributes(attrs)}>{content}</{name}>"


def n(value: float) -> str:
    """Coordinates to one decimal place: short markup, stable output."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def text(x, y, words, size=FONT, anchor="middle", fill=TEXT, **attrs) -> str:
    """Words at a point, escaped."""
    return tag("text", str(escape(words)), x=n(x), y=n(y), font_size=size, text_anchor=anchor, fill=fill, **attrs)


def thousands(value: Number) -> str:
    """A bar's value as its label: 1,234 (and 144.4, 81,340.00 as given)."""
    return f"{value:,}"


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


def svg(chart_id: str, title: str, summary: str, height: int, body: Sequence[str], style: Style) -> Markup:
    """The chart's <svg>: an image named by its title and described by its summary."""
    chart_id = escape(chart_id)
    return Markup(  # nosec B704: the words are escaped here, the sizes are numbers, and tag() and text() escape the body's
        f'<svg xmlns="http://www.w3.org/2000/svg" class="iom-chart{" iom-chart--wide" if style.width > 400 else ""}" viewBox="0 0 {style.width} {height}" '
        f'width="100%" role="img" focusable="false" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'id="{chart_id}" font-family="{escape(style.font_family)}">'
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(summary)}</desc>'
        + "".join(body) + "</svg>")


@dataclass
class Table:
    """The table beside a chart: every number the chart draws, in words where it draws none."""
    caption: str
    headings: list[str]     # the first heads the rows' own headers (months, measures)
    rows: list[list]        # each: the row's header, then one cell per further heading (right-aligned)


@dataclass
class Chart:
    chart_id: str
    title: str
    summary: str            # the <desc>; a page may show it as text too
    svg: Markup
    table: Table | None = None


def legend_swatch(x: float, y: float, label: str, size: int = FONT, **attrs) -> list[str]:
    """A square as tall as the words, filled as its bars are, and its words; y is the words' baseline."""
    side = round(size * 0.85)
    return [tag("rect", x=n(x), y=n(y - side + 1), width=side, height=side, **attrs),
            text(x + side + 4, y, label, anchor="start", size=size)]


def legend_line(x: float, y: float, label: str, length: float = 22, gap: float = 4, size: int = FONT,
                **stroke) -> list[str]:
    """A short stretch of a line as it is drawn, and its words; y is the words' baseline."""
    return [tag("line", x1=n(x), x2=n(x + length), y1=n(y - 4), y2=n(y - 4), **stroke),
            text(x + length + gap, y, label, anchor="start", size=size)]


def legend_width(label: str, size: int = FONT) -> float:
    """Room for a swatch and its words, as SVG text is not measured: an average glyph is about
    0.55 em wide in Arial."""
    return round(size * 0.85) + 4 + len(label) * size * 0.55 + 12


class Plot:
    """A plotting band from `top` to `bottom` with one slot per category and a zero-based scale whose
    top is a round number at least `headroom` times the largest value (room for the value labels)."""

    def __init__(self, style: Style, top: float, bottom: float, largest: Number, slots: int = 12,
                 steps: int = 4, headroom: float = 1.1):
        self.style = style
        self.top, self.bottom = top, bottom
        self.scale_top, self.step = nice_scale(ceil(float(largest) * headroom), steps)
        self.slots = max(slots, 1)
        self.slot = (style.width - style.left - style.right) / self.slots

    def y(self, value: Number) -> float:
        return self.bottom - (self.bottom - self.top) * float(value) / self.scale_top

    def x(self, index: int) -> float:
        return self.style.left + index * self.slot

    def centre(self, index: int) -> float:
        return self.x(index) + self.slot / 2

    def axes(self, labels: Sequence[str], axis_label: str | None = None) -> list[str]:
        """Gridlines with their values, zero solid; each slot's label beneath; the axis's name above."""
        style, parts = self.style, []
        for value in range(0, self.scale_top + 1, self.step):
            y = self.y(value)
            parts.append(tag("line", x1=style.left, x2=n(style.width - style.right), y1=n(y), y2=n(y),
                             stroke=style.grid if value else TEXT, stroke_width=1))
            parts.append(text(style.left - style.tick_gap, y + 4, f"{value:,}", anchor="end", fill=style.ink,
                              size=style.small))
        for index, label in enumerate(labels):
            parts.append(text(self.centre(index), self.bottom + style.label_gap, label, size=style.small,
                              fill=style.ink))
        if axis_label:
            parts.append(text(4, self.top - 8, axis_label, anchor="start", size=style.heading, font_weight="bold"))
        return parts

    def bar(self, index: int, value: Number, labelled: bool = True, place: int = 0, of: int = 1,
            value_text: Callable[[Number], str] = thousands, **attrs) -> list[str]:
        """A bar from zero (none for zero), with its value above it when `labelled`. With `of` bars
        sharing the slot, this is the one at `place` (0 the leftmost)."""
        width = self.slot * self.style.bar_share / of
        x = self.x(index) + (self.slot - width * of) / 2 + width * place
        y = self.y(value)
        parts = []
        if value > 0:
            parts.append(tag("rect", x=n(x), y=n(y), width=n(width), height=n(self.bottom - y), **attrs))
        if labelled:
            parts.append(text(x + width / 2, y - 3, value_text(value), size=self.style.value))
        return parts

    def note(self, index: int, words: str, place: int = 0, of: int = 1) -> str:
        """Words where a bar would be, for a value there is none of ("n/r", "not ended")."""
        width = self.slot * self.style.bar_share / of
        x = self.x(index) + (self.slot - width * of) / 2 + width * (place + 0.5)
        return text(x, self.bottom - 4, words, size=self.style.value, fill=SECONDARY)

    def group(self, index: int, values: Sequence[Number | None], fills: Sequence[dict], missing: str,
              value_text: Callable[[Number], str] = thousands) -> list[str]:
        """One slot's bars side by side, a series each, filled (`fills`: each bar's attributes) as the
        legend shows them; `missing` in place of a None."""
        parts = []
        for place, (value, attributes) in enumerate(zip(values, fills)):
            if value is None:
                parts.append(self.note(index, missing, place, len(values)))
            else:
                parts += self.bar(index, value, place=place, of=len(values), value_text=value_text, **attributes)
        return parts

    def step_line(self, values: Sequence[Number], joined: bool = True, **stroke) -> str:
        """A level across each slot (a rule that may change from one month on); `joined` draws the
        rise or fall between two levels too."""
        path, previous = [], None
        for index, value in enumerate(values):
            y = n(self.y(value))
            if previous is None:
                path.append(f"M{n(self.x(index))} {y}")
            elif previous != y:
                path.append(f"V{y}" if joined else f"M{n(self.x(index))} {y}")
            path.append(f"H{n(self.x(index) + self.slot)}")
            previous = y
        return tag("path", d=" ".join(path), fill="none", **stroke)


# --- whole charts ------------------------------------------------------------------------------

def bar_chart(chart_id: str, title: str, summary: str, labels: Sequence[str], values: Sequence[Number | None],
              *, line: Sequence[Number] | None = None, line_label: str | None = None,
              notes: Sequence[str | None] | None = None, key: str | None = None, table: Table | None = None,
              style: Style = PRINT, height: int = 260, fill: str = BLUE) -> Chart:
    """Bars for each value (None draws no bar, its `notes` words in its place, "none" by default);
    `line`, one value per bar, a dashed stepped reference line named `line_label` in the legend;
    `key` explains the notes under the chart. The table is `table`, or the labels and values."""
    notes = list(notes or [None] * len(values))
    largest = max([v for v in values if v is not None] + list(line or []) + [0])
    plot = Plot(style, top=style.value + 10, bottom=height - 2 * style.small - 12, largest=largest, slots=len(values),
                steps=5, headroom=1.08)
    body = plot.axes(labels)
    for index, (value, note) in enumerate(zip(values, notes)):
        if value is None:
            body.append(plot.note(index, note or "none"))
        else:
            body += plot.bar(index, value, fill=fill)  # its value on it, so 69 against 70 is plain
    right = style.width - style.right
    if line:
        dashes = {"stroke": RED, "stroke_width": 2.5, "stroke_dasharray": "6 4"}
        body.append(plot.step_line(line, joined=False, **dashes))
        if line_label:
            body += legend_line(right - legend_width(line_label, style.small) - 20, height - 4, line_label, length=26,
                                gap=6, size=style.small, **dashes)
    if key:
        body.append(text(style.left, height - 4, key, anchor="start", size=style.small, fill=SECONDARY))
    if table is None:
        table = Table(f"{title}: the figures", ["", "Value"],
                      [[label, thousands(value) if value is not None else (note or "none")]
                       for label, value, note in zip(labels, values, notes)])
    return Chart(chart_id, title, summary, svg(chart_id, title, summary, height, body, style), table)


PATTERNS = ("solid", "hatch", "dots")
SERIES_FILLS = (BRAND, SECONDARY, BLUE)


@dataclass(frozen=True)
class Series:
    """One of a grouped chart's series: its words in the legend and the table, a value per category,
    and its colour and pattern ("solid", "hatch" or "dots"; by default the next of each, in order)."""
    label: str
    values: Sequence[Number | None]
    fill: str = ""
    pattern: str = ""


def pattern_fill(pattern: str, colour: str, pattern_id: str) -> tuple[dict, str]:
    """How bars and their legend swatch are filled with a pattern: their attributes, and the pattern's
    definition for the chart's <defs> (none for a solid fill)."""
    if pattern == "solid":
        return {"fill": colour}, ""
    if pattern == "hatch":
        mark, size, turn = tag("rect", width=3, height=6, fill=colour), 6, "rotate(45)"
    elif pattern == "dots":
        mark, size, turn = tag("circle", cx=2, cy=2, r=1.5, fill=colour), 4, None
    else:
        raise ValueError(f"no pattern called {pattern!r}: use one of {', '.join(PATTERNS)}")
    definition = tag("pattern", mark, id=pattern_id, patternUnits="userSpaceOnUse", width=size, height=size,
                     patternTransform=turn)
    return {"fill": f"url(#{pattern_id})", "stroke": colour}, definition


def grouped_bar_chart(chart_id: str, title: str, summary: str, categories: Sequence[str],
                      series: Sequence[Series], *, category_heading: str = "", missing: str = "none",
                      value_text: Callable[[Number], str] = thousands, style: Style = PRINT,
                      height: int = 260) -> Chart:
    """Bars side by side in each category, one per series (two or three), each series in the legend with
    its own fill and every bar labelled with its value; None draws `missing` in its bar's place. The
    table has a row per category and a column per series, headed `category_heading` and the series'
    labels. See the module's docstring for an example."""
    if not 1 <= len(series) <= len(PATTERNS):
        raise ValueError(f"a grouped bar chart draws 1 to {len(PATTERNS)} series, not {len(series)}")
    if any(len(one.values) != len(categories) for one in series):
        raise ValueError("each series needs one value per category")
    fills, definitions = [], ""
    for place, one in enumerate(series):
        pattern = one.pattern or PATTERNS[place]
        attributes, definition = pattern_fill(pattern, one.fill or SERIES_FILLS[place], f"{chart_id}-{pattern}")
        fills.append(attributes)
        definitions += definition
    largest = max([value for one in series for value in one.values if value is not None] + [0])
    plot = Plot(style, top=2 * style.small + 20, bottom=height - style.label_gap - 11, largest=largest,
                slots=len(categories))
    body = [tag("defs", definitions)] if definitions else []
    x = style.left
    for one, attributes in zip(series, fills):
        body += legend_swatch(x, style.small + 4, one.label, size=style.small, **attributes)
        x += legend_width(one.label, style.small)
    body += plot.axes(categories)
    for index in range(len(categories)):
        body += plot.group(index, [one.values[index] for one in series], fills, missing, value_text)
    table = Table(f"{title}: the figures", [category_heading, *(one.label for one in series)],
                  [[category, *(missing if one.values[index] is None else value_text(one.values[index])
                                for one in series)] for index, category in enumerate(categories)])
    return Chart(chart_id, title, summary, svg(chart_id, title, summary, height, body, style), table)
