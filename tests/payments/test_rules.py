"""The support payment rules, checked in the operations whoever calls them: amounts, own approval,
the budget (default, per year, never overspent, never set below what is approved), results,
and the audit trail of every change."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from iom.audit.models import AuditEntry
from iom.auth.models import User
from iom.clients.models import Client
from iom.clock import today_in_london
from iom.extensions import db
from iom.payments import operations, queries
from iom.payments.models import Budget, SupportPayment
from iom.rules import RuleBroken, StaleEdit
from iom.years import FinancialYear


def deciding(payment_id: int, user_id: int) -> tuple[SupportPayment, User]:
    """In the caller's app context: the payment and the person deciding it."""
    return db.session.get(SupportPayment, payment_id), db.session.get(User, user_id)


def payment(app, payment_id) -> SupportPayment:
    with app.app_context():
        found = db.session.get(SupportPayment, payment_id)
        db.session.expunge(found)
        return found


def client_of(reference):
    return db.session.scalar(select(Client).where(Client.reference == reference))


def count_payments(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(SupportPayment))


# --- requesting -------------------------------------------------------------------------------

@pytest.mark.parametrize("amount, message", [
    (Decimal("0"), "Amount must be more than £0"),
    (Decimal("0.00"), "Amount must be more than £0"),
    (Decimal("-5.00"), "Amount must be more than £0"),
    (Decimal("70.125"), "no more than 2 numbers after the decimal point"),
    (Decimal("NaN"), "Amount must be a number"),
    (70.0, "Amount must be a number"),
    ("70", "Amount must be a number"),
    (Decimal("100000.01"), "Amount must be £100,000.00 or less"),
])
def test_a_request_refuses_a_bad_amount(app, staff, make_client, make_request, amount, message):
    reference = make_client()
    with app.app_context():
        with pytest.raises(RuleBroken, match=message) as raised:
            operations.request_payment(client_of(reference), amount=amount, paid_on=date(2011, 10, 5),
                                       purpose="other", detail="Something",
                                       requested_by=db.session.get(User, staff["officer"]))
        assert raised.value.field == "amount"
        db.session.rollback()
    assert count_payments(app) == 0


@pytest.mark.parametrize("changes, field, message", [
    ({"paid_on": None}, "paid_on", "Enter date of the payment"),
    ({"purpose": "beer"}, "purpose", "Select what the payment is for"),
    ({"purpose": ""}, "purpose", "Select what the payment is for"),
    ({"detail": "   "}, "detail", "Enter what the payment is for"),
    ({"detail": None}, "detail", "Enter what the payment is for"),
    ({"purpose": "id_documents", "detail": "x" * 2001}, "detail", "Description must be 2,000 characters or fewer"),
])
def test_a_request_needs_a_date_a_purpose_and_details(app, staff, make_client, changes, field, message):
    reference = make_client()
    details = {"amount": Decimal("70.00"), "paid_on": date(2011, 10, 5), "purpose": "other", "detail": "Boots",
               **changes}
    with app.app_context():
        with pytest.raises(RuleBroken, match=message) as raised:
            operations.request_payment(client_of(reference), requested_by=db.session.get(User, staff["officer"]),
                                       **details)
        assert raised.value.field == field
        db.session.rollback()
    assert count_payments(app) == 0


def test_a_request_may_be_planned_but_not_more_than_a_year_ahead(app, staff, make_client, make_request):
    reference = make_client()
    make_request(reference, paid_on=today_in_london() + timedelta(days=365))
    with app.app_context():
        with pytest.raises(RuleBroken, match="no more than a year from today"):
            operations.request_payment(client_of(reference), amount=Decimal("5"), purpose="other", detail="x",
                                       paid_on=today_in_london() + timedelta(days=366),
                                       requested_by=db.session.get(User, staff["officer"]))


def test_the_financial_year_comes_from_the_date_paid(app, make_client, make_request):
    reference = make_client()
    march = make_request(reference, paid_on=date(2012, 3, 31))
    april = make_request(reference, paid_on=date(2012, 4, 1))
    first = make_request(reference, paid_on=date(2011, 4, 1))
    assert payment(app, march).financial_year == "2011-12"
    assert payment(app, april).financial_year == "2012-13"
    assert payment(app, first).financial_year == "2011-12"


