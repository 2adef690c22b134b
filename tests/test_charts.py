"""The one chart module (iom/charts.py): round scales, the pack's bar chart and the grouped bars the
before-and-after comparison draws: two bars per category, each series in the legend with its own
fill, colour never the only cue, missing values in words, the table beside it, escaped words."""
from decimal import Decimal
from xml.etree import ElementTree

import pytest
from flask import render_template_string

from iom import charts
from iom.charts import Series, bar_chart, grouped_bar_chart

SVG = "{http://www.w3.org/2000/svg}"


def parse(chart) -> ElementTree.Element:
    return ElementTree.fromstring(str(chart.svg))


def texts(chart) -> list[str]:
    return [element.text for element in parse(chart).iter(f"{SVG}text")]


@pytest.mark.parametrize("largest, scale", [(0, (4, 1)), (3, (3, 1)), (7, (8, 2)), (70, (80, 20)),
                                            (81, (100, 50)), (120, (150, 50)), (1234, (1500, 500))])
def test_scales_are_round(largest, scale):
    top, step = charts.nice_scale(largest)
    assert top >= largest and top % step == 0 and str(step)[0] in "125"
    assert (top, step) == scale


@pytest.mark.parametrize("largest, scale", [(0, (5, 1)), (5, (5, 1)), (7, (8, 2)), (26, (30, 10)),
                                            (81, (100, 20)), (1234, (1500, 500))])
def test_five_steps_at_most_for_the_pack(largest, scale):
    assert charts.nice_scale(largest, steps=5) == scale


def before_and_after(**overrides):
    arguments = {"categories": ["All offences", "Serious acquisitive", "Neighbourhood"],
                 "series": [Series("Year before adoption", [30, 11, 14]), Series("Year after adoption", [13, 4, 5])],
                 "category_heading": "Offences"}
    return grouped_bar_chart("chart-reoffending", "Offences before and after adoption",
                             "Fewer offences in the year after adoption.", **(arguments | overrides))


def bars(chart) -> list[ElementTree.Element]:
    """The bars, not the legend's swatches (which sit in the legend's row, above the plot)."""
    return [rect for rect in parse(chart).findall(f"{SVG}rect") if float(rect.get("y")) > 20]


def test_grouped_bars_stand_two_to_a_category_each_labelled_with_its_value():
    chart = before_and_after()
    drawn = bars(chart)
    assert len(drawn) == 6
    lefts = sorted(float(rect.get("x")) for rect in drawn)
    widths = {rect.get("width") for rect in drawn}
    assert len(widths) == 1
    width = float(widths.pop())
    # side by side in pairs, the pairs apart
    gaps = [b - a for a, b in zip(lefts, lefts[1:])]
    assert all(abs(gap - width) < 0.2 for gap in gaps[::2]) and all(gap > width * 1.5 for gap in gaps[1::2])
    words = texts(chart)
    for value in ("30", "11", "14", "13", "4", "5"):
        assert value in words
    assert ["All offences", "Serious acquisitive", "Neighbourhood"] == [w for w in words if w in
                                                                      ("All offences", "Serious acquisitive",
                                                                       "Neighbourhood")]


def test_each_series_has_a_legend_entry_and_its_own_pattern_not_only_a_colour():
    chart = before_and_after()
    svg = str(chart.svg)
    assert "Year before adoption" in texts(chart) and "Year after adoption" in texts(chart)
    [pattern] = parse(chart).iter(f"{SVG}pattern")
    assert pattern.get("id") == "chart-reoffending-hatch"
    # the second series' bars and its swatch are hatched; the first's solid
    assert svg.count('fill="url(#chart-reoffending-hatch)"') == 3 + 1
    assert svg.count(f'fill="{charts.BRAND}"') == 3 + 1
    three = before_and_after(series=[Series("A", [1, 2, 3]), Series("B", [1, 2, 3]), Series("C", [1, 2, 3])])
    assert [p.get("id") for p in parse(three).iter(f"{SVG}pattern")] == ["chart-reoffending-hatch",
                                                                          "chart-reoffending-dots"]


def test_a_missing_value_is_written_where_its_bar_would_be_and_in_the_table():
    chart = before_and_after(series=[Series("Before", [30, None, 14]), Series("After", [13, 4, None])],
                             missing="no days at risk")
    assert len(bars(chart)) == 4
    assert texts(chart).count("no days at risk") == 2
    assert chart.table.rows == [["All offences", "30", "13"], ["Serious acquisitive", "no days at risk", "4"],
                                ["Neighbourhood", "14", "no days at risk"]]


