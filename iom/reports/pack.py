"""The end-of-year review pack: every section as one JSON-ready dict, built from the figures
(iom/figures) with the disclosure rules applied. The web page, the PDF, the spreadsheet, the CSV and
the JSON are all written from this one dict, so they cannot disagree.

Pseudonymised: no name, date of birth, PNC id, reference, address or ward; a client appears only
in the data-quality list, as a pseudonym; ages as bands; breakdowns by a personal attribute show
counts of 1 to 4 as "<5" and the cells that would give one back by subtraction as "[c]" (secondary
suppression); headline totals, monthly ones included, are not suppressed."""
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from iom.figures import annual, monthly
from iom.figures.cohort_value import PAYMENTS_SOURCE, CohortValue, cohort_value_for_money
from iom.figures.months import has_ended
from iom.figures.reoffending import Reoffending, Window, before_and_after
from iom.figures.year_offending import offending_in_year
from iom.clients.models import ALCOHOL, COHORT_TIERS, EXIT_REASONS, PROGRAMMES, STRANDS
from iom.clock import today_in_london
from iom.extensions import db
from iom.offending.models import OFFENCE_TYPES
from iom.payments.models import ACHIEVEMENTS, PURPOSES
from iom.payments.queries import year_positions
from iom.referrals.models import DUTY_TO_REFER_OUTCOMES, REFERRAL_KINDS, REFERRAL_OUTCOMES, REFERRAL_STATUSES
from iom.reports.disclosure import SECONDARY, SMALL_COUNT, Identifiers, is_hidden, protect, protect_columns
from iom.reports.models import RATINGS, SelfAssessmentAnswer, SelfAssessmentQuestion, UnitCost, ValueForMoneyBaseline
from iom.reports.pseudonyms import Pseudonyms
from iom.watch.models import WATCH_OUTCOMES
from iom.years import FinancialYear

TITLE = "IOM end-of-year review"
AREA_WIDE_ESTIMATE = "Estimate from area-wide serious acquisitive crime"
COHORT_VALUE = "Value for money on the cohort's own offending"

# The pack's sections, in the order the pack gives them when no reviewer has chosen one: the name the
# reviewer's choice is kept by -> (heading, the partial in templates/reports/pack/, the page's anchor).
SECTIONS = {
    "summary": ("Summary", "_summary.html", "summary"),
    "months": ("The twelve months", "_months.html", "months"),
    "scheme_flow": ("Joining and leaving the scheme", "_scheme_flow.html", "scheme-flow"),
    "cohort": ("The cohort", "_cohort.html", "cohort"),
    "custody": ("Custody and remand", "_custody.html", "custody"),
    "referrals": ("Referrals: housing, mental health and alcohol services", "_referrals.html", "referrals"),
    "payments": ("Support payments", "_payments.html", "payments"),
    "watch_list": ("Watch list", "_watch_list.html", "watch-list"),
    "self_assessment": ("Self-assessment", "_self_assessment.html", "self-assessment"),
    "offending": ("Offending before and after adoption", "_offending.html", "offending"),
    "cohort_value_for_money": (COHORT_VALUE, "_cohort_value.html", "cohort-value-for-money"),
    "value_for_money": (AREA_WIDE_ESTIMATE, "_value_for_money.html", "value-for-money"),
    "data_quality": ("Data quality", "_data_quality.html", "data-quality"),
}


def money(value: Decimal | None) -> str | None:
    """Pounds as a string with two decimals ("70.00"); None stays None."""
    return None if value is None else f"{Decimal(value).quantize(Decimal('0.01'))}"


def _average(counts: list[int]) -> str | None:
    """The mean to one decimal place as text; None when there is nothing to average."""
    return f"{(Decimal(sum(counts)) / len(counts)).quantize(Decimal('0.1'))}" if counts else None


def _percent(part: int, whole: int) -> str | None:
    return f"{(Decimal(part) * 100 / whole).quantize(Decimal('0.1'))}" if whole else None


