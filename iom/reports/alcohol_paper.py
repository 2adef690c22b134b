"""The alcohol discussion paper: one version as one dict, for the page and the PDF alike. The figures
come from iom/figures/alcohol.py with the review pack's disclosure rules applied; the manager's own
sections follow them, with any identifier removed.

Pseudonymised: nobody is named or listed, not even by pseudonym. In every breakdown (by strand, tier,
quarter, AUDIT-C score or band, whether alcohol was involved, outcome) counts of 1 to 4 are shown as
"<5", and a percentage or cost that would give such a count back is withheld. Headline totals (the
cohort, all its offences and their cost, the referrals made, completed and open) are not suppressed,
as in the pack. A draft's figures are worked out afresh each time; a published version keeps the
figures it was published with (AlcoholPaper.figures)."""
import json
from datetime import date
from decimal import Decimal

from iom.charts import Chart, Table, bar_chart
from iom.clients.models import AUDIT_C_POSITIVE, AUDIT_C_QUESTIONS, COHORT_TIERS, STRANDS
from iom.clock import today_in_london
from iom.figures.alcohol import NOT_SET, SCORE_BANDS, alcohol_figures
from iom.offending.models import ALCOHOL_INVOLVED, OFFENCE_TYPES
from iom.referrals.models import REFERRAL_OUTCOMES, REFERRAL_STATUSES
from iom.reports.disclosure import SMALL_COUNT, Identifiers, suppressed
from iom.reports.models import PAPER_SECTIONS, AlcoholPaper
from iom.years import FinancialYear

TITLE = "Alcohol and offending: a discussion paper"
NOT_RECORDED = "not_recorded"
SHARE_COUNTS = ("flagged_yes", "flagged_unknown", "with_alcohol_offence")


def money(value: Decimal | None) -> str | None:
    return None if value is None else f"{Decimal(value).quantize(Decimal('0.01'))}"


def percent(part, whole) -> str | None:
    """part of whole as a percentage to one decimal place; None when either is suppressed or whole is 0."""
    if SMALL_COUNT in (part, whole) or not whole:
        return None
    return f"{(Decimal(part) * 100 / whole).quantize(Decimal('0.1'))}"


def labels() -> dict:
    return {"strands": STRANDS, "tiers": {**COHORT_TIERS, NOT_SET: "Not set"}, "involvement": ALCOHOL_INVOLVED,
            "offence_types": OFFENCE_TYPES, "bands": {code: label for code, (label, *_) in SCORE_BANDS.items()},
            "band_ranges": {code: f"{lowest} to {highest}" for code, (_, lowest, highest) in SCORE_BANDS.items()},
            "statuses": REFERRAL_STATUSES,
            "outcomes": {**REFERRAL_OUTCOMES["alcohol"], NOT_RECORDED: "Not recorded"},
            "sections": PAPER_SECTIONS, "questions": {code: text for code, (text, _) in AUDIT_C_QUESTIONS.items()}}


def _share(row: dict, *, suppress_clients: bool = True) -> dict:
    """A row of the share of clients with alcohol-related offending, its counts suppressed."""
    clients = suppressed(row["clients"]) if suppress_clients else row["clients"]
    shown = {"clients": clients, **{name: suppressed(row[name]) for name in SHARE_COUNTS}}
    shown["flagged_yes_percent"] = percent(shown["flagged_yes"], clients)
    shown["with_alcohol_offence_percent"] = percent(shown["with_alcohol_offence"], clients)
    return shown


def shown_figures(raw: dict) -> dict:
    """The year's figures as the paper shows them: the disclosure rules applied (see the docstring)."""
    cohort = raw["cohort"]
    offences = raw["offences"]
    involvement = {}
    for code, row in offences["by_involvement"].items():
        count = suppressed(row["offences"])
        involvement[code] = {"offences": count,
                             "offences_percent": percent(count, offences["total"]),
                             "cost_gbp": None if count == SMALL_COUNT else money(row["cost_gbp"]),
                             "cost_percent": None if count == SMALL_COUNT or not offences["cost_gbp"] else
                             f"{(Decimal(row['cost_gbp']) * 100 / offences['cost_gbp']).quantize(Decimal('0.1'))}",
                             "uncosted": suppressed(row["uncosted"])}
    audit_c = raw["audit_c"]
    screened = suppressed(audit_c["clients_screened"])
    positive = suppressed(audit_c["positive"])
    referrals = raw["referrals"]
    return {
        "cohort": {**_share(cohort, suppress_clients=False)},
        "by_strand": {code: _share(row) for code, row in raw["by_strand"].items()},
        "by_tier": {code: _share(row) for code, row in raw["by_tier"].items()},
        "by_quarter": [{"quarter": row["quarter"], "first_day": row["first_day"], "last_day": row["last_day"],
                        **_share(row, suppress_clients=False),
                        "offences": row["offences"], "alcohol_offences": suppressed(row["alcohol_offences"]),
                        "alcohol_offences_percent": percent(suppressed(row["alcohol_offences"]), row["offences"])}
                       for row in raw["by_quarter"]],
        "offences": {"total": offences["total"], "cost_gbp": money(offences["cost_gbp"]),
                     "by_involvement": involvement,
                     "by_type": {code: {"offences": suppressed(row["offences"]),
                                        "alcohol_involved": suppressed(row["alcohol_involved"]),
                                        "alcohol_involved_percent": percent(suppressed(row["alcohol_involved"]),
                                                                            suppressed(row["offences"]))}
                                 for code, row in offences["by_type"].items()}},
        "audit_c": {
            "positive_from": AUDIT_C_POSITIVE,
            "screenings": audit_c["screenings"],
            "clients_screened": screened, "clients_screened_percent": percent(screened, cohort["clients"]),
            "not_screened": suppressed(audit_c["not_screened"]),
            "positive": positive, "positive_percent": percent(positive, screened),
            "negative": suppressed(audit_c["negative"]),
            "by_score": {str(score): suppressed(count) for score, count in audit_c["by_score"].items()},
            "by_band": {code: suppressed(count) for code, count in audit_c["by_band"].items()},
            "positive_flagged_yes": suppressed(audit_c["positive_flagged_yes"]),
            "positive_not_flagged_yes": suppressed(audit_c["positive_not_flagged_yes"]),
            "positive_referred": suppressed(audit_c["positive_referred"]),
            "positive_not_referred": suppressed(audit_c["positive_not_referred"]),
        },
        "referrals": {"made": referrals["made"], "completed": referrals["completed"],
                      "open_at_year_end": referrals["open_at_year_end"],
                      "clients_referred": suppressed(referrals["clients_referred"]),
                      "closed": referrals["closed"],
                      "closed_by_status": {code: suppressed(count) for code, count in referrals["closed_by_status"].items()},
                      "outcomes": {code: suppressed(count) for code, count in referrals["outcomes"].items()},
                      "median_days_to_close": referrals["median_days_to_close"]},
        "unit_costs_price_years": raw["unit_costs_price_years"],
    }


