"""Referrals to alcohol services: a third kind with the same lifecycle as the others and its own
outcomes, made to alcohol agencies, for officers and managers only (housing never sees one), and
counted in the review pack beside housing and mental health."""
from datetime import date, timedelta

from sqlalchemy import select

from iom.extensions import db
from iom.figures import monthly
from iom.referrals.models import REFERRAL_OUTCOMES, Referral
from iom.years import FinancialYear
from tests.builders import TODAY, client, referral, referral_form
from tests.pages import post_form


def kinds_of(app) -> list[tuple[str, str, str | None]]:
    with app.app_context():
        return [(r.kind, r.status, r.outcome) for r in db.session.scalars(select(Referral).order_by(Referral.id))]


def test_an_officer_makes_an_alcohol_referral_to_an_alcohol_agency_and_closes_it(app, signed_in, make_client,
                                                                                   make_agency):
    web, _ = signed_in("officer")
    ref = make_client()
    alcohol = make_agency("Community Alcohol Team", "alcohol")
    make_agency("Southmere Resettlement Trust", "both")  # housing and mental health: not alcohol services
    page = web.get(f"/clients/{ref}/referrals")
    assert f'href="/clients/{ref}/referrals/new/alcohol"' in page.text
    assert "Make an alcohol services referral" in page.text
    form = web.get(f"/clients/{ref}/referrals/new/alcohol")
    assert "Community Alcohol Team" in form.text and "Southmere" not in form.text
    assert "Duty to Refer" not in form.text and "Treatment completed" in form.text
    made = post_form(web, app, f"/clients/{ref}/referrals/new/alcohol",
                     referral_form("alcohol", agency_id=str(alcohol), agency_other=""))
    assert made.status_code == 302, made.text
    referral_id = int(made.headers["Location"].rsplit("/", 1)[1])
    edit = web.get(f"/referrals/{referral_id}/edit")
    assert edit.status_code == 200
    closed = post_form(web, app, f"/referrals/{referral_id}/edit", referral_form(
        "alcohol", agency_id=str(alcohol), agency_other="", status="completed", closed_on=TODAY,
        outcome="treatment_started", next_action="", next_action_due_on=None, version="1"))
    assert closed.status_code == 302, closed.text
    assert kinds_of(app) == [("alcohol", "completed", "treatment_started")]


def test_an_alcohol_referral_takes_only_its_own_outcomes(app, signed_in, make_client):
    web, _ = signed_in("manager")
    ref = make_client()
    refused = post_form(web, app, f"/clients/{ref}/referrals/new/alcohol", referral_form(
        "alcohol", status="completed", closed_on=TODAY, outcome="settled_accommodation"))
    assert refused.status_code == 400 and kinds_of(app) == []
    assert set(REFERRAL_OUTCOMES["alcohol"]) == {"assessed", "treatment_started", "treatment_completed",
                                                 "did_not_engage", "not_eligible", "other"}


def test_housing_never_sees_an_alcohol_referral(app, signed_in, make_client):
    web, _ = signed_in("housing")
    ref = make_client()
    with app.app_context():
        from tests.builders import client_named
        row = referral(client_named(ref), "alcohol", TODAY - timedelta(days=3), agency_other="Recovery service")
        db.session.commit()
        referral_id = row.id
    page = web.get(f"/clients/{ref}/referrals")
    assert "Recovery service" not in page.text and "referrals/new/alcohol" not in page.text
    assert web.get(f"/referrals/{referral_id}").status_code == 404
    assert web.get(f"/clients/{ref}/referrals/new/alcohol").status_code == 403


def test_the_pack_counts_alcohol_referrals_beside_the_others(ctx):
    person = client("A", [("catch_convict", date(2011, 1, 1), None)])
    referral(person, "alcohol", date(2011, 5, 1), "completed", date(2011, 6, 1), "assessed")
    referral(person, "alcohol", date(2011, 7, 1))
    counts = monthly.referrals(FinancialYear.parse("2011-12"))
    assert list(counts) == ["housing", "mental_health", "alcohol"]
    assert counts["alcohol"] == {"made": 2, "completed": 1, "open_at_year_end": 1}


def test_the_database_refuses_an_unknown_kind(ctx):
    import pytest
    from sqlalchemy.exc import IntegrityError
    person = client("A", [("catch_convict", date(2011, 1, 1), None)])
    with pytest.raises(IntegrityError):
        referral(person, "beer", date(2011, 5, 1))
    db.session.rollback()
