"""payments.csv: approved support payments, within each financial year's budget."""

from iom.imports.reading import Table
from iom.imports.validation.budgets import Budgets, budget_and_spending, budget_below_spending
from iom.imports.validation.cells import choice
from iom.imports.validation.collector import Checker, Parsed
from iom.imports.validation.dates import parse_date
from iom.imports.validation.money import parse_amount
from iom.money import gbp
from iom.payments.models import PURPOSES, purpose_from_words
from iom.payments.rules import budget_covers, goes_over_budget
from iom.years import FinancialYear

# The choices' cell parsers, made once: each remembers the texts it has read
PURPOSE_CATEGORY = choice(PURPOSES, "a purpose category")


def check_payments(checker: Checker, table: Table, known: set[str], budgets: Budgets) -> None:
    payments: list[tuple[Parsed, dict, FinancialYear]] = []
    for row in checker.rows(table):
        parsed = checker.person_row(table, row, known)
        checker.cell(table, parsed, "paid_on", parse_date, required=True)
        checker.cell(table, parsed, "amount_gbp", lambda text: parse_amount(text, allow_zero=False), required=True)
        checker.cell(table, parsed, "purpose", required=True, max_length=10_000)
        checker.cell(table, parsed, "purpose_category", PURPOSE_CATEGORY)
        if parsed.failed:
            continue
        category, description = purpose_from_words(parsed.values["purpose"], parsed.values["purpose_category"])
        paid_on = parsed.values["paid_on"]
        year = FinancialYear.of(paid_on)
        payments.append((parsed, {
            "reference": parsed.values["reference"], "paid_on": paid_on,
            "amount_gbp": parsed.values["amount_gbp"], "financial_year": year.label,
            "purpose": category, "detail": description}, year))
    years = {year for _, _, year in payments} | set(budgets)
    limits = budget_and_spending(years, budgets)
    running = {year: spent for year, (_, spent) in limits.items()}
    crossed: dict[FinancialYear, Parsed] = {}
    for parsed, payment, year in payments:
        checker.plan.payments.append(payment)
        if year not in limits:
            continue    # the year's budget row is faulty: that fault is reported already
        if goes_over_budget(limits[year][0], running[year], payment["amount_gbp"]) and year not in crossed:
            crossed[year] = parsed
        running[year] += payment["amount_gbp"]
    for year, parsed in crossed.items():
        budget, spent = limits[year]
        already = f", counting {gbp(spent)} already paid in the database" if spent else ""
        checker.fault(table, parsed.row, "amount_gbp", f"payments in {year} come to {gbp(running[year])}{already}, "
                      f"over that year's budget of {gbp(budget)} by {gbp(running[year] - budget)}; this is the "
                      "payment that first goes over: take out or reduce payments, or raise the budget in "
                      "budgets.csv")
    for year, (amount, row) in budgets.items():
        if year in limits and year not in crossed and not budget_covers(*limits[year]):
            budget_below_spending(checker, year, row, *limits[year])