def test_a_request_is_audited_against_the_client_with_money_as_text(app, staff, make_client, make_request):
    reference = make_client()
    payment_id = make_request(reference, amount="70.5", purpose="id_documents", detail="Birth certificate")
    with app.app_context():
        client = client_of(reference)
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "payment.requested"))
        assert (entry.subject_type, entry.subject_id) == ("client", str(client.id))
        assert entry.actor_id == staff["officer"]
        assert entry.changes["payment"] == [None, payment_id]
        assert entry.changes["amount_gbp"] == [None, "70.50"]
        assert entry.changes["paid_on"] == [None, "2011-10-05"]
        assert entry.changes["financial_year"] == [None, "2011-12"]
        assert entry.changes["purpose"] == [None, "id_documents"]
        assert entry.changes["status"] == [None, "requested"]
        assert "£70.50" in entry.summary and reference in entry.summary


def test_a_request_that_could_never_be_approved_is_refused_with_the_amount_left(app, make_client, make_request,
                                                                              approve):
    reference = make_client()
    approve(make_request(reference, amount="70.00"))
    with pytest.raises(RuleBroken, match=r"^£930\.00 is left in the 2011-12 budget; this payment is £1,000\.00$"):
        make_request(reference, amount="1000.00")
    # a request for a different year is measured against that year's budget
    make_request(reference, amount="1000.00", paid_on=date(2012, 4, 1))


# --- money in the database --------------------------------------------------------------------

@pytest.mark.parametrize("amount", ["0.01", "0.10", "0.29", "70.50", "333.33", "999.99", "1000.00", "99999.99"])
def test_money_round_trips_exactly(app, make_client, make_request, amount):
    reference = make_client()
    with app.app_context():
        db.session.merge(Budget(financial_year="2011-12", amount_gbp=Decimal("100000.00")))
        db.session.commit()
    payment_id = make_request(reference, amount=amount)
    with app.app_context():
        stored = db.session.scalar(select(SupportPayment.amount_gbp).where(SupportPayment.id == payment_id))
        assert isinstance(stored, Decimal)
        assert stored == Decimal(amount) and str(stored) == amount
        budget = db.session.scalar(select(Budget.amount_gbp).where(Budget.financial_year == "2011-12"))
        assert isinstance(budget, Decimal) and str(budget) == "100000.00"


def test_pennies_add_up_exactly(app, staff, make_client, make_request, approve):
    """0.10 + 0.20 is 0.30 here, not 0.30000000000000004: totals are added as Decimal."""
    reference = make_client()
    for amount in ["0.10", "0.20", "0.10", "0.20", "0.10", "0.20", "0.01"] * 3:
        approve(make_request(reference, amount=amount))
    with app.app_context():
        assert operations.approved_total(FinancialYear.parse("2011-12")) == Decimal("2.73")
        ledger = queries.ledger(FinancialYear.parse("2011-12"))
        assert ledger.spent == Decimal("2.73") and ledger.left == Decimal("997.27")
        assert str(ledger.lines[-1].balance) == "997.27"
        assert queries.year_summary(FinancialYear.parse("2011-12")).approved == Decimal("2.73")


# --- approving and rejecting ------------------------------------------------------------------

def test_a_manager_cannot_approve_or_reject_their_own_request(app, staff, make_client, make_request):
    reference = make_client()
    payment_id = make_request(reference, by="manager")
    with app.app_context():
        own, manager = deciding(payment_id, staff["manager"])
        with pytest.raises(RuleBroken, match="You cannot approve your own request. Another manager must decide it"):
            operations.approve_payment(own, manager)
        db.session.rollback()
        with pytest.raises(RuleBroken, match="You cannot reject your own request"):
            operations.reject_payment(own, manager, note="Changed my mind")
        db.session.rollback()
    assert payment(app, payment_id).status == "requested"


def test_only_a_manager_decides(app, staff, make_client, make_request, make_user):
    reference = make_client()
    payment_id = make_request(reference, by="manager")
    other_officer, _ = make_user("officer")
    with app.app_context():
        with pytest.raises(RuleBroken, match="Only a manager can approve"):
            operations.approve_payment(*deciding(payment_id, other_officer))


def test_approval_spends_the_default_budget_and_is_audited(app, staff, make_client, make_request, approve):
    reference = make_client()
    payment_id = make_request(reference, amount="70.00")
    assert approve(payment_id, note="Fine") == Decimal("930.00")
    with app.app_context():
        approved = db.session.get(SupportPayment, payment_id)
        assert approved.status == "approved" and approved.decided_by_id == staff["manager"]
        assert approved.decided_at is not None and approved.decision_note == "Fine"
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "payment.approved"))
        assert entry.actor_id == staff["manager"]
        assert (entry.subject_type, entry.subject_id) == ("client", str(client_of(reference).id))
        assert entry.changes["payment"] == [payment_id, payment_id]
        assert entry.changes["status"] == ["requested", "approved"]
        assert entry.changes["budget_left_gbp"] == ["1000.00", "930.00"]
        assert entry.changes["decision_note"] == [None, "Fine"]
        # locking the year's budget writes nothing for it: a budget nobody set stays unset (the default)
        assert db.session.get(Budget, "2011-12") is None


