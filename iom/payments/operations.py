"""Changes to support payments and budgets. Each checks its rule, changes the rows, writes the
audit entry and flushes; the caller commits once."""
import hashlib
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import text, update

from iom import audit
from iom.audit.models import AuditChainHead
from iom.auth.models import User
from iom.auth.permissions import MANAGER
from iom.clients.models import Client
from iom.clock import today_in_london, uk_date, utcnow
from iom.extensions import db
from iom.payments.models import ACHIEVEMENTS, PAYMENT_STATUSES, PURPOSES, Budget, SupportPayment
from iom.money import BUDGET_LIMIT, MoneyError, check_amount, gbp, money_text
from iom.payments.queries import approved_total, budget_for
from iom.payments.rules import budget_covers, goes_over_budget
from iom.rules import RuleBroken, StaleEdit, flush_or_stale
from iom.years import BUDGET_WORDING, BadPeriod, FinancialYear

TEXT_LIMIT = 2_000
# A request may be made ahead of the day the money is paid (a ticket for next week's interview).
FURTHEST_AHEAD = timedelta(days=365)


# --- the budget's lock -------------------------------------------------------------------------

def overspend_message(year: FinancialYear, left: Decimal, amount: Decimal) -> str:
    return f"{gbp(left)} is left in the {year} budget; this payment is {gbp(amount)}"


def _lock_key(year: FinancialYear) -> int:
    """A stable 63-bit number naming a year's budget lock."""
    return int(hashlib.sha256(f"iom budget {year}".encode()).hexdigest()[:15], 16)


def lock_budget(year: FinancialYear) -> Decimal:
    """Take the lock that serialises everything that spends or sets a year's budget; return the budget.

    PostgreSQL: a transaction-scoped advisory lock for the year. SQLite: a write (to the audit chain's
    head row, to itself) takes the database write lock. Either way a second manager approving at the
    same moment waits here until the first has committed, then sees their approval. Nothing is
    written for the year itself, so a budget nobody set stays "not set" (the £1,000.00 default).
    Anything else that writes approved payments (the import) takes it before its check too."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _lock_key(year)})
    else:
        head = AuditChainHead.__table__
        db.session.execute(update(head).where(head.c.id == 1).values(last_seq=head.c.last_seq))
    return budget_for(year)


# --- rules shared by the operations -----------------------------------------------------------

def _check_money(amount, *, field: str = "amount", **rules) -> Decimal:
    try:
        check_amount(amount, **rules)
    except MoneyError as error:
        raise RuleBroken(str(error), field) from error
    return amount


def _clean_text(value: str | None) -> str | None:
    return (value or "").strip() or None


def _check_version(payment: SupportPayment, version, what: str) -> None:
    if version is not None and str(version) != str(payment.version):
        raise StaleEdit(f"This payment was changed by someone else after you opened this page. {what} "
                        "Check what is saved now, then try again if it is still right.", [])


def _flush(payment: SupportPayment) -> None:
    """Flush; the version counter refuses an UPDATE that races another change to the same payment."""
    flush_or_stale("Someone else changed this payment at the same moment. Your change has not been saved. "
                   "Reload the page to see theirs.")


def _client_of(payment: SupportPayment) -> Client:
    return db.session.get(Client, payment.client_id)


def _check_decider(payment: SupportPayment, manager: User, verb: str) -> None:
    if manager is None or manager.role != MANAGER:
        raise RuleBroken(f"Only a manager can {verb} a support payment", "decision")
    if payment.requested_by_id == manager.id:
        raise RuleBroken(f"You cannot {verb} your own request. Another manager must decide it", "decision")


def _check_still_requested(payment: SupportPayment) -> None:
    """Read the status again (after any lock is held): someone may have decided it meanwhile."""
    db.session.refresh(payment, ["status", "version", "decided_by_id", "decided_at"])
    if payment.status != "requested":
        who = db.session.get(User, payment.decided_by_id) if payment.decided_by_id else None
        raise RuleBroken(f"This payment was already {PAYMENT_STATUSES[payment.status].lower()}"
                         f"{f' by {who.display_name}' if who else ''}"
                         f"{f' on {uk_date(payment.decided_at)}' if payment.decided_at else ''}", "decision")


# --- payments ---------------------------------------------------------------------------------

def request_payment(client: Client, *, amount: Decimal, paid_on: date, purpose: str, detail: str | None,
                    requested_by: User) -> SupportPayment:
    """An officer (or manager) asks for a payment for a client; a manager decides it later.

    purpose is the category; detail the purpose in the requester's words, needed for "other"."""
    _check_money(amount)
    if paid_on is None:
        raise RuleBroken("Enter date of the payment", "paid_on")
    if paid_on > today_in_london() + FURTHEST_AHEAD:
        raise RuleBroken("Date of the payment must be no more than a year from today", "paid_on")
    if purpose not in PURPOSES:
        raise RuleBroken("Select what the payment is for", "purpose")
    detail = _clean_text(detail)
    if detail is None and purpose == "other":
        raise RuleBroken("Enter what the payment is for", "detail")
    if detail is not None and len(detail) > TEXT_LIMIT:
        raise RuleBroken("Description must be 2,000 characters or fewer", "detail")
    year = FinancialYear.of(paid_on)
    # Only an approval spends the budget (and is checked under the lock); refusing a request that
    # could never be approved saves the manager a decision.
    budget, spent = budget_for(year), approved_total(year)
    if goes_over_budget(budget, spent, amount):
        raise RuleBroken(overspend_message(year, budget - spent, amount), "amount")
    payment = SupportPayment(client_id=client.id, amount_gbp=amount, paid_on=paid_on, financial_year=year.label,
                             purpose=purpose, detail=detail, status="requested", requested_by_id=requested_by.id,
                             requested_at=utcnow())
    db.session.add(payment)
    db.session.flush()
    audit.record("payment.requested", f"Support payment {payment.id} of {gbp(amount)} requested for client "
                 f"{client.reference} ({PURPOSES[purpose]}, {year})", subject=client, actor=requested_by,
                 changes={"payment": [None, payment.id], "amount_gbp": [None, money_text(amount)],
                          "paid_on": [None, paid_on], "financial_year": [None, year.label], "purpose": [None, purpose],
                          "detail": [None, detail], "status": [None, "requested"]})
    return payment