def test_the_table_beside_it_holds_every_number():
    chart = before_and_after()
    assert chart.table.caption == "Offences before and after adoption: the figures"
    assert chart.table.headings == ["Offences", "Year before adoption", "Year after adoption"]
    assert chart.table.rows[0] == ["All offences", "30", "13"]


def test_money_and_rates_are_drawn_and_written_as_given():
    chart = before_and_after(categories=["Cost of crime"],
                             series=[Series("Before", [Decimal("81340.00")]), Series("After", [Decimal("30210.00")])],
                             value_text=lambda value: f"£{value:,}")
    assert "£81,340.00" in texts(chart) and chart.table.rows == [["Cost of crime", "£81,340.00", "£30,210.00"]]
    rates = before_and_after(categories=["Per 100 years at risk"],
                             series=[Series("Before", [300.0]), Series("After", [144.4])])
    assert "144.4" in texts(rates)


def test_the_chart_is_an_accessible_image_with_its_words_escaped_and_no_style():
    chart = grouped_bar_chart("chart-x", "Before <and> after", "A & B", ["<b>"], [Series("<i>", [1])])
    svg = parse(chart)
    assert svg.get("role") == "img" and svg.get("focusable") == "false"
    assert svg.get("aria-labelledby") == "chart-x-title chart-x-desc"
    assert svg.find(f"{SVG}title").text == "Before <and> after" and svg.find(f"{SVG}desc").text == "A & B"
    assert "<b>" not in str(chart.svg) and "<i>" not in str(chart.svg)
    assert "style" not in str(chart.svg) and "script" not in str(chart.svg)


def test_series_must_fit_the_categories_and_the_patterns():
    with pytest.raises(ValueError):
        before_and_after(series=[Series("Before", [1, 2])])
    with pytest.raises(ValueError):
        before_and_after(series=[Series(str(n), [1, 2, 3]) for n in range(4)])


def test_the_bar_chart_writes_notes_for_missing_bars_and_a_dashed_stepped_line():
    chart = bar_chart("chart-b", "Counted", "Summary.", ["Apr", "May", "Jun"], [70, None, 0],
                      line=[70, 70, 50], line_label="Minimum", notes=[None, "not ended", None], key="a key")
    assert len(list(parse(chart).iter(f"{SVG}rect"))) == 1  # no bar for a missing or zero value
    assert "not ended" in texts(chart) and "Minimum" in texts(chart) and "a key" in texts(chart)
    [line] = parse(chart).iter(f"{SVG}path")
    assert line.get("stroke-dasharray") == "6 4" and line.get("d").count("M") == 2  # a step, not a rise
    assert chart.table.rows == [["Apr", "70"], ["May", "not ended"], ["Jun", "0"]]


def test_the_page_macro_shows_the_chart_beside_its_table(app):
    chart = before_and_after()
    with app.test_request_context():
        html = render_template_string('{% from "_macros/charts.html" import chart_beside_table %}'
                                      "{{ chart_beside_table(chart, summary=true) }}", chart=chart)
    assert html.index("<svg") < html.index("<table")
    assert '<caption class="govuk-table__caption govuk-table__caption--s">Offences before and after adoption: ' \
           "the figures</caption>" in html
    assert '<th scope="col" class="govuk-table__header govuk-table__header--numeric">Year after adoption</th>' in html
    assert '<th scope="row" class="govuk-table__header">All offences</th>' in html
    assert 'id="chart-reoffending-summary">Fewer offences in the year after adoption.</p>' in html


def test_both_styles_draw_labels_as_large_as_the_body_text_and_dark_enough():
    from tests.pages import chart_legibility_problems
    for style in (charts.COMPACT, charts.PRINT):
        grouped = charts.grouped_bar_chart("chart-g", "Title", "Summary", ["All offences", "Serious acquisitive"],
                                           [Series("Year before adoption", [30, None]),
                                            Series("Year after adoption", [13, 4])], style=style)
        bars = charts.bar_chart("chart-b", "Title", "Summary", ["Apr", "May", "Jun"], [69, 70, None],
                                line=[70, 70, 70], line_label="Minimum", key="n/r: not recorded", style=style)
        for chart in (grouped, bars):
            assert chart_legibility_problems(str(chart.svg)) == []


def test_the_bar_chart_labels_every_bar_with_its_value():
    svg = str(charts.bar_chart("chart-b", "Title", "Summary", ["Apr", "May"], [69, 70], line=[70, 70],
                               line_label="Minimum").svg)
    assert ">69</text>" in svg and ">70</text>" in svg and ">Minimum</text>" in svg
