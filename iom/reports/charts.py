"""The pack's two charts, drawn with iom/charts.py (PRINT style): the same markup in the browser
and in WeasyPrint's PDF, each with its table of the figures beside it."""
from iom.charts import Chart, Table, bar_chart

NOT_ENDED, NOT_RECORDED = "not ended", "none"
COUNTED_TITLE = "Clients counted for the minimum, by month"
SAC_TITLE = "Serious acquisitive crimes recorded, by month"


def _so_far(month: dict, value):
    """A month not yet ended has no figures: said in words, as in the pack's own tables."""
    return value if month["has_ended"] else "Not yet ended"


def _crimes(month: dict):
    count = month["serious_acquisitive_crimes"]
    if count is None:
        return "Not recorded"
    return count if month["has_ended"] else f"{count} (month not yet ended)"


def pack_charts(pack: dict, month_names: list[str]) -> list[Chart]:
    """Chart 1: clients counted for the minimum against the minimum; chart 2: SAC recorded. A month not
    yet ended has no bar in either, and says so where its bar would be."""
    months = pack["months"]
    short = [name.split("\u00a0")[0] for name in month_names]
    named = list(zip(month_names, months))
    ended = pack["months_ended"]
    not_ended = 12 - ended
    not_ended_words = (f" The {not_ended} {'month' if not_ended == 1 else 'months'} not yet ended "
                       f"{'has' if not_ended == 1 else 'have'} no bar and {'is' if not_ended == 1 else 'are'} "
                       f"marked \u201c{NOT_ENDED}\u201d." if not_ended else "")
    key_not_ended = f"\u201c{NOT_ENDED}\u201d: month not yet ended, no figures" if not_ended else None
    counted = bar_chart(
        "chart-counted", COUNTED_TITLE,
        f"Bars show the clients on the counted strands on each month's last day, from {month_names[0]} to "
        f"{month_names[-1]}; the dashed line is the minimum in force. The minimum was met in "
        f"{pack['months_minimum_met']} of the {ended} {'month' if ended == 1 else 'months'} that have ended."
        f"{not_ended_words} The table beside the chart gives the figures.",
        short, [m["counted_for_minimum"] for m in months], line=[m["minimum"] for m in months],
        line_label="Minimum", notes=[None if m["has_ended"] else NOT_ENDED for m in months], key=key_not_ended,
        table=Table(f"{COUNTED_TITLE}: the figures", ["Month", "Counted", "Minimum"],
                    [[name, _so_far(m, m["counted_for_minimum"]), m["minimum"]] for name, m in named]))
    sac_key = "; ".join(filter(None, [key_not_ended, f"\u201c{NOT_RECORDED}\u201d: no count recorded"]))
    sac = bar_chart(
        "chart-sac", SAC_TITLE,
        f"Bars show the serious acquisitive crimes recorded each month from {month_names[0]} to "
        f"{month_names[-1]}; months with no count recorded have no bar and are marked \u201c{NOT_RECORDED}\u201d."
        f"{not_ended_words} The table beside the chart gives the figures.",
        short, [m["serious_acquisitive_crimes"] if m["has_ended"] else None for m in months],
        notes=[NOT_RECORDED if m["has_ended"] else NOT_ENDED for m in months], key=sac_key,
        table=Table(f"{SAC_TITLE}: the figures", ["Month", "Crimes"], [[name, _crimes(m)] for name, m in named]))
    return [counted, sac]