def approve_payment(payment: SupportPayment, manager: User, *, note: str | None = None, version=None) -> Decimal:
    """Approve a request if the year's budget can pay it; returns what is left afterwards.

    Runs under the year's budget lock, so two managers approving at once can never overspend."""
    _check_decider(payment, manager, "approve")
    _check_version(payment, version, "The payment has not been approved.")
    note = _clean_text(note)
    if note is not None and len(note) > TEXT_LIMIT:
        raise RuleBroken("Note must be 2,000 characters or fewer", "note")
    year = FinancialYear.of(payment.paid_on)  # the year its financial_year column names
    budget = lock_budget(year)
    _check_still_requested(payment)
    spent = approved_total(year)
    if goes_over_budget(budget, spent, payment.amount_gbp):
        raise RuleBroken(overspend_message(year, budget - spent, payment.amount_gbp), "decision")
    left = budget - spent
    payment.status = "approved"
    payment.decided_by_id = manager.id
    payment.decided_at = utcnow()
    payment.decision_note = note
    _flush(payment)
    left_after = left - payment.amount_gbp
    client = _client_of(payment)
    audit.record("payment.approved", f"Support payment {payment.id} of {gbp(payment.amount_gbp)} for client "
                 f"{client.reference} approved; {gbp(left_after)} left in the {year} budget",
                 subject=client, actor=manager,
                 changes={"payment": [payment.id, payment.id], "status": ["requested", "approved"],
                          "decided_by": [None, manager.username],
                          **({"decision_note": [None, note]} if note else {}),
                          "budget_left_gbp": [money_text(left), money_text(left_after)]})
    return left_after