def labels() -> dict[str, dict[str, str]]:
    """What each code in the pack means, for the page, the PDF and the spreadsheet."""
    not_recorded = {annual.NOT_RECORDED: "Not recorded"}
    return {
        "strands": STRANDS,
        "exit_reasons": EXIT_REASONS,
        "age_bands": {code: label for code, label, *_ in annual.AGE_BANDS} | not_recorded,
        "programmes": PROGRAMMES,
        "alcohol": ALCOHOL,
        "referral_kinds": REFERRAL_KINDS,
        "referral_statuses": REFERRAL_STATUSES,
        "referral_outcomes": {kind: outcomes | not_recorded for kind, outcomes in REFERRAL_OUTCOMES.items()},
        "duty_to_refer_outcomes": DUTY_TO_REFER_OUTCOMES | not_recorded,
        "purposes": PURPOSES,
        "achievements": ACHIEVEMENTS | not_recorded,
        "watch_outcomes": WATCH_OUTCOMES,
        "offence_types": OFFENCE_TYPES,
        "offending_measures": OFFENDING_MEASURES,
        "tiers": {**COHORT_TIERS, NOT_SET: "Not set"},
        "ratings": RATINGS,
        "missing": {
            "date_of_birth": "Clients with no date of birth",
            "pnc_id": "Clients with no PNC ID",
            "ward": "Clients with no ward",
            "alcohol_related": "Clients whose alcohol-related offending is not known",
            "risk_level": "Clients with no risk level",
            "offender_manager": "Clients with no offender manager",
            "referral_outcome": "Referrals closed in the year with no outcome",
            "duty_to_refer": "Housing referrals made in the year with Duty to Refer not recorded",
            "payment_result": "Approved payments in the year with no result recorded",
            "sac_count": "Months ended with no serious acquisitive crime count",
        },
        "stale_bands": {"90_to_179": "90 to 179 days", "180_to_364": "180 to 364 days",
                        "365_to_729": "365 to 729 days (a year or more)", "730_or_more": "730 days or more (two years or more)"},
    }


# A month not yet ended has no figures in the pack (its last day, when they are taken, is still to come).
ENDED, NOT_YET_ENDED = "ended", "not yet ended"
NOT_ENDED_NULLS = ("on_scheme", "counted_for_minimum", "in_custody_or_remand", "minimum_met", "clients_per_sac",
                   "sac_per_10_clients", "cohort_serious_acquisitive_offences", "cohort_share_of_sac_percent")


def _month(month: monthly.MonthlyFigures, today: date) -> dict:
    per_10, share = month.sac_per_10_clients, month.cohort_share_of_sac_percent
    result = month.as_json() | {"clients_per_sac": money(month.clients_per_sac),
                                "sac_per_10_clients": None if per_10 is None else f"{per_10}",
                                "cohort_share_of_sac_percent": None if share is None else f"{share}",
                                "has_ended": has_ended(month.month, today)}
    result["status"] = ENDED if result["has_ended"] else NOT_YET_ENDED
    if not result["has_ended"]:
        result |= dict.fromkeys(NOT_ENDED_NULLS)
    return result


def _self_assessment(financial_year: FinancialYear, identifiers: Identifiers) -> dict:
    """The year's answers to every question asked now, and to any since retired that was answered."""
    answers = {answer.question_id: answer for answer in db.session.scalars(
        select(SelfAssessmentAnswer).where(SelfAssessmentAnswer.financial_year == financial_year.label))}
    questions = db.session.scalars(
        select(SelfAssessmentQuestion).order_by(SelfAssessmentQuestion.position, SelfAssessmentQuestion.id)).all()
    items = []
    for question in questions:
        answer = answers.get(question.id)
        if not question.is_active and answer is None:
            continue
        items.append({
            "principle": identifiers.scrub(question.principle),
            "question": identifiers.scrub(question.text),
            "rating": answer.rating if answer else None,
            "rating_label": RATINGS[answer.rating] if answer else "Not answered",
            "evidence": identifiers.scrub(answer.evidence) if answer else None,
            "answered_on": answer.answered_at.date().isoformat() if answer and answer.answered_at else None,
        })
    return {"answered": sum(1 for item in items if item["rating"]), "questions": len(items), "items": items}


def _month_names(texts: list[str]) -> str:
    """['2026-12', '2027-01'] -> 'December 2026 and January 2027'."""
    names = [f"{date.fromisoformat(text + '-01'):%B %Y}" for text in texts]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def months_counted_note(year: dict) -> str:
    """Which of the year's months the estimate counts, and why the others are left out, in words."""
    counted = year["months_counted"]
    sentences = [f"The estimate counts {len(counted)} {'month' if len(counted) == 1 else 'months'}"
                 + (f": {_month_names(counted)}." if counted else ".")]
    for reason, why in ((annual.LEFT_OUT_NOT_ENDED, "not yet ended (a month still running is only part of a month)"),
                        (annual.LEFT_OUT_NOT_RECORDED, "no serious acquisitive crime count recorded "
                                                       "(a missing count is never filled in)")):
        left = [item["month"] for item in year["months_left_out"] if item["reason"] == reason]
        if left:
            sentences.append(f"Left out, {why}: {_month_names(left)}.")
    return " ".join(sentences)