def test_overspending_is_refused_with_the_amount_left(app, staff, make_client, make_request, approve):
    """Sequentially: two £600 requests against £1,000; the second is refused, nothing changes."""
    reference = make_client()
    first, second = make_request(reference, amount="600.00"), make_request(reference, amount="600.00")
    approve(first)
    with pytest.raises(RuleBroken, match=r"^£400\.00 is left in the 2011-12 budget; this payment is £600\.00$") \
            as raised:
        approve(second, by="manager2")
    assert raised.value.field == "decision"
    assert payment(app, second).status == "requested"
    with app.app_context():
        assert operations.approved_total(FinancialYear.parse("2011-12")) == Decimal("600.00")
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.action == "payment.approved")) == 1


def test_the_whole_budget_can_be_spent_to_the_penny(app, make_client, make_request, approve):
    reference = make_client()
    approve(make_request(reference, amount="999.99"))
    last = make_request(reference, amount="0.01")
    assert approve(last) == Decimal("0.00")
    with pytest.raises(RuleBroken, match=r"£0\.00 is left in the 2011-12 budget; this payment is £0\.01"):
        make_request(reference, amount="0.01")


def test_budgets_are_per_year_at_the_boundaries(app, make_client, make_request, approve):
    """31 March 2012 spends 2011-12's budget; 1 April 2012 spends 2012-13's."""
    reference = make_client()
    approve(make_request(reference, amount="1000.00", paid_on=date(2012, 3, 31)))
    approve(make_request(reference, amount="1000.00", paid_on=date(2012, 4, 1)))
    approve(make_request(reference, amount="1000.00", paid_on=date(2011, 3, 31)))
    with pytest.raises(RuleBroken, match="£0.00 is left in the 2011-12 budget"):
        make_request(reference, amount="1.00", paid_on=date(2011, 4, 1))
    with app.app_context():
        for year in ("2010-11", "2011-12", "2012-13"):
            summary = queries.year_summary(FinancialYear.parse(year))
            assert (summary.count, summary.approved, summary.budget) == (1, Decimal("1000.00"), Decimal("1000.00"))


def test_a_decided_payment_cannot_be_decided_again(app, staff, make_client, make_request, approve):
    reference = make_client()
    payment_id = make_request(reference)
    approve(payment_id)
    with pytest.raises(RuleBroken, match="This payment was already approved by pay.manager"):
        approve(payment_id, by="manager2")
    with app.app_context():
        with pytest.raises(RuleBroken, match="already approved"):
            operations.reject_payment(*deciding(payment_id, staff["manager2"]), note="No")


def test_a_stale_page_is_refused(app, staff, make_client, make_request):
    reference = make_client()
    payment_id = make_request(reference)
    with app.app_context():
        with pytest.raises(StaleEdit):
            operations.approve_payment(*deciding(payment_id, staff["manager"]), version=99)


def test_rejecting_needs_a_reason_and_spends_nothing(app, staff, make_client, make_request):
    reference = make_client()
    payment_id = make_request(reference, amount="900.00")
    with app.app_context():
        target, manager = deciding(payment_id, staff["manager"])
        with pytest.raises(RuleBroken, match="Enter why the payment is rejected") as raised:
            operations.reject_payment(target, manager, note="  ")
        assert raised.value.field == "note"
        db.session.rollback()
        operations.reject_payment(db.session.get(SupportPayment, payment_id), manager, note="Ask the jobcentre first")
        db.session.commit()
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "payment.rejected"))
        assert entry.changes["status"] == ["requested", "rejected"]
        assert entry.changes["decision_note"] == [None, "Ask the jobcentre first"]
        assert operations.approved_total(FinancialYear.parse("2011-12")) == Decimal("0.00")


# --- what it achieved -------------------------------------------------------------------------

