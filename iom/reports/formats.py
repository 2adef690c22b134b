"""The pack written out: JSON (the contract), CSV (the monthly table), XLSX (a sheet per section,
each a real Excel table) and PDF (the web page's template, printed by WeasyPrint, tagged PDF/UA-1).
Every writer takes the dict from pack.build_pack and returns bytes."""
import csv
import io
import json
import re
from datetime import date, datetime, time
from decimal import Decimal

from flask import current_app

from iom.clock import uk_date
from iom.csv_cells import csv_cell
from iom.money import gbp
from iom.reports import charts, reviews
from iom.reports.disclosure import SECONDARY, SMALL_COUNT
from iom.reports.pack import SECTIONS, labels, month_labels

FORMATS = {
    "json": ("application/json", "json", "JSON"),
    "csv": ("text/csv; charset=utf-8", "csv", "CSV"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", "Excel"),
    "pdf": ("application/pdf", "pdf", "PDF"),
}
MONTH_COLUMNS = ("month", "on_scheme", "counted_for_minimum", "in_custody_or_remand", "minimum", "minimum_met",
                 "serious_acquisitive_crimes", "clients_per_sac", "sac_per_10_clients", "status",
                 # added after the rest, so a reader that goes by position keeps working
                 "cohort_serious_acquisitive_offences", "cohort_share_of_sac_percent")


def file_name(pack: dict, fmt: str) -> str:
    return f"iom-annual-review-{pack['financial_year']}.{FORMATS[fmt][1]}"


def write(pack: dict, fmt: str) -> bytes:
    return {"json": as_json, "csv": as_csv, "xlsx": as_xlsx, "pdf": as_pdf}[fmt](pack)


# --- JSON and CSV -----------------------------------------------------------------------------

def as_json(pack: dict) -> bytes:
    return (json.dumps(pack, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def as_csv(pack: dict) -> bytes:
    """The twelve months, one row each, headed by the JSON keys; UTF-8 with a byte-order mark."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(MONTH_COLUMNS)
    for month in pack["months"]:
        writer.writerow([csv_cell(month.get(column)) for column in MONTH_COLUMNS])
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")


# --- XLSX -------------------------------------------------------------------------------------

def _count_rows(counts: dict, names: dict) -> list[list]:
    return [[names.get(code, code.replace("_", " ").capitalize()), value] for code, value in counts.items()]


def _so_far(month: dict, name: str):
    """A month's figure, or the words "Not yet ended" where the month has no figures yet."""
    return month[name] if month["has_ended"] else "Not yet ended"


def sheets(pack: dict) -> list[tuple[str, list[tuple[str, str, list[tuple[str, str]], list[list]]]]]:
    """[(sheet name, [(table name, caption, [(header, kind)], rows)])]; kind is text, count, money or yes/no."""
    names = labels()
    months = pack["months"]
    flow, cohort, custody = pack["scheme_flow"], pack["cohort"], pack["custody"]
    pay, details = pack["payments"], pack["payment_details"]
    watch, vfm, quality = pack["watch_list"], pack["value_for_money"], pack["data_quality"]
    measure = [("Measure", "text"), ("Value", "count")]
    result = [
        ("Summary", [("Summary", f"{pack['title']}: summary", [("Item", "text"), ("Value", "text")], [
            ["Financial year", pack["financial_year"]],
            ["From", _date(pack["first_day"])], ["To", _date(pack["last_day"])],
            ["Pseudonymised", "Yes"],
            ["Minimum cohort (in force in the year's last month)", pack["minimum_cohort"]],
            ["Months ended", pack["months_ended"]],
            ["Months the minimum was met (of the months ended)", pack["months_minimum_met"]],
            ["Support payments", pay["count"]],
            ["Support payments total (£)", Decimal(pay["total_gbp"])],
            ["Support budget (£)", Decimal(pay["budget_gbp"])],
            ["Clients with alcohol-related offending", pack["alcohol_related"]["clients"]],
            ["Clients on the scheme during the year", pack["alcohol_related"]["of"]],
            ["Serious acquisitive crimes recorded in the months ended", pack["serious_acquisitive_crimes"]["total"]],
            ["Produced on", _date(pack["produced_on"])],
            ["Year complete", "Yes" if pack["year_complete"] else "No: figures so far"],
        ])]),
        ("Months", [("Months", "The twelve months", [
            ("Month", "month"), ("On the scheme", "count"), ("Counted for the minimum", "count"),
            ("In custody or on remand", "count"), ("Minimum", "count"), ("Minimum met", "yes/no"),
            ("Serious acquisitive crimes", "count"), ("Serious acquisitive crimes for every 10 clients", "decimal"),
            ("Month ended", "text"), ("Serious acquisitive offences by clients on the scheme", "count"),
            ("Clients' share of the area's crimes (%)", "decimal")],
            [[_date(m["month"] + "-01"),
              *[_so_far(m, name) for name in ("on_scheme", "counted_for_minimum", "in_custody_or_remand")],
              m["minimum"], _so_far(m, "minimum_met"), m["serious_acquisitive_crimes"],
              _so_far(m, "sac_per_10_clients"), "Yes" if m["has_ended"] else "No: not yet ended",
              _so_far(m, "cohort_serious_acquisitive_offences"), _so_far(m, "cohort_share_of_sac_percent")]
             for m in months])]),
        ("Scheme flow", [
            ("SchemeFlow", "Scheme flow", measure, [
                ["On the scheme on the first day", flow["on_scheme_at_start"]],
                ["On the scheme on the last day", flow["on_scheme_at_end"]],
                ["On the scheme at some time in the year", flow["on_scheme_during_year"]],
                ["Adoptions", flow["adopted"]], ["New to the scheme", flow["new_to_scheme"]],
                ["Re-adopted", flow["re_adopted"]], ["Left the scheme", flow["left"]]]),
            ("LeftByReason", "Left the scheme, by reason", [("Reason", "text"), ("Clients", "count")],
             _count_rows(flow["left_by_reason"], names["exit_reasons"])),
        ]),
        ("Cohort", [
            ("AgeBands", f"Clients on the scheme in the year, by age on {cohort['ages_taken_on']}",
             [("Age band", "text"), ("Clients", "count")], _count_rows(cohort["by_age_band"], names["age_bands"])),
            ("Programmes", "Clients on the scheme in the year, by programme of origin",
             [("Programme", "text"), ("Clients", "count")], _count_rows(cohort["by_programme"], names["programmes"])),
            ("Alcohol", "Clients on the scheme in the year, by alcohol-related offending",
             [("Alcohol-related", "text"), ("Clients", "count")],
             _count_rows(cohort["by_alcohol_related"], names["alcohol"])),
        ]),
        ("Custody", [("Custody", "Custody and remand while on the scheme", measure, [
            ["In custody or on remand on the first day", custody["in_custody_or_remand_at_start"]],
            ["In custody or on remand on the last day", custody["in_custody_or_remand_at_end"]],
            ["Average in custody or on remand at the ends of the months ended", pack["average_in_custody_or_remand"]],
            ["Remands started", custody["remands_started"]],
            ["Custody started", custody["custody_started"]],
            ["Releases to the community", custody["releases"]],
            ["Clients in custody or on remand at some time", custody["clients_in_custody_or_remand"]],
            ["Days in custody or on remand (all clients)", custody["days_in_custody_or_remand"]]])]),
    ]
    referral_tables = []
    for kind, label in names["referral_kinds"].items():
        summary, detail = pack["referrals"][kind], pack["referral_details"][kind]
        table = kind.title().replace("_", "")
        referral_tables.append((f"{table}Referrals", f"{label} referrals", measure, [
            ["Made", summary["made"]], ["Completed", summary["completed"]],
            ["Open at the year end", summary["open_at_year_end"]], ["Closed in the year", detail["closed"]],
            ["Median days to close", detail["median_days_to_close"]],
            *[[f"Closed: {names['referral_statuses'][status].lower()}", count]
              for status, count in detail["closed_by_status"].items()]]))
        referral_tables.append((f"{table}Outcomes", f"{label} referrals closed in the year, by outcome",
                                [("Outcome", "text"), ("Referrals", "count")],
                                _count_rows(detail["outcomes"], names["referral_outcomes"][kind])))
        if "duty_to_refer" in detail:
            duty = detail["duty_to_refer"]
            referral_tables.append(("DutyToRefer", f"Duty to Refer referrals made in the year: {duty['made']}",
                                    [("Outcome", "text"), ("Referrals", "count")],
                                    _count_rows(duty["outcomes"], names["duty_to_refer_outcomes"])))
    result.append(("Referrals", referral_tables))
    result.append(("Payments", [
        ("Payments", "Support payments", [("Measure", "text"), ("Value", "money")], [
            ["Payments approved", pay["count"]], ["Total (£)", Decimal(pay["total_gbp"])],
            ["Budget (£)", Decimal(pay["budget_gbp"])], ["Left in the budget (£)", Decimal(details["remaining_gbp"])],
            ["Clients helped", details["clients_helped"]], ["Requests awaiting a decision", details["awaiting_decision"]],
            ["Requests rejected", details["rejected"]]]),
        ("PaymentPurposes", "Approved payments by purpose",
         [("Purpose", "text"), ("Payments", "count"), ("Total (£)", "money")],
         [[names["purposes"].get(code, code), row["count"], Decimal(row["total_gbp"])]
          for code, row in details["by_purpose"].items()]),
        ("PaymentResults", "Approved payments by what they achieved", [("Result", "text"), ("Payments", "count")],
         _count_rows(details["achieved"], names["achievements"])),
    ]))
    result.append(("Watch list", [
        ("WatchList", "Watch list", measure, [
            ["Open on the first day", watch["open_at_start"]], ["Added", watch["added"]],
            ["Adopted onto the scheme", watch["adopted"]], ["Closed otherwise", watch["closed_other"]],
            ["Open on the last day", watch["open_at_end"]]]),
        ("WatchClosed", "Watch list entries closed otherwise, by outcome", [("Outcome", "text"), ("Entries", "count")],
         _count_rows(watch["closed_other_by_outcome"], names["watch_outcomes"])),
    ]))
    assessment = pack["self_assessment"]
    result.append(("Self-assessment", [("SelfAssessment", f"Self-assessment: {assessment['answered']} of "
                                        f"{assessment['questions']} questions answered",
                                        [("Principle", "text"), ("Question", "text"), ("Rating", "text"),
                                         ("Evidence", "text")],
                                        [[item["principle"], item["question"], item["rating_label"],
                                          item["evidence"]] for item in assessment["items"]])]))
    result += _offending_sheets(pack, names)
    baseline = vfm["baseline"] or {}
    result.append(("Area-wide estimate", [
        ("ValueForMoney", vfm["label"], [("Measure", "text"), ("Value", "text")], [
            ["This is an estimate", "Yes"],
            ["Estimate made", "Yes" if vfm["available"] else f"No: {vfm['reason']}"],
            ["Baseline", f"{baseline['from']} to {baseline['to']}" if baseline else "Not set"],
            ["Baseline months with a count", baseline.get("months_recorded")],
            ["Baseline average SAC a month", _number(baseline.get("average_sac_per_month"))],
            ["Year's months counted (ended, with a count)", vfm["year"]["months_recorded"]],
            ["Months counted and left out", vfm["year"]["months_counted_note"]],
            ["SAC recorded in the months counted", vfm["year"]["sac_total"]],
            ["Average SAC a month counted", _number(vfm["year"]["average_sac_per_month"])],
            ["Expected SAC at the baseline rate", _number(vfm["expected_sac_at_baseline_rate"])],
            ["Crimes avoided (negative: more crimes)", _number(vfm["crimes_avoided"])],
            ["Shares set (%)", _number(vfm["shares_total_percent"])],
            ["Weighted unit cost (£)", _number(vfm["weighted_unit_cost_gbp"])],
            ["Estimated value (£)", _number(vfm["estimated_value_gbp"])],
            ["Price years", ", ".join(vfm["price_years"])]]),
        ("UnitCosts", "Unit costs", [("Crime type", "text"), ("Cost (£)", "money"), ("Share (%)", "decimal"),
                                     ("Source", "text"), ("Price year", "text")],
         [[cost["crime_type"], Decimal(cost["cost_gbp"]), cost["share_percent"], cost["source"], cost["price_year"]]
          for cost in vfm["unit_costs"]]),
    ]))
    result.append(("Data quality", [
        ("DataQuality", f"Data quality, checked on {quality['checked_on']}", measure, [
            ["Open cases", quality["open_cases"]],
            [f"Cases with no update in {quality['stale_after_days']} days or more", quality["cases_with_no_update"]],
            *[[f"of which {names['stale_bands'][code]} since an update", count]
              for code, count in quality["stale_by_days"].items()],
            *[[names["missing"][code], count] for code, count in quality["missing"].items()]]),
        ("StaleCases", "Cases with no update (pseudonymised)", [("Client", "text"), ("Days since an update", "count")],
         [[case["client"], case["days_since_update"]] for case in quality["stale_cases"]]),
    ]))
    review = pack.get("review")
    if review:
        status = (f"Final: version {review['version']}, signed off on {review['signed_off_on']}"
                  if review["is_final"] else f"Draft: version {review['version']}, not yet signed off")
        result.append(("Review", [
            ("ReviewAbout", "The outside reviewer's review", [("Item", "text"), ("Value", "text")], [
                ["Reviewed by", review["organisation"] or "Not yet given"], ["Status", status],
                ["Signed off by", review["signed_off_by"] or ""]]),
            ("ReviewSections", "The review's sections, in the reviewer's order, with their words",
             [("Order", "count"), ("Section", "text"), ("Findings", "text"), ("Recommendations", "text")],
             [[number, item["title"], item["findings"], item["recommendations"]]
              for number, item in enumerate(review["sections"], start=1)]),
            ("ReviewQuestions", "Questions raised by the reviewer and the IOM manager's answers",
             [("Section", "text"), ("Question", "text"), ("Asked on", "date"), ("Answer", "text"),
              ("Answered on", "date")],
             [[item["section_title"] or "The whole review", item["question"], _date(item["asked_on"]),
               item["answer"] or "Not yet answered", _date(item["answered_on"])] for item in review["questions"]]),
        ]))
    control = pack["disclosure_control"]
    result.append(("About", [("About", "About this pack", [("Topic", "text"), ("Note", "text")], [
        ["Pseudonymised", control["pseudonyms"]], ["Small counts", control["rule"]],
        ["Offending", " ".join(pack["offending"]["caveats"])],
        ["Value for money on the cohort's own offending", "The fall in the cost of crime of a year's adoptions, "
         "before and after adoption, against what the scheme cost that year (support payments, staff and other "
         "costs). The whole scheme's costs against one year's adoptions: it errs against the scheme."],
        [vfm["label"], "An estimate only: crimes avoided against the baseline rate times a weighted unit cost."],
    ])]))
    return result


def _tier_cell(window: dict, name: str):
    """A figure by tier: the words "Withheld" where it would give a "<5" count back."""
    return "Withheld" if name in window["withheld"] else window[name]


def _offending_sheets(pack: dict, names: dict) -> list:
    """The offending section and the value for money on it, each a sheet of Excel tables."""
    offending, value = pack["offending"], pack["cohort_value_for_money"]
    adoptions, in_year = offending["adoptions"], offending["in_year"]
    measures = names["offending_measures"]
    tier = names["tiers"]
    adopted = f"Clients adopted in {adoptions['financial_year']}"
    years = value["years"]
    return [
        ("Offending", [
            ("AdoptionsBeforeAfter", f"{adopted}: the year before and the year after adoption",
             [("Measure", "text"), ("Year before", "count"), ("Year after", "count")],
             [[label, adoptions["before"][name], adoptions["after"][name]] for name, label in measures.items()]
             + [["Change in the cost of crime (after less before)", adoptions["change_in_cost_gbp"], None]]),
            ("AdoptionsByTier", f"{adopted}, by cohort tier",
             [("Tier", "text"), ("Clients", "count"), ("Offences before", "count"), ("Offences after", "count"),
              ("Per 100 years at risk before", "decimal"), ("Per 100 years at risk after", "decimal"),
              ("Cost of crime before (£)", "money"), ("Cost of crime after (£)", "money")],
             [[tier.get(code, code), row["clients"], row["before"]["offences"], row["after"]["offences"],
               *[_tier_cell(row[side], name) for name in ("per_100_years_at_risk", "cost_gbp")
                 for side in ("before", "after")]] for code, row in adoptions["by_tier"].items()]),
            ("OffendingInYear", f"Offending in {pack['financial_year']} while on the scheme",
             [("Measure", "text"), ("In the year", "count")],
             [[label, in_year[name]] for name, label in measures.items()]),
            ("OffendingInYearByTier", f"Offending in {pack['financial_year']} while on the scheme, by cohort tier",
             [("Tier", "text"), ("Clients", "count"), ("Offences", "count"), ("Days at risk", "count"),
              ("Per 100 years at risk", "decimal"), ("Cost of crime (£)", "money")],
             [[tier.get(code, code), row["clients"], row["offences"],
               *[_tier_cell(row, name) for name in ("days_at_risk", "per_100_years_at_risk", "cost_gbp")]]
              for code, row in in_year["by_tier"].items()]),
            ("OffenceUnitCosts", "The cost of one offence of each type",
             [("Offence type", "text"), ("Cost of one offence (£)", "money"), ("Price year", "text"),
              ("Source", "text"), ("Published figure", "yes/no")],
             [[names["offence_types"].get(cost["offence_type"], cost["offence_type"]), cost["cost_gbp"],
               cost["price_year"], cost["source"], cost["is_default"]] for cost in offending["unit_costs"]]),
        ]),
        ("Cohort value for money", [
            ("CohortValueOffending", f"{value['label']}: the cohorts",
             [("Measure", "text"), *[(f"Adopted in {year['financial_year']}", "count") for year in years]],
             [[label, *[year[name] for year in years]] for name, label in (
                 ("clients", "Clients adopted in the year"),
                 ("not_yet_a_year", "Left out: not yet a full year since adoption"),
                 ("offences_before", "Offences in the year before adoption"),
                 ("offences_after", "Offences in the year after adoption"),
                 ("fall_in_offences", "Fall in offences (negative: a rise)"),
                 ("uncosted_offences", "Offences of a type with no cost of crime (counted at £0.00)"),
                 ("break_even_offences", "Break-even in offences: fewer offences needed at the average cost"))]
             + [["Net figure worked out", *[("Yes" if year["available"] else f"No: {year['reason']}")
                                            for year in years]],
                ["Complete from", *[_date(year["complete_on"]) if year["complete_on"] else "Complete"
                                    for year in years]],
                ["Where the staff and other costs come from", *[year["costs_source"] or "Not entered"
                                                                 for year in years]]]),
            ("CohortValueCosts", f"{value['label']}: costs (£)",
             [("Measure", "text"), *[(f"Adopted in {year['financial_year']}", "money") for year in years],
              ("Where it comes from", "text")],
             [[label, *[year[name] for year in years], source] for name, label, source in (
                 ("cost_of_crime_before_gbp", "Cost of crime, year before", "Each offence at its type's cost"),
                 ("cost_of_crime_after_gbp", "Cost of crime, year after", "Each offence at its type's cost"),
                 ("fall_in_cost_of_crime_gbp", "Fall in the cost of crime (negative: a rise)",
                  "Year before less year after"),
                 ("support_payments_gbp", "Support payments approved in the year", years[0]["support_payments_source"]),
                 ("staff_costs_gbp", "Staff costs", "Entered by the partnership for the year"),
                 ("other_costs_gbp", "Other costs", "Entered by the partnership for the year"),
                 ("scheme_cost_gbp", "What the scheme cost", "Support payments, staff and other costs"),
                 ("net_gbp", "Net: the fall in the cost of crime less what the scheme cost",
                  "Positive: the scheme paid for itself"),
                 ("break_even_fall_in_cost_gbp", "Break-even: the fall in the cost of crime needed",
                  "What the scheme cost"),
                 ("average_offence_cost_gbp", "Average cost of an offence before adoption",
                  "Cost of crime, year before, divided by its offences"))]),
        ]),
    ]


NUMBER_TEXT = re.compile(r"^-?\d+(\.\d+)?$")
NUMBER_KINDS = ("count", "money", "decimal")
# Why a number cell is empty: its note (an Excel comment), so no words sit in a column of numbers.
EMPTY_BECAUSE = {
    SMALL_COUNT: "Withheld: a count of 1 to 4 (\"<5\" in the other formats), kept back so that nobody can be "
                 "identified.",
    SECONDARY: "Withheld (\"[c]\" in the other formats) so that a count of 1 to 4 cannot be worked out from the "
               "total and the other counts. It may be any number, 0 included.",
    "Withheld": "Withheld: with the counts beside it, this figure would give a count of 1 to 4 back.",
    "Not yet ended": "Not yet ended: a month's figures are taken on its last day.",
}
DATE_FORMATS = {"date": "d mmmm yyyy", "month": "mmm yyyy"}


def _date(text: str | None):
    """An ISO date as a date, for a real date cell."""
    return date.fromisoformat(text) if text else None


def _number(text: str | None):
    """A computed figure kept as exact text in the pack ("12.50") as a number, for a real number cell."""
    return Decimal(text) if isinstance(text, str) and NUMBER_TEXT.match(text) else text


def as_xlsx(pack: dict) -> bytes:
    """A workbook with a sheet per section; every table a real Excel table (filterable, named)."""
    import xlsxwriter
    buffer = io.BytesIO()
    # Text stays text: nothing typed in the tracker can become a formula, a link or a number.
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_urls": False, "strings_to_numbers": False})
    workbook.set_properties({"title": pack["title"], "subject": "Pseudonymised end-of-year review",
                             "author": "", "company": "", "comments": "Pseudonymised: no client identifiers"})
    bold = workbook.add_format({"bold": True, "font_size": 13})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    formats = {"money": workbook.add_format({"num_format": "#,##0.00"}),
               "decimal": workbook.add_format({"num_format": "0.00"}),
               "date": workbook.add_format({"num_format": DATE_FORMATS["date"]}),
               "month": workbook.add_format({"num_format": DATE_FORMATS["month"]})}
    placed: dict[str, tuple[object, int]] = {}  # table name -> (its sheet, its header row)
    for sheet_name, tables in sheets(pack):
        sheet = workbook.add_worksheet(sheet_name[:31])
        row = 0
        widths: dict[int, int] = {}
        for table_name, caption, columns, rows in tables:
            sheet.write_string(row, 0, caption, bold)
            row += 1
            placed[table_name] = (sheet, row)
            data = rows or [["None"] + [None] * (len(columns) - 1)]
            for offset, values in enumerate(data, start=1):
                for col, ((_, kind), value) in enumerate(zip(columns, values)):
                    _write_cell(sheet, row + offset, col, value, kind, formats, wrap)
                    widths[col] = max(widths.get(col, 10), min(len(str(value or "")) + 2, 80))
            for col, (header, _) in enumerate(columns):
                widths[col] = max(widths.get(col, 10), len(header) + 4)
            sheet.add_table(row, 0, row + len(data), len(columns) - 1, {
                "name": table_name, "columns": [{"header": header} for header, _ in columns],
                "style": "Table Style Medium 2", "title": caption, "description": caption})
            row += len(data) + 3
        for col, width in widths.items():
            sheet.set_column(col, col, width)
    _month_charts(workbook, *placed["Months"])
    workbook.close()
    return buffer.getvalue()


def _month_charts(workbook, sheet, header: int) -> None:
    """Native Excel charts of the Months table beside it: clients counted for the minimum (columns)
    against the minimum (a line), and serious acquisitive crimes recorded. A month not yet ended has
    an empty cell, so no bar."""
    first, last = header + 1, header + 12
    name = sheet.get_name()
    months = [name, first, 0, last, 0]
    counted = workbook.add_chart({"type": "column"})
    counted.add_series({"name": charts.COUNTED_TITLE.split(",")[0], "categories": months,
                        "values": [name, first, 2, last, 2], "fill": {"color": "#1d70b8"}})
    minimum = workbook.add_chart({"type": "line"})
    minimum.add_series({"name": "Minimum", "categories": months, "values": [name, first, 4, last, 4],
                        "line": {"color": "#d4351c", "dash_type": "dash", "width": 2}})
    counted.combine(minimum)
    counted.set_title({"name": charts.COUNTED_TITLE})
    counted.set_x_axis({"name": "Month", "num_format": DATE_FORMATS["month"]})
    counted.set_y_axis({"name": "Clients", "min": 0})
    counted.set_legend({"position": "bottom"})
    sheet.insert_chart(header, 12, counted, {"x_scale": 1.4, "y_scale": 1.2})
    sac = workbook.add_chart({"type": "column"})
    sac.add_series({"name": "Serious acquisitive crimes", "categories": months,
                    "values": [name, first, 6, last, 6], "fill": {"color": "#505a5f"}})
    sac.set_title({"name": charts.SAC_TITLE})
    sac.set_x_axis({"name": "Month", "num_format": DATE_FORMATS["month"]})
    sac.set_y_axis({"name": "Crimes", "min": 0})
    sac.set_legend({"none": True})
    sheet.insert_chart(header + 20, 12, sac, {"x_scale": 1.4, "y_scale": 1.2})


def _write_cell(sheet, row: int, col: int, value, kind: str, formats: dict, wrap) -> None:
    """Numbers as numbers (money and decimals from their exact text), everything else as inert text."""
    if value is None:
        sheet.write_blank(row, col, None)
    elif isinstance(value, date):
        sheet.write_datetime(row, col, datetime.combine(value, time()), formats[kind if kind in DATE_FORMATS
                                                                                else "date"])
    elif kind in NUMBER_KINDS and isinstance(value, str) and value in EMPTY_BECAUSE:
        # no "<5" or "Withheld" in a column of numbers: the cell is empty, and its note says why
        sheet.write_blank(row, col, None, formats.get(kind))
        sheet.write_comment(row, col, EMPTY_BECAUSE[value], {"x_scale": 2, "y_scale": 1.5})
    elif isinstance(value, bool):
        sheet.write_string(row, col, "Yes" if value else "No")
    elif isinstance(value, (int, Decimal)):
        sheet.write_number(row, col, float(value) if isinstance(value, Decimal) else value, formats.get(kind))
    elif kind in ("money", "decimal", "count") and NUMBER_TEXT.match(str(value)):
        sheet.write_number(row, col, float(Decimal(value)), formats.get(kind))
    else:
        text = str(value)
        sheet.write_string(row, col, text, wrap if len(text) > 60 else None)


# --- PDF --------------------------------------------------------------------------------------

def pounds(value: str | None) -> str:
    """'1234.50' -> '£1,234.50'; a negative amount keeps its sign in front."""
    return "None" if value is None else gbp(Decimal(value))


def day(text: str | None) -> str:
    """'2011-04-01' -> '1 April 2011'."""
    return uk_date(date.fromisoformat(text)) if text else ""


EXTRA_SECTIONS = {  # in every report after the reviewer's sections: (heading, partial, anchor)
    "questions": ("Questions and answers", "_questions.html", "questions"),
    "definitions": ("Definitions and method", "_definitions.html", "definitions"),
}


def report_layout(pack: dict, *, everything: bool = False) -> list[dict]:
    """The sections as the report gives them: the reviewer's, in their order (all, in the pack's order,
    with no review), then data quality when they left it out, the reviewer's questions when there are
    any, and the definitions and method; numbered in that order. With `everything` (the web page),
    the sections the review leaves out follow, unnumbered, so the page still shows the whole pack."""
    review = pack.get("review")
    items = reviews.layout(review)
    extra = [] if any(item["code"] == "data_quality" for item in items) else ["data_quality"]
    extra += (["questions"] if review and review["questions"] else []) + ["definitions"]
    for code in extra:
        title, template, anchor = SECTIONS.get(code) or EXTRA_SECTIONS[code]
        items.append({"code": code, "title": title, "template": "reports/pack/" + template, "anchor": anchor,
                      "number": len(items) + 1, "words": None})
    if everything:
        shown = {item["code"] for item in items}
        items += [{"code": code, "title": title, "template": "reports/pack/" + template, "anchor": anchor,
                   "number": None, "words": None, "left_out": True}
                  for code, (title, template, anchor) in SECTIONS.items() if code not in shown]
    return items


# The PDF lists this many of the cases with no recent update (the longest without one), and counts
# them all by how long: laying out a row for each of thousands of cases took most of the PDF's time
# and memory, and made it grow faster than the caseload. The page, the JSON and the XLSX list every one.
PRINTED_STALE_CASES = 20


def template_context(pack: dict, *, printing: bool) -> dict:
    names = month_labels(pack)
    layout = report_layout(pack, everything=not printing)
    return {"pack": pack, "names": labels(), "month_names": names, "charts": charts.pack_charts(pack, names),
            "printing": printing, "pounds": pounds, "day": day, "layout": layout, "review": pack.get("review"),
            "listed_stale_cases": PRINTED_STALE_CASES if printing else None,
            "numbers": {item["anchor"]: item["number"] for item in layout if item["number"]},
            "review_words": {item["anchor"]: item["words"] for item in layout if item["words"]},
            "partnership": current_app.config.get("PARTNERSHIP_NAME") or "The partnership"}


def render_html(pack: dict, *, printing: bool = True) -> str:
    """The pack page's template rendered straight from the Jinja environment: no request needed."""
    template = current_app.jinja_env.get_template("reports/pack.html")
    return template.render(**template_context(pack, printing=printing))


def _refuse_every_url(url: str):
    """WeasyPrint fetches nothing: the page is self-contained, and nothing may leave the server."""
    raise ValueError(f"the review pack does not load {url}")


def as_pdf(pack: dict) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    class NoFetching(URLFetcher):
        def fetch(self, url, headers=None):
            _refuse_every_url(url)

    html = HTML(string=render_html(pack, printing=True), url_fetcher=NoFetching(), base_url=None)
    return html.write_pdf(pdf_variant="pdf/ua-1", pdf_identifier=f"iom-review-{pack['financial_year']}".encode())
