"""The two server-drawn charts: the minimum as a step line, small multiples instead of a dual axis,
months not recorded, months not started, and markup the content security policy allows (their
scales: tests/test_charts.py)."""
import re
from xml.etree import ElementTree

from iom.figures import charts
from iom.figures.monthly import MonthlyFigures
from iom.years import FinancialYear
from iom.figures.queries import COMPLETE, IN_PROGRESS, NOT_STARTED, MonthRow

SVG = "{http://www.w3.org/2000/svg}"


def rows(counted, minimums=None, sac=None, started=12, current=None) -> list[MonthRow]:
    built = []
    for index, month in enumerate(FinancialYear.parse("2011-12").months):
        minimum = (minimums or [70] * 12)[index]
        value = counted[index] if index < len(counted) else 0
        state = COMPLETE if index < started else NOT_STARTED
        if current is not None and index == current:
            state = IN_PROGRESS
        built.append(MonthRow(MonthlyFigures(
            month=month, on_scheme=value + 10, counted_for_minimum=value, in_custody_or_remand=1, minimum=minimum,
            minimum_met=value >= minimum, serious_acquisitive_crimes=(sac or {}).get(index)), state))
    return built


def parse(chart) -> ElementTree.Element:
    return ElementTree.fromstring(str(chart.svg))


def test_the_svg_is_well_formed_and_labelled():
    for chart in (charts.counted_against_minimum(rows([72] * 12), "2011-12"),
                  charts.cohort_against_sac(rows([72] * 12, sac={0: 80}), "2011-12")):
        svg = parse(chart)
        assert svg.get("role") == "img" and svg.get("focusable") == "false"
        title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
        assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
        assert title.text == chart.title and desc.text == chart.summary
        assert "style" not in str(chart.svg) and "script" not in str(chart.svg)


def test_the_minimum_line_steps_where_the_rule_changes():
    chart = charts.counted_against_minimum(rows([60] * 12, minimums=[70] * 6 + [50] * 6), "2011-12")
    path = [p for p in parse(chart).iter(f"{SVG}path") if p.get("stroke-dasharray")][0].get("d")
    assert path.count("V") == 1 and path.count("H") == 12


def test_columns_under_the_minimum_are_hatched_and_labelled_with_their_value():
    svg = str(charts.counted_against_minimum(rows([71, 69, 70], started=3), "2011-12").svg)
    assert svg.count('fill="url(#chart-minimum-under)"') == 2  # the legend and May
    assert ">69</text>" in svg and ">71</text>" in svg and ">70</text>" in svg
    summary = charts.counted_summary(rows([71, 69, 70], started=3), "2011-12")
    assert summary == ("The minimum was met in 2 of 3 complete months of 2011-12. Furthest under the minimum: "
                       "May 2011, 69 counted against 70. Highest: April 2011, 71 counted.")


def test_the_current_month_is_paler_and_described_as_so_far():
    chart = charts.counted_against_minimum(rows([71, 72, 73], started=2, current=2), "2011-12")
    assert str(chart.svg).count('fill-opacity="0.55"') == 2  # June's column and the legend's swatch
    assert ">Paler: so far, not yet ended</text>" in str(chart.svg)
    assert chart.summary.endswith("June 2011 so far, on what is known today: 73 counted against a minimum of 70, met.")


def test_cohort_and_crime_are_two_panels_each_from_zero():
    data = rows([60, 62, 64], started=3, sac={0: 120, 2: 30})
    chart = charts.cohort_against_sac(data, "2011-12")
    texts = [t.text for t in parse(chart).iter(f"{SVG}text")]
    assert "Clients on the scheme" in texts and "Serious acquisitive crimes" in texts
    assert texts.count("0") == 2  # each panel has its own zero
    assert texts.count("n/r") == 1  # May not recorded
    assert chart.summary == ("Clients on the scheme ranged from 70 (April 2011) to 74 (June 2011). Serious "
                             "acquisitive crime ranged from 30 (June 2011) to 120 (April 2011). 1 month with no "
                             "count recorded. Serious acquisitive crimes for every 10 clients on the scheme: 17.1 in "
                             "April 2011, 4.1 in June 2011.")


def test_a_year_not_started_draws_empty_charts_and_says_so():
    data = rows([], started=0)
    minimum, sac = charts.counted_against_minimum(data, "2011-12"), charts.cohort_against_sac(data, "2011-12")
    for chart in (minimum, sac):
        assert chart.summary == "No month of 2011-12 has started yet."
    assert len(list(parse(minimum).iter(f"{SVG}rect"))) == 3  # the hatch pattern and two legend swatches
    assert len(list(parse(sac).iter(f"{SVG}rect"))) == 0


def test_no_count_recorded_all_year_is_said_in_words():
    summary = charts.cohort_sac_summary(rows([5] * 12, started=4), "2011-12")
    assert "No serious acquisitive crime count is recorded for 2011-12 yet." in summary


def test_text_in_the_svg_is_escaped():
    chart = charts.counted_against_minimum(rows([1]), "<2011-12>")
    assert "<2011-12>" not in str(chart.svg) and "&lt;2011-12&gt;" in str(chart.svg)
    parse(chart)
    assert re.search(r"<title id=\"chart-minimum-title\">[^<]*&lt;2011-12&gt;", str(chart.svg))


def test_every_label_is_as_large_as_the_body_text_and_dark_enough_to_read():
    from tests.pages import chart_legibility_problems
    for chart in (charts.counted_against_minimum(rows([71, 69, 70], started=3, current=2), "2011-12"),
                  charts.cohort_against_sac(rows([72] * 12, sac={0: 80, 1: 122}, current=4), "2011-12")):
        assert chart_legibility_problems(str(chart.svg)) == []


def test_the_legend_names_every_mark_the_chart_draws_the_minimum_and_the_paler_month_included():
    svg = str(charts.counted_against_minimum(rows([71, 69, 70], started=3, current=2), "2011-12").svg)
    for words in ("Met", "Under the minimum", "Minimum", "Paler: so far, not yet ended"):
        assert f">{words}</text>" in svg
    assert ">69</text>" in svg and ">70</text>" in svg  # each column's value on it: 69 against 70 is plain