def test_what_a_payment_achieved_is_recorded_for_approved_payments_only(app, staff, make_client, make_request,
                                                                       approve):
    reference = make_client()
    waiting = make_request(reference)
    with app.app_context():
        with pytest.raises(RuleBroken, match="once it is approved"):
            operations.record_achievement(db.session.get(SupportPayment, waiting), "job_obtained", None)
        db.session.rollback()
    approve(waiting)
    with app.app_context():
        target = db.session.get(SupportPayment, waiting)
        with pytest.raises(RuleBroken, match="Select what the payment achieved"):
            operations.record_achievement(target, "world_peace", None)
        with pytest.raises(RuleBroken, match="Enter what the payment achieved") as raised:
            operations.record_achievement(target, "other", " ")
        assert raised.value.field == "achieved_notes"
        db.session.rollback()
        target = db.session.get(SupportPayment, waiting)
        changes = operations.record_achievement(target, "job_obtained", "Warehouse operative", version=target.version)
        db.session.commit()
        assert changes == {"achieved": [None, "job_obtained"], "achieved_notes": [None, "Warehouse operative"]}
        assert operations.record_achievement(db.session.get(SupportPayment, waiting), "job_obtained",
                                             "Warehouse operative") == {}
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "payment.achievement_recorded"))
        assert entry.subject_type == "client" and entry.changes["payment"] == [waiting, waiting]


# --- budgets ----------------------------------------------------------------------------------

def test_a_manager_sets_a_years_budget_and_it_is_audited(app, make_client, make_request, approve):
    with app.app_context():
        assert operations.budget_for(FinancialYear.parse("2011-12")) == Decimal("1000.00")
        changes = operations.set_budget("2011-12", Decimal("1500.00"), shown_amount=Decimal("1000.00"))
        db.session.commit()
        assert changes["amount_gbp"] == ["1000.00", "1500.00"]
        assert operations.budget_for(FinancialYear.parse("2011-12")) == Decimal("1500.00")
        assert operations.budget_for(FinancialYear.parse("2012-13")) == Decimal("1000.00")
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "budget.set"))
        assert (entry.subject_type, entry.subject_id) == ("budget", "2011-12")
        assert entry.changes["amount_gbp"] == ["1000.00", "1500.00"]
    reference = make_client()
    approve(make_request(reference, amount="1200.00"))


def test_a_budget_never_goes_below_what_is_approved(app, make_client, make_request, approve):
    reference = make_client()
    approve(make_request(reference, amount="600.00"))
    with app.app_context():
        with pytest.raises(RuleBroken, match=r"The 2011-12 budget cannot be less than the £600\.00 already approved"):
            operations.set_budget("2011-12", Decimal("599.99"))
        db.session.rollback()
        operations.set_budget("2011-12", Decimal("600.00"))
        db.session.commit()
        assert operations.budget_for(FinancialYear.parse("2011-12")) == Decimal("600.00")
        operations.set_budget("2012-13", Decimal("0.00"))
        db.session.commit()
        assert operations.budget_for(FinancialYear.parse("2012-13")) == Decimal("0.00")


@pytest.mark.parametrize("year, amount, field, message", [
    ("2011-13", Decimal("10"), "financial_year", "did you mean 2011-12"),
    ("2011", Decimal("10"), "financial_year", "is not a financial year"),
    ("2011-12", Decimal("-1"), "amount", "Budget must be £0 or more"),
    ("2011-12", Decimal("0.001"), "amount", "no more than 2 numbers after the decimal point"),
    ("2011-12", Decimal("1000000.01"), "amount", "Budget must be £1,000,000.00 or less"),
])
def test_bad_budgets_are_refused(app, year, amount, field, message):
    with app.app_context():
        with pytest.raises(RuleBroken, match=message) as raised:
            operations.set_budget(year, amount)
        assert raised.value.field == field


def test_a_budget_changed_since_the_page_was_opened_is_not_overwritten(app):
    with app.app_context():
        operations.set_budget("2011-12", Decimal("1200.00"), shown_amount=Decimal("1000.00"))
        db.session.commit()
        with pytest.raises(StaleEdit, match="changed to £1,200.00 by someone else"):
            operations.set_budget("2011-12", Decimal("800.00"), shown_amount=Decimal("1000.00"))
        db.session.rollback()
        assert operations.budget_for(FinancialYear.parse("2011-12")) == Decimal("1200.00")


def test_the_database_refuses_a_zero_payment_even_past_the_rules(app, make_client):
    """The CHECK constraint is the last line: a payment of £0 can never be stored."""
    from sqlalchemy.exc import IntegrityError
    reference = make_client()
    with app.app_context():
        client = client_of(reference)
        with pytest.raises(IntegrityError):
            db.session.execute(text(
                "INSERT INTO support_payment (client_id, amount_gbp, paid_on, financial_year, purpose, detail, "
                "status, requested_at, version) VALUES (:c, 0, '2011-10-05', '2011-12', 'other', 'x', "
                "'requested', '2011-10-05 10:00:00', 1)"), {"c": client.id})
        db.session.rollback()
