"""budgets.csv: a financial year's budget for support payments, which must cover what is paid."""
from decimal import Decimal

from sqlalchemy import select

from iom.extensions import db
from iom.imports.reading import Row, Table
from iom.imports.validation.cells import shown
from iom.imports.validation.collector import Checker, Parsed
from iom.imports.validation.dates import parse_year
from iom.imports.validation.money import parse_amount
from iom.money import PENNY, gbp
from iom.payments.models import Budget
from iom.payments.operations import lock_budget
from iom.payments.queries import year_positions
from iom.payments.rules import budget_covers
from iom.years import FinancialYear

Budgets = dict[FinancialYear, tuple[Decimal | None, Row]]


def check_budgets(checker: Checker, table: Table) -> Budgets:
    """{financial year: (the budget in the file, or None when its row is faulty; its row)}."""
    years: Budgets = {}
    in_database = dict(db.session.execute(select(Budget.financial_year, Budget.amount_gbp)).tuples().all())
    for row in checker.rows(table):
        parsed = Parsed(row)
        year = checker.cell(table, parsed, "financial_year", parse_year, required=True)
        amount = checker.cell(table, parsed, "amount_gbp", lambda text: parse_amount(text, allow_zero=True),
                              required=True)
        if year is None:
            continue
        if year in years:
            checker.fault(table, row, "financial_year", f"{shown(row['financial_year'])} is also on row "
                          f"{years[year][1].number}: a year "
                          "has one budget, so keep one of the rows")
            continue
        years[year] = (amount, row)
        if amount is None:
            continue
        saved = in_database.get(year.label)
        if saved is not None and Decimal(saved).quantize(PENNY) != amount:
            checker.fault(table, row, "amount_gbp", f"the budget for {year} is already set to "
                          f"{gbp(Decimal(saved))} in the database: the import does not overwrite it, so change it "
                          "in the service or take this row out")
            years[year] = (None, row)
        elif saved is not None:
            checker.plan.unchanged["budgets"] += 1
        else:
            checker.plan.budgets.append({"financial_year": year.label, "amount_gbp": amount})
    return years


def budget_and_spending(years: set[FinancialYear], budgets: Budgets) -> dict[FinancialYear, tuple[Decimal, Decimal]]:
    """{year: (its budget, approved payments already in the database)} for the years to check.

    Takes each year's budget lock first (iom/payments/operations.py, as approvals do), held
    until the import commits or rolls back: nothing can spend from those years between this
    check and the writes. A year nobody set has no row and the £1,000.00 default."""
    for year in sorted(years):
        lock_budget(year)
    result = {}
    for year, position in year_positions(years).items():
        budget = budgets[year][0] if year in budgets else position.budget
        if budget is not None:
            result[year] = (Decimal(budget).quantize(PENNY), position.approved.quantize(PENNY))
    return result


def budget_below_spending(checker: Checker, year: FinancialYear, row: Row, budget: Decimal, spent: Decimal) -> None:
    checker.fault(checker.tables["budgets"], row, "amount_gbp", f"{year}'s budget of {gbp(budget)} is less than "
                  f"the {gbp(spent)} already paid that year in the database: the budget must cover what "
                  "has been paid")


def check_budgets_cover_spending(checker: Checker, budgets: Budgets) -> None:
    for year, (budget, spent) in budget_and_spending(set(budgets), budgets).items():
        if not budget_covers(budget, spent):
            budget_below_spending(checker, year, budgets[year][1], budget, spent)