def draft_figures(year: FinancialYear, *, today: date | None = None) -> dict:
    """A draft's figures, worked out now: what publishing freezes."""
    today = today or today_in_london()
    return {"produced_on": today.isoformat(), "year_complete": today > year.last_day,
            **shown_figures(alcohol_figures(year))}


def build_paper(year: FinancialYear, paper: AlcoholPaper | None, *, identifiers: Identifiers | None = None,
                today: date | None = None) -> dict:
    """One version of the paper (None: no version yet, the figures alone) as one dict."""
    identifiers = identifiers or Identifiers.from_database()
    if paper is not None and paper.is_published:
        figures = json.loads(paper.figures)
    else:
        figures = draft_figures(year, today=today)
    return {
        "title": f"{TITLE} {year}",
        "financial_year": year.label,
        "first_day": year.first_day.isoformat(),
        "last_day": year.last_day.isoformat(),
        "pseudonymised": True,
        "number": paper.number if paper is not None else None,
        "status": paper.status if paper is not None else None,
        "published_on": paper.published_at.date().isoformat() if paper is not None and paper.published_at else None,
        "figures": figures,
        "sections": {name: identifiers.scrub(getattr(paper, name)) if paper is not None else None
                     for name in PAPER_SECTIONS},
        "disclosure_control": {
            "small_count_marker": SMALL_COUNT,
            "rule": "Nobody is named or listed. In every breakdown (by strand, cohort tier, quarter, AUDIT-C score, "
                    "whether alcohol was involved, or outcome) counts of 1 to 4 are shown as \"<5\", and a "
                    "percentage or cost that would give such a count back is withheld. Headline totals are not "
                    "suppressed.",
        },
    }


# --- charts: each beside its table, drawn from the paper's (suppressed) figures --------------------

QUARTER_CHART_TITLE = "Offences involving alcohol, by quarter"
BAND_CHART_TITLE = "AUDIT-C: clients by score band"


def _drawn(value) -> tuple[int | None, str | None]:
    """A count as a bar: a suppressed one draws no bar and says "<5" where it would be."""
    return (None, SMALL_COUNT) if value == SMALL_COUNT else (value, None)


def paper_charts(paper: dict) -> list[Chart]:
    """Two charts (PRINT style, so the same markup on screen and in the PDF), each with its table."""
    figures = paper["figures"]
    quarters = figures["by_quarter"]
    short = [f"{words[0][:3]} to {words[2][:3]}" for words in (row["quarter"].split(" ") for row in quarters)]
    drawn = [_drawn(row["alcohol_offences"]) for row in quarters]
    by_quarter = bar_chart(
        "chart-alcohol-quarters", QUARTER_CHART_TITLE,
        "Bars show the cohort's offences in each quarter of the year recorded with alcohol involved; a quarter "
        "with 1 to 4 has no bar and is marked \u201c<5\u201d. The table beside the chart gives the figures, with "
        "all the quarter's offences.",
        short, [value for value, _ in drawn], notes=[note or "none" for _, note in drawn],
        key="\u201c<5\u201d: 1 to 4, not shown" if any(note for _, note in drawn) else None,
        table=Table(f"{QUARTER_CHART_TITLE}: the figures", ["Quarter", "Involving alcohol", "All offences"],
                    [[row["quarter"], row["alcohol_offences"], row["offences"]] for row in quarters]))
    names = labels()["bands"]
    bands = figures["audit_c"]["by_band"]
    drawn = [_drawn(count) for count in bands.values()]
    by_band = bar_chart(
        "chart-audit-c-bands", BAND_CHART_TITLE,
        "Bars show how many clients' latest AUDIT-C screening in the year fell in each score band, from lower "
        "risk (0 to 4) to possible dependence (11 to 12); a band with 1 to 4 clients has no bar and is marked "
        "\u201c<5\u201d. The table beside the chart gives the figures.",
        [names[code] for code in bands], [value for value, _ in drawn], notes=[note or "none" for _, note in drawn],
        key="\u201c<5\u201d: 1 to 4, not shown" if any(note for _, note in drawn) else None,
        table=Table(f"{BAND_CHART_TITLE}: the figures", ["Band", "Scores", "Clients"],
                    [[names[code], labels()["band_ranges"][code], count] for code, count in bands.items()]))
    return [by_quarter, by_band]
