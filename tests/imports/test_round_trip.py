"""The same data back out: export-caseload, then an import into an empty database, changes no
figure; and exporting again gives the same files."""
import os
from datetime import date, timedelta
from decimal import Decimal
from random import Random

import pytest

from iom.figures.models import SacCount
from iom.years import FinancialYear
from iom.clients.models import Client, SchemePeriod
from iom.custody.models import CustodyEvent
from iom.extensions import db
from iom.offending.models import OFFENCE_OUTCOMES, OFFENCE_TYPES, Offence, OffenceUnitCost
from iom.payments.models import Budget, SupportPayment
from iom.referrals.models import Agency, Referral
from tests.builders import EMPTY, fault_lines, figures_snapshot, pnc, wipe_caseload

YEARS = ("2010-11", "2011-12", "2012-13", "2013-14")
STRANDS = ("prevent_deter", "catch_convict", "resettle_rehabilitate")


def build_caseload(seed: int = 7) -> None:
    """A caseload entered as the pages would leave it: re-adoptions, custody spells, referrals to
    listed agencies and free-text ones, payments in every state, budgets and crime counts, cohort
    tiers, offences (several on a day) and the partnership's own unit costs of crime."""
    rng = Random(seed)
    agency = Agency(name="Demo Borough Housing Team", kind="housing")
    db.session.add(agency)
    db.session.flush()
    start = date(2010, 4, 1)
    for n in range(1, 61):
        client = Client(reference=f"IOM-{n:04d}", given_name=f"Given{n}", family_name=f"Demo-{n}",
                        date_of_birth=date(1970 + n % 30, 1 + n % 12, 1 + n % 28) if n % 4 else None,
                        pnc_id=pnc(10 + n % 5, 1000 + n) if n % 3 else None,
                        programme=rng.choice(["ppo", "dip", "youth", "other"]),
                        alcohol_related=rng.choice(["yes", "no", "unknown"]),
                        ward=rng.choice(["Northfield", None, "Eastbrook"]),
                        tier=rng.choice(["fixed", "flex", "free", None]))
        db.session.add(client)
        db.session.flush()
        day = start + timedelta(days=rng.randrange(0, 500))
        for _ in range(rng.randrange(1, 4)):
            left = day + timedelta(days=rng.randrange(0, 300)) if rng.random() < 0.6 else None
            reason = rng.choice(["completed", "desisted", "moved_away"]) if left else None
            db.session.add(SchemePeriod(client_id=client.id, strand=rng.choice(STRANDS), joined_on=day, left_on=left,
                                        exit_reason=reason))
            if left is None:
                break
            day = left + timedelta(days=rng.randrange(1, 120))
        custody_days = sorted({start + timedelta(days=rng.randrange(0, 1200)) for _ in range(rng.randrange(0, 5))})
        for custody_day in custody_days:
            db.session.add(CustodyEvent(client_id=client.id, from_date=custody_day,
                                        status=rng.choice(["community", "remand", "custody"])))
        for _ in range(rng.randrange(0, 3)):
            referred = start + timedelta(days=rng.randrange(0, 1200))
            status = rng.choice(["open", "accepted", "completed", "declined", "withdrawn"])
            closed = referred + timedelta(days=rng.randrange(0, 200)) if status in ("completed", "declined",
                                                                                      "withdrawn") else None
            kind = rng.choice(["housing", "mental_health"])
            db.session.add(Referral(client_id=client.id, kind=kind, referred_on=referred, status=status,
                                    closed_on=closed, agency_id=agency.id if kind == "housing" and n % 2 else None,
                                    agency_other=None if kind == "housing" and n % 2 else "Demo NHS Trust"))
        for _ in range(rng.randrange(0, 2)):
            paid = start + timedelta(days=rng.randrange(0, 1200))
            year = FinancialYear.of(paid).label
            db.session.add(SupportPayment(client_id=client.id, amount_gbp=Decimal(rng.randrange(100, 9000)) / 100,
                                          paid_on=paid, financial_year=year,
                                          purpose=rng.choice(["id_documents", "other", "travel_to_interview"]),
                                          detail=rng.choice(["Passport", "Bus fare", "Boots"]),
                                          status=rng.choice(["approved", "approved", "requested", "rejected"])))
        offence_days = [start + timedelta(days=rng.randrange(-400, 1200)) for _ in range(rng.randrange(0, 4))]
        for offence_day in offence_days + offence_days[:1]:
            db.session.add(Offence(client_id=client.id, offence_on=offence_day,
                                   offence_type=rng.choice(list(OFFENCE_TYPES)),
                                   outcome=rng.choice([None, *OFFENCE_OUTCOMES]),
                                   crime_reference=rng.choice([None, f"CR/{n:04d}/{rng.randrange(100)}"]),
                                   alcohol_involved=rng.choice(["yes", "no", "unknown"])))
    db.session.add_all([OffenceUnitCost(offence_type="shoplifting", cost_gbp=Decimal("120.50"), price_year="2019-20",
                                        source="Local retail survey, 2019"),
                        OffenceUnitCost(offence_type="robbery", cost_gbp=Decimal("11320.00"), price_year="2015-16")])
    # a client with no period on the scheme cannot be written in the import format
    db.session.add(Client(reference="IOM-0999", given_name="No", family_name="Period", programme="other",
                          alcohol_related="yes"))
    for year in ("2010-11", "2011-12", "2012-13", "2013-14"):
        db.session.add(Budget(financial_year=year, amount_gbp=Decimal("5000.00")))
    for month in range(1, 13):
        db.session.add(SacCount(month=date(2011, month, 1), crimes=rng.randrange(40, 120)))
    db.session.commit()


