"""Builders for payment tests: clients, requests and decisions through the real operations."""
from datetime import date
from decimal import Decimal

import pytest

from iom.auth.models import User
from iom.clients import operations as client_operations
from iom.extensions import db
from iom.payments import operations
from iom.payments.models import SupportPayment


@pytest.fixture
def staff(make_user):
    """An officer and two managers: {'officer': id, 'manager': id, 'manager2': id}."""
    return {"officer": make_user("officer", username="pay.officer")[0],
            "manager": make_user("manager", username="pay.manager")[0],
            "manager2": make_user("manager", username="pay.manager2")[0]}


@pytest.fixture
def make_client(app):
    counter = iter(range(1, 1000))

    def build(given="Pat", family=None):
        with app.app_context():
            client = client_operations.add_client(
                {"given_name": given, "family_name": family or f"Payee{next(counter)}"},
                strand="catch_convict", joined_on=date(2011, 4, 1))
            db.session.commit()
            return client.reference
    return build


@pytest.fixture
def make_request(app, staff):
    """A request through request_payment; returns the payment id."""
    from iom.clients.models import Client
    from sqlalchemy import select

    def build(reference, amount="70.00", paid_on=date(2011, 10, 5), purpose="travel_to_interview",
              detail="Return fare to an interview", by="officer"):
        with app.app_context():
            client = db.session.scalar(select(Client).where(Client.reference == reference))
            payment = operations.request_payment(client, amount=Decimal(amount), paid_on=paid_on, purpose=purpose,
                                                 detail=detail, requested_by=db.session.get(User, staff[by]))
            db.session.commit()
            return payment.id
    return build


@pytest.fixture
def approve(app, staff):
    def run(payment_id, by="manager", note=None):
        with app.app_context():
            payment = db.session.get(SupportPayment, payment_id)
            left = operations.approve_payment(payment, db.session.get(User, staff[by]), note=note)
            db.session.commit()
            return left
    return run
