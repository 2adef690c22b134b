"""Reads for payment pages and panels: a fixed number of queries whatever the number of payments.

Money is added up in Python as Decimal: SQLite's SUM would add in floating point."""
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from iom.extensions import db
from iom.payments.models import DEFAULT_BUDGET, PURPOSES, Budget, SupportPayment
from iom.years import FinancialYear

ZERO = Decimal("0.00")


def _saved_budgets(years) -> dict[FinancialYear, Decimal]:
    """The budgets a manager set for some years (a year nobody set is missing): one query."""
    by_label = {year.label: year for year in years}
    return {by_label[label]: amount for label, amount in db.session.execute(
        select(Budget.financial_year, Budget.amount_gbp).where(Budget.financial_year.in_(sorted(by_label))))}


def _approved(years) -> dict[FinancialYear, list[Decimal]]:
    """The approved payments' amounts in each of some years (by the date paid): one query."""
    by_label = {year.label: year for year in years}
    amounts = {year: [] for year in by_label.values()}
    for label, amount in db.session.execute(
            select(SupportPayment.financial_year, SupportPayment.amount_gbp)
            .where(SupportPayment.financial_year.in_(sorted(by_label)), SupportPayment.status == "approved")):
        amounts[by_label[label]].append(amount)
    return amounts


def budget_for(year: FinancialYear) -> Decimal:
    """The year's budget: the amount a manager set, else the default £1,000.00."""
    return _saved_budgets([year]).get(year, DEFAULT_BUDGET)


def approved_total(year: FinancialYear) -> Decimal:
    """What is already approved in a year, added up exactly (SQLite would sum in floating point)."""
    return sum(_approved([year])[year], ZERO)


def _with_people():
    return (joinedload(SupportPayment.requested_by), joinedload(SupportPayment.decided_by))


def for_client(client) -> list[SupportPayment]:
    """The client's support payments, newest first, for the client page panel: one query."""
    return list(db.session.scalars(
        select(SupportPayment).options(*_with_people())
        .where(SupportPayment.client_id == client.id)
        .order_by(SupportPayment.paid_on.desc(), SupportPayment.id.desc())))


def load_payment(payment_id: int) -> SupportPayment | None:
    """A payment with its client and the people who requested and decided it, fresh from the database."""
    return db.session.get(SupportPayment, payment_id, populate_existing=True,
                          options=[joinedload(SupportPayment.client), *_with_people()])


@dataclass
class LedgerLine:
    payment: SupportPayment
    balance: Decimal  # what is left in the budget after this payment


@dataclass
class PurposeTotal:
    purpose: str
    label: str
    count: int
    total: Decimal


@dataclass
class Ledger:
    financial_year: FinancialYear
    budget: Decimal
    budget_is_set: bool
    lines: list[LedgerLine] = field(default_factory=list)
    pending: list[SupportPayment] = field(default_factory=list)
    rejected: list[SupportPayment] = field(default_factory=list)

    @property
    def spent(self) -> Decimal:
        return sum((line.payment.amount_gbp for line in self.lines), ZERO)

    @property
    def left(self) -> Decimal:
        return self.budget - self.spent

    @property
    def pending_total(self) -> Decimal:
        return sum((payment.amount_gbp for payment in self.pending), ZERO)

    @property
    def by_purpose(self) -> list[PurposeTotal]:
        """Every purpose, in the order the form lists them, with the approved count and total."""
        totals = {purpose: PurposeTotal(purpose, label, 0, ZERO) for purpose, label in PURPOSES.items()}
        for line in self.lines:
            total = totals.setdefault(line.payment.purpose,
                                      PurposeTotal(line.payment.purpose, line.payment.purpose, 0, ZERO))
            total.count += 1
            total.total += line.payment.amount_gbp
        return list(totals.values())


def ledger(year: FinancialYear) -> Ledger:
    """A financial year's payments: approved in date order with the running balance, then the
    requests waiting for a decision and those rejected. Two queries."""
    budget = _saved_budgets([year]).get(year)
    payments = db.session.scalars(
        select(SupportPayment).options(joinedload(SupportPayment.client), *_with_people())
        .where(SupportPayment.financial_year == year.label)
        .order_by(SupportPayment.paid_on, SupportPayment.id)).all()
    result = Ledger(year, DEFAULT_BUDGET if budget is None else budget, budget is not None)
    balance = result.budget
    for payment in payments:
        if payment.status == "approved":
            balance -= payment.amount_gbp
            result.lines.append(LedgerLine(payment, balance))
        elif payment.status == "requested":
            result.pending.append(payment)
        else:
            result.rejected.append(payment)
    return result


@dataclass
class YearPosition:
    """A year's budget and its approved payments (the annual report's payment figures)."""

    financial_year: FinancialYear
    budget: Decimal
    approved: Decimal
    count: int = 0

    @property
    def left(self) -> Decimal:
        return self.budget - self.approved


def year_positions(years) -> dict[FinancialYear, YearPosition]:
    """Budget, approved and left for each of some financial years: two queries."""
    years = sorted(set(years))
    if not years:
        return {}
    budgets, approved = _saved_budgets(years), _approved(years)
    return {year: YearPosition(year, budgets.get(year, DEFAULT_BUDGET), sum(approved[year], ZERO),
                               len(approved[year])) for year in years}


def year_summary(year: FinancialYear) -> YearPosition:
    """Approved payments in a financial year (by the date paid): count, total and the budget."""
    return year_positions([year])[year]


def awaiting_decision() -> list[SupportPayment]:
    """Every request waiting for a manager, oldest request first: one query."""
    return list(db.session.scalars(
        select(SupportPayment).options(joinedload(SupportPayment.client), *_with_people())
        .where(SupportPayment.status == "requested")
        .order_by(SupportPayment.requested_at, SupportPayment.id)))


def budgets() -> list[Budget]:
    """Every budget set, newest year first."""
    return list(db.session.scalars(select(Budget).order_by(Budget.financial_year.desc())))