def wipe() -> None:
    """The caseload emptied, the offending record with it, as a fresh database would be."""
    for model in (Offence, OffenceUnitCost):
        db.session.execute(db.delete(model))
    wipe_caseload()


def offending_snapshot() -> tuple[list, list]:
    """Each client's offences and the partnership's unit costs, as values (no ids)."""
    return (db.session.execute(db.select(Client.reference, Client.tier, Offence.offence_on, Offence.offence_type,
                                         Offence.outcome, Offence.crime_reference, Offence.alcohol_involved)
                               .join(Client, Client.id == Offence.client_id)
                               .order_by(Client.reference, Offence.offence_on, Offence.offence_type,
                                         Offence.crime_reference, Offence.outcome, Offence.alcohol_involved))
            .tuples().all(),
            db.session.execute(db.select(OffenceUnitCost.offence_type, OffenceUnitCost.cost_gbp,
                                         OffenceUnitCost.price_year, OffenceUnitCost.source)
                               .order_by(OffenceUnitCost.offence_type)).tuples().all())


@pytest.mark.parametrize("target", ["folder", "caseload.xlsx"])
def test_export_then_import_into_an_empty_database_changes_no_figure(app, runner, tmp_path, counts, target):
    with app.app_context():
        build_caseload()
        before = figures_snapshot(YEARS)
        offending_before = offending_snapshot()
    assert any(month["on_scheme"] for year in before.values() for month in year["months"])
    assert len(offending_before[0]) > 60 and len(offending_before[1]) == 2
    path = tmp_path / target
    exported = runner.invoke(args=["export-caseload", str(path)])
    assert exported.exit_code == 0, exported.output
    assert "Warning: 1 clients have no period on the scheme" in exported.stderr and "IOM-0999" in exported.stderr
    with app.app_context():
        wipe()
    assert counts() == EMPTY
    imported = runner.invoke(args=["import", str(path)])
    assert imported.exit_code == 0, imported.output
    with app.app_context():
        assert figures_snapshot(YEARS) == before
        assert offending_snapshot() == offending_before


def test_a_second_export_gives_the_same_files(app, runner, tmp_path):
    with app.app_context():
        build_caseload(seed=11)
        db.session.delete(db.session.scalar(db.select(Client).where(Client.reference == "IOM-0999")))
        db.session.commit()
    assert runner.invoke(args=["export-caseload", str(tmp_path / "first")]).exit_code == 0
    with app.app_context():
        wipe()
    assert runner.invoke(args=["import", str(tmp_path / "first")]).exit_code == 0
    assert runner.invoke(args=["export-caseload", str(tmp_path / "second")]).exit_code == 0
    for name in sorted(os.listdir(tmp_path / "first")):
        first, second = (tmp_path / "first" / name).read_text(), (tmp_path / "second" / name).read_text()
        assert first == second, name


def test_importing_an_export_into_the_same_database_is_refused(app, runner, tmp_path, counts):
    with app.app_context():
        build_caseload(seed=3)
    assert runner.invoke(args=["export-caseload", str(tmp_path / "out")]).exit_code == 0
    before = counts()
    again = runner.invoke(args=["import", str(tmp_path / "out")])
    assert again.exit_code == 1
    assert fault_lines(again)[0] == ("clients.csv:2: reference: IOM-0001 is already a client in the database: the "
                                     "import only adds new clients and never overwrites one, so take this client's "
                                     "rows out of clients.csv")
    assert counts() == before