def value_for_money(financial_year: FinancialYear, months, today: date | None = None) -> dict:
    """The year's value-for-money estimate, from the unit costs and baseline this area keeps."""
    costs = db.session.scalars(select(UnitCost).order_by(UnitCost.crime_type)).all()
    return annual.value_for_money(months, costs, db.session.get(ValueForMoneyBaseline, financial_year.label),
                                 today)


def _value_for_money(financial_year: FinancialYear, months, identifiers: Identifiers, today: date) -> dict:
    vfm = value_for_money(financial_year, months, today)
    year = vfm["year"]
    baseline = vfm["baseline"]
    return {
        "label": AREA_WIDE_ESTIMATE,
        "is_estimate": True,
        "available": vfm["available"],
        "reason": vfm["reason"],
        "baseline": None if baseline is None else baseline | {
            "average_sac_per_month": money(baseline["average_sac_per_month"])},
        "year": year | {"average_sac_per_month": money(year["average_sac_per_month"]),
                        "months_counted_note": months_counted_note(year)},
        "expected_sac_at_baseline_rate": money(vfm["expected_sac_at_baseline_rate"]),
        "crimes_avoided": money(vfm["crimes_avoided"]),
        "weighted_unit_cost_gbp": money(vfm["weighted_unit_cost_gbp"]),
        "shares_total_percent": money(vfm["shares_total_percent"]),
        "estimated_value_gbp": money(vfm["estimated_value_gbp"]),
        "unit_costs": [{"crime_type": identifiers.scrub(cost["crime_type"]), "cost_gbp": money(cost["cost_gbp"]),
                        "share_percent": money(cost["share_percent"]), "source": identifiers.scrub(cost["source"]),
                        "price_year": identifiers.scrub(cost["price_year"])} for cost in vfm["unit_costs"]],
        "price_years": [identifiers.scrub(year_text) for year_text in vfm["price_years"]],
    }


# --- offending: before and after adoption, the year's rate, and value for money on it -----------------

OFFENDING_CAVEATS = [
    "People are adopted onto the scheme when their offending is at a peak, and offending often falls from a peak "
    "whatever is done (regression to the mean): some of any fall would have happened anyway.",
    "Small cohorts swing: one or two people's offences can move the figures a long way from one year to the next.",
    "This is not a controlled comparison: there is no group of similar people who were not on the scheme, so it "
    "does not show what the scheme caused.",
    "Offences are those recorded in the tracker, on the day they were committed; an offence recorded late changes "
    "the figures when it is recorded.",
]
NOT_SET = "not_set"  # the tier of a client with none recorded
# a window's figures (reoffending's Window.as_json) in the order and words the pack shows them
OFFENDING_MEASURES = {
    "clients": "Clients", "offences": "Offences", "clients_offending": "Clients who offended",
    "serious_acquisitive": "Serious acquisitive offences", "neighbourhood": "Neighbourhood crime offences",
    "days_at_risk": "Days at risk (in the community)", "per_100_years_at_risk": "Offences per 100 years at risk",
    "cost_gbp": "Cost of crime",
}
WINDOW_COUNTS = ("clients", "offences", "clients_offending", "serious_acquisitive", "neighbourhood")


def _withhold(shown: dict, rows: dict[str, dict], totals: dict[str, object]) -> None:
    """Withhold, in each tier's window, the figures that would give a hidden count back (days at risk
    with the clients; the rate and the cost of crime with the clients or the offences); then, where a
    column adds up to a total shown, never just one tier's figure: the next tier with fewest clients too."""
    for row in shown.values():
        withheld = []
        if is_hidden(row["clients"]):
            withheld.append("days_at_risk")
        if is_hidden(row["clients"]) or is_hidden(row["offences"]):
            withheld += ["per_100_years_at_risk", "cost_gbp"]
        row["withheld"] = withheld
    for name in ("days_at_risk", "cost_gbp"):
        hidden = [code for code, row in shown.items() if name in row["withheld"]]
        others = sorted((code for code in shown if code not in hidden), key=lambda code: rows[code]["clients"])
        if len(hidden) == 1 and others and totals.get(name) is not None:
            shown[others[0]]["withheld"].append(name)  # the rate does not add up across tiers: it may stay
    for row in shown.values():
        row["withheld"] = [name for name in ("days_at_risk", "per_100_years_at_risk", "cost_gbp")
                           if name in row["withheld"]]
        row.update(dict.fromkeys(row["withheld"]))


