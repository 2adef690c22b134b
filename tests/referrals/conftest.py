"""Builders for the referral tests: clients, agencies, referrals and custody, made through the
operations the pages use (audit entries and all)."""
from datetime import date, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from iom.auth import passwords
from iom.clients import operations as client_operations
from iom.clients.models import Client
from iom.clock import today_in_london
from iom.custody.operations import record_custody_event
from iom.extensions import db
from iom.referrals import operations
from iom.referrals.models import Referral

TODAY = today_in_london()


@pytest.fixture(autouse=True)
def quick_password_hashing(monkeypatch):
    """Argon2id with its lightest settings: these tests are about referrals, not hashing cost."""
    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


def housing_details(**overrides) -> dict:
    """A valid open housing referral with no Duty to Refer, as the operations take it."""
    details = {"referred_on": TODAY - timedelta(days=10), "agency_id": None, "agency_other": "Shelter",
               "need": "Sofa-surfing since release", "status": "open", "duty_to_refer_made": False}
    details.update(overrides)
    return details


def mental_health_details(**overrides) -> dict:
    details = {"referred_on": TODAY - timedelta(days=10), "agency_id": None,
               "agency_other": "Community Mental Health Team", "need": "Low mood, not sleeping", "status": "open"}
    details.update(overrides)
    return details


@pytest.fixture
def make_client(app):
    counter = iter(range(1, 10_000))

    def build(given="Ann", family=None, joined=date(2011, 4, 1)) -> str:
        with app.app_context():
            client = client_operations.add_client(
                {"given_name": given, "family_name": family or f"Example{next(counter):03d}"},
                strand="catch_convict", joined_on=joined)
            db.session.commit()
            return client.reference
    return build


def client_named(reference: str) -> Client:
    return db.session.scalar(select(Client).where(Client.reference == reference))


@pytest.fixture
def make_referral(app):
    def build(reference: str, kind: str = "housing", **overrides) -> int:
        details = (housing_details if kind == "housing" else mental_health_details)(**overrides)
        with app.app_context():
            referral = operations.make_referral(client_named(reference), kind, details)
            db.session.commit()
            return referral.id
    return build


@pytest.fixture
def make_agency(app):
    def build(name: str, kind: str = "both", is_active: bool = True) -> int:
        with app.app_context():
            agency = operations.add_agency(name, kind)
            if not is_active:
                operations.update_agency(agency, name=name, kind=kind, is_active=False, version=agency.version)
            db.session.commit()
            return agency.id
    return build


@pytest.fixture
def put_in_custody(app):
    def record(reference: str, *, release_in_days: int | None, status: str = "custody", days_ago: int = 30):
        with app.app_context():
            record_custody_event(client_named(reference), status=status, from_date=TODAY - timedelta(days=days_ago),
                                 establishment=None if status == "community" else "HMP Leeds",
                                 expected_release_on=None if release_in_days is None
                                 else TODAY + timedelta(days=release_in_days))
            db.session.commit()
    return record


def referral_state(app, referral_id: int) -> dict:
    with app.app_context():
        referral = db.session.get(Referral, referral_id)
        return {column: getattr(referral, column) for column in Referral.__table__.columns.keys()}


def day_month_year(day: date | None) -> list[str]:
    return ["", "", ""] if day is None else [str(day.day), str(day.month), str(day.year)]
