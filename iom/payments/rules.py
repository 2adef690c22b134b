"""The rules a year's budget keeps, whoever spends or sets it: the payment and budget pages
(through operations.py) and payments.csv and budgets.csv (the import) call these."""
from decimal import Decimal


def goes_over_budget(budget: Decimal, spent: Decimal, amount: Decimal) -> bool:
    """Paying `amount` on top of what is already `spent` would take the year past its budget."""
    return spent + amount > budget


def budget_covers(budget: Decimal, spent: Decimal) -> bool:
    """A year's budget is never less than what is already approved in it."""
    return budget >= spent