def _tier_windows(windows: dict[str, Window], total: Window) -> dict[str, dict]:
    """Windows by cohort tier: each count column protected as a breakdown adding up to the total
    shown (counts of 1 to 4 "<5", the cells that would give them back withheld), and the figures that
    would give a hidden count back withheld (null, and named in `withheld`)."""
    rows = {code or NOT_SET: window.as_json() for code, window in windows.items()}
    counts = protect_columns(rows, WINDOW_COUNTS)
    shown = {code: rows[code] | counts[code] for code in rows}
    _withhold(shown, rows, total.as_json())
    return shown


def _tier_change(before: dict, after: dict, change: Decimal) -> str | None:
    return None if "cost_gbp" in before["withheld"] + after["withheld"] else money(change)


GROUP_COUNTS = ("clients", "not_yet_a_year")


def _adoptions(reoffending: Reoffending, adopted_in: FinancialYear) -> dict:
    """The before-and-after figures for the year's adoptions, in all and by tier. One table of counts
    by tier is protected at once: a tier's clients are those followed plus those not yet a year, so
    hiding one of the three hides all of them."""
    groups = {code or NOT_SET: group for code, group in reoffending.by["tier"].items()}
    rows = {code: {"clients": group.clients, "not_yet_a_year": group.not_yet_a_year,
                   **{f"{side}.{name}": value for side in ("before", "after")
                      for name, value in getattr(group, side).as_json().items() if name in WINDOW_COUNTS}}
            for code, group in groups.items()}
    columns = (*GROUP_COUNTS, *[f"{side}.{name}" for side in ("before", "after") for name in WINDOW_COUNTS])
    counts = protect_columns(rows, columns, linked=(("clients", "not_yet_a_year", "before.clients",
                                                     "after.clients"),))
    windows = {}
    for side in ("before", "after"):
        raw = {code: getattr(group, side).as_json() for code, group in groups.items()}
        shown = {code: raw[code] | {name: counts[code][f"{side}.{name}"] for name in WINDOW_COUNTS} for code in raw}
        _withhold(shown, raw, getattr(reoffending, side).as_json())
        windows[side] = shown
    by_tier = {code: {"clients": counts[code]["clients"], "not_yet_a_year": counts[code]["not_yet_a_year"],
                      "before": windows["before"][code], "after": windows["after"][code],
                      "change_in_cost_gbp": _tier_change(windows["before"][code], windows["after"][code],
                                                         group.change_in_cost_gbp)}
               for code, group in groups.items()}
    return {"financial_year": adopted_in.label, "from": reoffending.first.isoformat(),
            "to": reoffending.last.isoformat(), "clients": reoffending.clients,
            "not_yet_a_year": reoffending.not_yet_a_year, "before": reoffending.before.as_json(),
            "after": reoffending.after.as_json(), "change_in_cost_gbp": money(reoffending.all.change_in_cost_gbp),
            "by_tier": by_tier}


def _offending(adoptions: Reoffending, adopted_in: FinancialYear, in_year, identifiers: Identifiers) -> dict:
    year = in_year.all.as_json()
    return {
        "adoptions": _adoptions(adoptions, adopted_in),
        "in_year": year | {"by_tier": _tier_windows(in_year.by_tier, in_year.all)},
        "unit_costs": [{"offence_type": code, "cost_gbp": money(cost.cost_gbp),
                        "price_year": identifiers.scrub(cost.price_year), "source": identifiers.scrub(cost.source),
                        "is_default": cost.is_default} for code, cost in in_year.unit_costs.items()],
        "caveats": OFFENDING_CAVEATS,
    }