def reject_payment(payment: SupportPayment, manager: User, *, note: str, version=None) -> None:
    """Turn a request down, saying why."""
    _check_decider(payment, manager, "reject")
    _check_version(payment, version, "The payment has not been rejected.")
    note = _clean_text(note)
    if note is None:
        raise RuleBroken("Enter why the payment is rejected", "note")
    if len(note) > TEXT_LIMIT:
        raise RuleBroken("Note must be 2,000 characters or fewer", "note")
    _check_still_requested(payment)
    payment.status = "rejected"
    payment.decided_by_id = manager.id
    payment.decided_at = utcnow()
    payment.decision_note = note
    _flush(payment)
    client = _client_of(payment)
    audit.record("payment.rejected", f"Support payment {payment.id} of {gbp(payment.amount_gbp)} for client "
                 f"{client.reference} rejected", subject=client, actor=manager,
                 changes={"payment": [payment.id, payment.id], "status": ["requested", "rejected"],
                          "decided_by": [None, manager.username], "decision_note": [None, note]})


def record_achievement(payment: SupportPayment, achieved: str, notes: str | None, *, version=None) -> dict:
    """Record what an approved payment achieved (a job, an interview); may be updated later."""
    _check_version(payment, version, "What it achieved has not been saved.")
    if payment.status != "approved":
        raise RuleBroken("You can only record what a payment achieved once it is approved", "achieved")
    if achieved not in ACHIEVEMENTS:
        raise RuleBroken("Select what the payment achieved", "achieved")
    notes = _clean_text(notes)
    if achieved == "other" and notes is None:
        raise RuleBroken("Enter what the payment achieved", "achieved_notes")
    if notes is not None and len(notes) > TEXT_LIMIT:
        raise RuleBroken("Notes must be 2,000 characters or fewer", "achieved_notes")
    before = {"achieved": payment.achieved, "achieved_notes": payment.achieved_notes}
    payment.achieved = achieved
    payment.achieved_notes = notes
    changes = audit.field_changes(before, {"achieved": achieved, "achieved_notes": notes})
    if changes:
        _flush(payment)
        client = _client_of(payment)
        audit.record("payment.achievement_recorded", f"Support payment {payment.id} for client {client.reference}: "
                     f"achieved {ACHIEVEMENTS[achieved].lower()}", subject=client,
                     changes={"payment": [payment.id, payment.id], **changes})
    return changes


# --- budgets ----------------------------------------------------------------------------------

def set_budget(year: FinancialYear | str, amount: Decimal, *, shown_amount: Decimal | None = None) -> dict:
    """Set a year's budget; never below what is already approved in that year.

    year is a FinancialYear, or the text a caller was given (a badly written one is a broken rule).
    shown_amount is the budget the manager's form showed: if it has changed since, nothing is saved."""
    if not isinstance(year, FinancialYear):
        try:
            year = FinancialYear.parse(year, BUDGET_WORDING)
        except BadPeriod as error:
            raise RuleBroken(str(error), "financial_year") from error
    _check_money(amount, allow_zero=True, limit=BUDGET_LIMIT, noun="Budget")
    current = lock_budget(year)
    if shown_amount is not None and shown_amount != current:
        raise StaleEdit(f"The {year} budget was changed to {gbp(current)} by someone else after you opened this "
                        "page. Your change has not been saved. Check the budget, then save again if your "
                        "amount is still right.", [])
    approved = approved_total(year)
    if not budget_covers(amount, approved):
        raise RuleBroken(f"The {year} budget cannot be less than the {gbp(approved)} already approved "
                         "for that year", "amount")
    if amount == current:
        return {}
    budget = db.session.get(Budget, year.label, populate_existing=True)
    if budget is None:  # never set: the default was in force
        budget = Budget(financial_year=year.label, amount_gbp=amount)
        db.session.add(budget)
    budget.amount_gbp = amount
    flush_or_stale("Someone else changed this budget at the same moment. Reload the page.")
    changes = {"financial_year": [year.label, year.label], "amount_gbp": [money_text(current), money_text(amount)]}
    audit.record("budget.set", f"Support budget for {year} set to {gbp(amount)} (was {gbp(current)})",
                 subject=budget, changes=changes)
    return changes
