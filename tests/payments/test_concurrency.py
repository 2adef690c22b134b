"""Two managers approving at the same instant can never take a year over its budget. Threads with
their own app contexts (and so their own connections) stand in for two gunicorn workers; run on
SQLite and, with TEST_DATABASE_URL, on PostgreSQL."""
import threading
import time
from decimal import Decimal

import pytest
from sqlalchemy import select

from iom import audit
from iom.auth.models import User
from iom.extensions import db
from iom.payments import operations
from iom.payments.models import SupportPayment
from iom.rules import RuleBroken
from iom.years import FinancialYear

# under xdist (make test) these run one after another in one worker: their threads race each other only
pytestmark = pytest.mark.xdist_group("concurrency")


def approve_at_once(app, pairs, monkeypatch=None):
    """Each (payment id, manager id) approved in its own thread, all released by one barrier; what
    became of each pair, keyed by the pair.

    Given monkeypatch, the sum of what is already approved is made slow, so without the budget lock
    both threads would read £0.00 approved and both approve: the race is made to happen, not hoped for."""
    real_total = operations.approved_total

    def slow_total(year):
        total = real_total(year)
        time.sleep(0.3)
        return total
    if monkeypatch is not None:
        monkeypatch.setattr(operations, "approved_total", slow_total)

    barrier = threading.Barrier(len(pairs))
    outcomes = {}

    def approve(payment_id, manager_id):
        pair = (payment_id, manager_id)
        with app.app_context():
            payment = db.session.get(SupportPayment, payment_id)
            manager = db.session.get(User, manager_id)
            db.session.commit()  # end the reads: each worker starts its write from nothing held
            barrier.wait()
            try:
                operations.approve_payment(payment, manager)
                db.session.commit()
                outcomes[pair] = "approved"
            except RuleBroken as error:
                db.session.rollback()
                outcomes[pair] = str(error)
            except Exception as error:  # noqa: BLE001 - any other failure is the finding
                db.session.rollback()
                outcomes[pair] = f"failed: {error!r}"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=approve, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    if monkeypatch is not None:
        monkeypatch.setattr(operations, "approved_total", real_total)
    return outcomes


def test_two_managers_approving_at_once_cannot_overspend(app, staff, make_client, make_request, monkeypatch):
    reference = make_client()
    first = make_request(reference, amount="600.00")
    second = make_request(reference, amount="600.00")

    outcomes = approve_at_once(app, [(first, staff["manager"]), (second, staff["manager2"])], monkeypatch)

    assert sorted(outcomes.values()) == sorted([
        "approved", "£400.00 is left in the 2011-12 budget; this payment is £600.00"]), outcomes
    with app.app_context():
        statuses = dict(db.session.execute(select(SupportPayment.id, SupportPayment.status)).all())
        assert sorted(statuses.values()) == ["approved", "requested"]
        total = operations.approved_total(FinancialYear.parse("2011-12"))
        assert total == Decimal("600.00") and total <= operations.budget_for(FinancialYear.parse("2011-12"))
        assert audit.verify_chain().is_intact


def test_two_managers_approving_the_same_request_approve_it_once(app, staff, make_client, make_request):
    reference = make_client()
    only = make_request(reference, amount="100.00")

    outcomes = approve_at_once(app, [(only, staff["manager"]), (only, staff["manager2"])])

    assert list(outcomes.values()).count("approved") == 1, outcomes
    refused = [message for message in outcomes.values() if message != "approved"]
    assert len(refused) == 1 and refused[0].startswith("This payment was already approved"), outcomes
    with app.app_context():
        assert operations.approved_total(FinancialYear.parse("2011-12")) == Decimal("100.00")


def test_many_managers_at_once_spend_at_most_the_budget(app, make_user, make_client, make_request, monkeypatch):
    """Six £300 requests, six managers, one instant: exactly three fit in £1,000."""
    reference = make_client()
    managers = [make_user("manager")[0] for _ in range(6)]
    payments = [make_request(reference, amount="300.00") for _ in range(6)]

    outcomes = approve_at_once(app, list(zip(payments, managers)), monkeypatch)

    assert list(outcomes.values()).count("approved") == 3, outcomes
    assert all(message == "approved" or message.endswith("is left in the 2011-12 budget; this payment is £300.00")
               for message in outcomes.values()), outcomes
    with app.app_context():
        assert operations.approved_total(FinancialYear.parse("2011-12")) == Decimal("900.00")