def _cohort_value(value: CohortValue, identifiers: Identifiers) -> dict:
    """One adoption year's value for money on its cohort's offending, every input with its source."""
    reoffending, costs = value.reoffending, value.scheme_cost
    return {
        "financial_year": value.financial_year.label,
        "available": value.reason is None, "reason": value.reason,
        "clients": reoffending.clients, "not_yet_a_year": reoffending.not_yet_a_year, "counted": value.counted,
        "complete_on": value.complete_on.isoformat() if value.complete_on else None,
        "offences_before": reoffending.before.offences, "offences_after": reoffending.after.offences,
        "fall_in_offences": value.fall_in_offences,
        "cost_of_crime_before_gbp": money(reoffending.before.cost_gbp),
        "cost_of_crime_after_gbp": money(reoffending.after.cost_gbp),
        "fall_in_cost_of_crime_gbp": money(value.fall_in_cost_gbp),
        "uncosted_offences": value.uncosted_offences,
        "support_payments_gbp": money(value.payments_gbp), "support_payments_count": value.payments_count,
        "support_payments_source": PAYMENTS_SOURCE,
        "staff_costs_gbp": money(costs.staff_costs_gbp) if costs else None,
        "other_costs_gbp": money(costs.other_costs_gbp) if costs else None,
        "costs_source": identifiers.scrub(costs.source) if costs else None,
        "scheme_cost_gbp": money(value.scheme_cost_gbp),
        "net_gbp": money(value.net_gbp),
        "break_even_fall_in_cost_gbp": money(value.scheme_cost_gbp),
        "average_offence_cost_gbp": money(value.average_offence_cost_gbp),
        "break_even_offences": value.break_even_offences,
    }


def _by_purpose(by_purpose: dict) -> dict:
    """Approved payments by purpose: the counts protected as a breakdown adding up to the year's payments."""
    counts = protect({code: row["count"] for code, row in by_purpose.items()})
    return {code: {"count": counts[code], "total_gbp": money(row["total_gbp"])} for code, row in by_purpose.items()}


# The cases with no recent update, counted by how long: the PDF shows these counts and the longest few
# (a list of every one grows with the caseload); the JSON, the spreadsheet and the page list them all.
STALE_BANDS = {"90_to_179": (annual.STALE_AFTER_DAYS, 179), "180_to_364": (180, 364), "365_to_729": (365, 729),
               "730_or_more": (730, None)}


def _stale_by_days(stale: list[tuple[int, int]]) -> dict[str, int]:
    return {code: sum(1 for _, days in stale if low <= days and (high is None or days <= high))
            for code, (low, high) in STALE_BANDS.items()}


def build_pack(financial_year: FinancialYear, *, today: date | None = None) -> dict:
    """The whole pack for a financial year."""
    first, last = financial_year.first_day, financial_year.last_day
    today = today or today_in_london()
    months = monthly.year_figures(financial_year)
    payments = monthly.payments(financial_year)
    alcohol = monthly.alcohol_related(financial_year)
    flow = annual.scheme_flow(financial_year)
    cohort = annual.cohort(financial_year)
    custody = annual.custody(financial_year)
    referral_details = annual.referral_details(financial_year)
    payment_details = annual.payment_details(financial_year)
    watch = annual.watch_flow(financial_year)
    quality = annual.data_quality(financial_year, today=today)
    identifiers = Identifiers.from_database()
    pseudonyms = Pseudonyms(financial_year.label, [client_id for client_id, _ in quality["stale"]])
    ended = [month for month in months if has_ended(month.month, today)]
    recorded_sac = [m.serious_acquisitive_crimes for m in ended if m.serious_acquisitive_crimes is not None]
    # offending: the adoptions of the year before, whose year after adoption ends within this one, and this
    # year's own (still being followed); value for money on each, with its adoption year's costs
    previous = financial_year.shifted(-1)
    adoptions = {year: before_and_after(year.first_day, year.last_day, today=today) for year in (previous,
                                                                                                  financial_year)}
    positions = year_positions([previous, financial_year])
    values = [cohort_value_for_money(year, today=today, reoffending=adoptions[year], payments=positions[year])
              for year in (previous, financial_year)]

    headline_referrals = monthly.referrals(financial_year)
    pack = {
        # the contract's keys, first and in its order
        "financial_year": financial_year.label,
        "pseudonymised": True,
        "minimum_cohort": months[-1].minimum,
        "months": [_month(month, today) for month in months],
        "months_minimum_met": sum(1 for month in ended if month.minimum_met),
        "months_ended": len(ended),
        "payments": {"count": payments["count"], "total_gbp": money(payments["total_gbp"]),
                     "budget_gbp": money(payments["budget_gbp"])},
        "referrals": headline_referrals,
        "alcohol_related": alcohol,
        # more
        "title": f"{TITLE} {financial_year}",
        "first_day": first.isoformat(),
        "last_day": last.isoformat(),
        "produced_on": today.isoformat(),
        "year_complete": today > last,
        "counted_strands": list(months[-1].counted_strands),
        "serious_acquisitive_crimes": {"total": sum(recorded_sac), "months_recorded": len(recorded_sac)},
        "alcohol_related_percent": _percent(alcohol["clients"], alcohol["of"]),
        "average_in_custody_or_remand": _average([m.in_custody_or_remand for m in ended]),
        "scheme_flow": flow | {"left_by_reason": protect(flow["left_by_reason"])},
        "cohort": {"clients": cohort["clients"], "ages_taken_on": cohort["ages_taken_on"].isoformat(),
                   "by_age_band": protect(cohort["by_age_band"]),
                   "by_programme": protect(cohort["by_programme"]),
                   # the contract's alcohol_related.clients is this breakdown's "yes", shown as a headline
                   "by_alcohol_related": protect(cohort["by_alcohol_related"], published=("yes",))},
        "custody": custody,
        "referral_details": {
            kind: {
                "closed": details["closed"],
                # the contract's referrals.<kind>.completed is this breakdown's "completed", a headline
                "closed_by_status": protect(details["closed_by_status"],
                                            published=("completed",) if kind in headline_referrals else ()),
                "median_days_to_close": details["median_days_to_close"],
                "outcomes": protect(details["outcomes"]),
                **({"duty_to_refer": {"made": details["duty_to_refer"]["made"],
                                      "outcomes": protect(details["duty_to_refer"]["outcomes"])}}
                   if "duty_to_refer" in details else {}),
            } for kind, details in referral_details.items()},
        "payment_details": {
            "remaining_gbp": money(payments["budget_gbp"] - payments["total_gbp"]),
            "clients_helped": payment_details["clients_helped"],
            "awaiting_decision": payment_details["awaiting_decision"],
            "rejected": payment_details["rejected"],
            "by_purpose": _by_purpose(payment_details["by_purpose"]),
            "achieved": protect(payment_details["achieved"]),
        },
        "watch_list": watch | {"closed_other_by_outcome": protect(watch["closed_other_by_outcome"])},
        "self_assessment": _self_assessment(financial_year, identifiers),
        "offending": _offending(adoptions[previous], previous, offending_in_year(financial_year), identifiers),
        "cohort_value_for_money": {
            "label": COHORT_VALUE,
            "years": [_cohort_value(value, identifiers) for value in values],
        },
        "value_for_money": _value_for_money(financial_year, months, identifiers, today),
        "data_quality": {
            "checked_on": quality["checked_on"].isoformat(),
            "open_cases": quality["open_cases"],
            "stale_after_days": quality["stale_after_days"],
            "cases_with_no_update": len(quality["stale"]),
            "stale_cases": [{"client": pseudonyms(client_id), "days_since_update": days}
                            for client_id, days in quality["stale"]],
            "stale_by_days": _stale_by_days(quality["stale"]),
            "clients_checked": quality["clients_checked"],
            "missing": quality["missing"],
        },
        "disclosure_control": {
            "small_count_marker": SMALL_COUNT,
            "rule": "In breakdowns by age band, programme, exit reason, outcome, purpose, cohort tier or any other "
                    "personal attribute, counts of 1 to 4 are shown as \"<5\". Headline totals are not suppressed.",
            "secondary_marker": SECONDARY,
            "secondary": f"Where a breakdown's total, less the counts shown, would give a \"<5\" back, the next "
                         f"smallest counts are withheld too and shown as \"{SECONDARY}\" (it may be any number, 0 "
                         "included), so that no count of 1 to 4 can be worked out by subtraction. Counts the pack "
                         "shows as headline figures (clients with alcohol-related offending, referrals completed) "
                         "are shown in their breakdowns too.",
            "withheld": "In the offending figures by cohort tier, a figure that would give a \"<5\" count back is "
                        "withheld: the days at risk where the clients are fewer than 5, the rate per 100 years at "
                        "risk and the cost of crime where the clients or the offences are.",
            "pseudonyms": "Clients appear only in the data-quality list, as pseudonyms (P- and 10 characters) "
                          "made with a keyed hash: the same within this year's pack, different in other years.",
        },
    }
    return pack


def month_labels(pack: dict) -> list[str]:
    """Month names for charts and tables, kept on one line: Apr 2011 ... Mar 2012 (a no-break space)."""
    return [date.fromisoformat(month["month"] + "-01").strftime("%b\u00a0%Y") for month in pack["months"]]

