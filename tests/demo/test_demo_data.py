"""`flask --app iom demo-data`: a fictional caseload that keeps every caseload rule."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from iom.audit import verify_chain
from iom.audit.models import AuditEntry
from iom.clients.models import CaseNote, Client, SchemePeriod
from iom.clients.queries import custody_status_on
from iom.clock import today_in_london
from iom.custody.models import CustodyEvent
from iom.demo.caseload import Caseload
from iom.demo.commands import DEMO_PASSWORD
from iom.extensions import db
from iom.form_fields import pnc_id_problem
from iom.watch.models import WatchEntry
from tests.pages import Page, post_form, sign_in


def ensure_review_questions(app):
    """The questions migration 0003 seeds, as `make demo`'s database has them (the PostgreSQL test
    database is emptied between tests, seeded rows too)."""
    from iom.reports import operations as reports
    from iom.reports.models import SelfAssessmentQuestion
    with app.app_context():
        if db.session.scalar(select(func.count()).select_from(SelfAssessmentQuestion)) == 0:
            for position, principle in enumerate(["All partners tackling offenders together",
                                                  "Delivering a local response to local problems",
                                                  "All high-risk offenders in scope"], start=1):
                reports.add_question({"principle": principle, "text": f"How well does the scheme do this? ({principle})",
                                      "position": position, "is_active": True})
            db.session.commit()


@pytest.fixture
def demo(app, runner):
    ensure_review_questions(app)
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    assert "Everything in it is fictional" in result.output
    with app.app_context():
        yield


def check_about_eighty_clearly_fictional_clients():
    clients = db.session.scalars(select(Client)).all()
    assert 70 <= len(clients) <= 90
    for client in clients:
        assert client.family_name.startswith("Demo-"), client.full_name
        assert client.ward.endswith("(demo)"), client.ward
        assert client.pnc_id and pnc_id_problem(client.pnc_id) is None, client.pnc_id
        assert client.date_of_birth < today_in_london()
    assert len({client.pnc_id for client in clients}) == len(clients)
    assert {client.programme for client in clients} == {"ppo", "dip", "youth", "other"}
    assert {client.alcohol_related for client in clients} == {"yes", "no", "unknown"}
    managers = db.session.execute(select(Client.offender_manager_id, func.count())
                                  .group_by(Client.offender_manager_id)).all()
    assert len([manager for manager, _ in managers if manager is not None]) == 3
    strands = dict(db.session.execute(select(SchemePeriod.strand, func.count()).group_by(SchemePeriod.strand)).all())
    assert set(strands) == {"prevent_deter", "catch_convict", "resettle_rehabilitate"}
    assert strands["prevent_deter"] < strands["catch_convict"] + strands["resettle_rehabilitate"]
    assert db.session.scalar(select(func.count()).select_from(CaseNote)) > 0


def check_scheme_periods_keep_the_rules_and_include_re_adoptions():
    today = today_in_london()
    periods: dict[int, list[SchemePeriod]] = {}
    for period in db.session.scalars(select(SchemePeriod).order_by(SchemePeriod.client_id, SchemePeriod.joined_on)):
        periods.setdefault(period.client_id, []).append(period)
    for client_periods in periods.values():
        for period in client_periods:
            assert period.joined_on <= today
            assert today - period.joined_on <= timedelta(days=800)
            assert period.left_on is None or period.joined_on <= period.left_on <= today
            assert (period.left_on is None) == (period.exit_reason is None)
        for earlier, later in zip(client_periods, client_periods[1:]):
            assert earlier.left_on is not None and earlier.left_on < later.joined_on, "overlapping periods"
    assert any(len(client_periods) >= 2 for client_periods in periods.values()), "nobody was re-adopted"
    assert any(p.exit_reason for client_periods in periods.values() for p in client_periods)
    on_scheme_today = sum(1 for client_periods in periods.values() if any(p.covers(today) for p in client_periods))
    assert 60 <= on_scheme_today <= 90


def check_the_monthly_count_hovers_around_the_minimum():
    today = today_in_london()
    periods = db.session.scalars(select(SchemePeriod).where(SchemePeriod.strand != "prevent_deter")).all()
    counts = []
    month_end = today.replace(day=1) - timedelta(days=1)
    for _ in range(23):
        counts.append(sum(1 for period in periods if period.covers(month_end)))
        month_end = month_end.replace(day=1) - timedelta(days=1)
    assert all(60 <= count <= 80 for count in counts), counts
    assert any(count >= 70 for count in counts) and any(count < 72 for count in counts), counts


def check_custody_history_keeps_the_rules_and_someone_is_inside_today():
    today = today_in_london()
    events = db.session.scalars(select(CustodyEvent).order_by(CustodyEvent.client_id, CustodyEvent.from_date)).all()
    assert {event.status for event in events} == {"remand", "custody", "community"}
    assert all(event.from_date <= today for event in events)
    assert len({(event.client_id, event.from_date) for event in events}) == len(events)
    for event in events:
        if event.status == "community":
            assert event.establishment is None and event.expected_release_on is None
        else:
            assert event.establishment
        assert event.expected_release_on is None or event.expected_release_on >= event.from_date
    statuses = dict(db.session.execute(select(Client.id, custody_status_on(today))).all())
    inside = [client_id for client_id, status in statuses.items() if status != "community"]
    assert inside and len(inside) < len(statuses) / 2
    latest = {event.client_id: event for event in events}
    assert any(event.status == "custody" and event.expected_release_on is not None
               and today < event.expected_release_on <= today + timedelta(days=28)
               for event in latest.values()), "nobody is due out in the next 28 days"


def check_the_watch_list_has_overdue_reviews_an_adoption_and_closed_entries():
    today = today_in_london()
    entries = db.session.scalars(select(WatchEntry)).all()
    assert 8 <= len(entries) <= 12
    assert any(entry.is_open and entry.next_review_on is not None and entry.next_review_on < today
               for entry in entries)
    adopted = [entry for entry in entries if entry.outcome == "adopted"]
    assert len(adopted) == 1 and adopted[0].client_id is not None
    client = db.session.get(Client, adopted[0].client_id)
    assert client.family_name == adopted[0].family_name
    assert any(entry.outcome not in (None, "adopted") for entry in entries)
    for entry in entries:
        assert entry.family_name.startswith("Demo-")
        assert pnc_id_problem(entry.pnc_id) is None
        assert entry.added_on <= today and (entry.closed_on is None or entry.added_on <= entry.closed_on <= today)


def test_creates_a_fictional_caseload_that_keeps_every_rule(demo):
    # One run of the command checked from several sides: each run takes a few seconds.
    check_about_eighty_clearly_fictional_clients()
    check_scheme_periods_keep_the_rules_and_include_re_adoptions()
    check_the_monthly_count_hovers_around_the_minimum()
    check_custody_history_keeps_the_rules_and_someone_is_inside_today()
    check_the_watch_list_has_overdue_reviews_an_adoption_and_closed_entries()


def test_everything_is_audited_and_running_it_again_adds_nothing(demo, runner):
    report = verify_chain()
    assert report.is_intact, report.problem
    actions = dict(db.session.execute(select(AuditEntry.action, func.count()).group_by(AuditEntry.action)).all())
    assert actions["client.added"] == db.session.scalar(select(func.count()).select_from(Client))
    assert actions["custody.recorded"] == db.session.scalar(select(func.count()).select_from(CustodyEvent))
    assert actions["case_note.added"] == db.session.scalar(select(func.count()).select_from(CaseNote))
    for action in ("scheme_period.adopted", "scheme_period.left", "watch_entry.added", "watch_entry.adopted",
                   "watch_entry.closed", "watch_entry.reviewed"):
        assert actions.get(action), action
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 0 and "intact" in result.output

    def counts():
        return [db.session.scalar(select(func.count()).select_from(model))
                for model in (Client, SchemePeriod, CustodyEvent, CaseNote, WatchEntry, AuditEntry)]
    before = counts()
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 0
    assert "already has accounts" in result.output
    db.session.expire_all()
    assert counts() == before


def test_the_demo_manager_can_browse_the_caseload(app, demo):
    web = app.test_client()
    assert sign_in(web, app, "demo.manager", DEMO_PASSWORD).status_code == 302
    page = web.get("/clients?officer=&scheme=all")
    assert page.status_code == 200
    assert "Demo-" in page.text and "(demo)" in page.text
    reference = db.session.scalar(select(Client.reference).order_by(Client.id))
    assert web.get(f"/clients/{reference}").status_code == 200


def test_every_demo_account_signs_in_with_the_published_demo_secret(app, demo, runner):
    """The demo's second factor is a known secret (demo only): the printed code of the moment signs in."""
    import pyotp

    from iom.auth.models import User
    from iom.demo.commands import DEMO_TOTP_SECRET
    from iom.clock import utcnow
    assert set(db.session.scalars(select(User.totp_secret))) == {DEMO_TOTP_SECRET}
    printed = runner.invoke(args=["demo-code"]).output.strip()
    totp = pyotp.TOTP(DEMO_TOTP_SECRET)
    assert printed in {totp.at(utcnow()), totp.at(utcnow().timestamp() - 30)}
    web = app.test_client()
    post_form(web, app, "/login", {"username": "demo.officer", "password": DEMO_PASSWORD})
    assert post_form(web, app, "/login/code", {"code": printed}).headers["Location"] == "/"


def test_the_same_seed_plans_the_same_caseload():
    today = today_in_london()
    officers = [1, 2, 3, None]

    def plan(seed):
        caseload = Caseload(seed, today)
        caseload.plan(officers)
        return [(c.details, c.periods, c.custody) for c in caseload.planned]
    assert plan(2011) == plan(2011)
    assert plan(2011) != plan(2012)


def test_every_section_of_the_demo_has_something_to_show(demo):
    from iom.auth.models import User
    from iom.years import FinancialYear
    from iom.payments.models import SupportPayment
    from iom.referrals.models import Agency, Referral
    from iom.reports.models import SelfAssessmentAnswer, SelfAssessmentQuestion, ValueForMoneyBaseline
    managers = db.session.scalars(select(User.username).where(User.role == "manager")).all()
    assert sorted(managers) == ["demo.manager", "demo.manager2"]
    agencies = db.session.scalars(select(Agency)).all()
    assert {agency.kind for agency in agencies} == {"housing", "mental_health", "both", "alcohol"}
    assert all(agency.name.endswith("(demo)") and agency.is_active for agency in agencies)
    referrals = db.session.scalars(select(Referral)).all()
    assert {referral.kind for referral in referrals} == {"housing", "mental_health", "alcohol"}
    assert any(referral.agency_id for referral in referrals) and any(referral.agency_other for referral in referrals)
    payments = db.session.scalars(select(SupportPayment)).all()
    waiting = [payment for payment in payments if payment.status == "requested"]
    requesters = {db.session.get(User, payment.requested_by_id).role for payment in waiting}
    assert requesters == {"officer", "manager"}
    approved = [payment for payment in payments if payment.status == "approved"]
    assert sum(p.amount_gbp for p in approved if p.purpose == "proof_of_qualifications") == 70
    assert all(payment.detail for payment in payments)
    this_year = FinancialYear.of(today_in_london()).label
    last_year = FinancialYear.of(FinancialYear.parse(this_year).first_day - timedelta(days=1)).label
    questions = db.session.scalar(select(func.count()).select_from(SelfAssessmentQuestion)
                                  .where(SelfAssessmentQuestion.is_active))
    answers = dict(db.session.execute(select(SelfAssessmentAnswer.financial_year, func.count())
                                      .group_by(SelfAssessmentAnswer.financial_year)).all())
    assert answers == {last_year: questions, this_year: 2}
    baselines = {b.financial_year: b for b in db.session.scalars(select(ValueForMoneyBaseline))}
    assert set(baselines) == {last_year, this_year}
    for year, baseline in baselines.items():
        assert baseline.baseline_to < FinancialYear.parse(year).first_day <= baseline.baseline_to + timedelta(days=31)


def test_the_watch_list_has_adoption_scores_to_show(demo):
    from iom.offending.models import Offence
    from iom.offending.scores import everyone_scored
    entries = {entry.id: entry for entry in db.session.scalars(select(WatchEntry))}
    scored = [score for score in everyone_scored(today_in_london()) if score.watch_entry_id is not None]
    flagged = [score for score in scored if score.is_at_threshold and entries[score.watch_entry_id].is_open]
    assert len(scored) == 4 and len(flagged) == 1
    # the adopted entry's offences moved to its client
    adopted = next(entry for entry in entries.values() if entry.outcome == "adopted")
    moved = db.session.scalars(select(Offence.client_id).where(Offence.client_id == adopted.client_id)).all()
    assert len(moved) == 2


def test_the_second_manager_approves_the_first_managers_request(app, runner):
    # Requests are made outside an app context here, so each test client signs in as its own user.
    from iom.auth.models import User
    from iom.payments.models import SupportPayment
    assert runner.invoke(args=["demo-data"]).exit_code == 0
    with app.app_context():
        manager = db.session.scalar(select(User.id).where(User.username == "demo.manager"))
        payment = db.session.scalar(select(SupportPayment).where(SupportPayment.status == "requested",
                                                                 SupportPayment.requested_by_id == manager))
        payment_id, version = payment.id, payment.version
    own = app.test_client()
    assert sign_in(own, app, "demo.manager", DEMO_PASSWORD).status_code == 302
    assert "another manager must approve or reject it" in own.get(f"/payments/{payment_id}").text
    other = app.test_client()
    assert sign_in(other, app, "demo.manager2", DEMO_PASSWORD).status_code == 302
    assert "Safety boots" in other.get("/payments/approvals").text
    decided = post_form(other, app, f"/payments/{payment_id}/decide",
                        {"decision-decision": "approve", "decision-note": "", "decision-version": str(version)})
    assert decided.status_code == 302, Page(decided).summary_errors
    with app.app_context():
        assert db.session.get(SupportPayment, payment_id).status == "approved"


def test_the_reviewer_sees_a_pack_with_answers_and_a_baseline(app, demo):
    from iom.years import FinancialYear
    this_year = FinancialYear.of(today_in_london()).label
    last_year = FinancialYear.of(FinancialYear.parse(this_year).first_day - timedelta(days=1)).label
    web = app.test_client()
    assert sign_in(web, app, "demo.reviewer", DEMO_PASSWORD).status_code == 302
    page = web.get(f"/reports/{last_year}")
    assert page.status_code == 200
    assert "Fortnightly partnership meeting" in page.text
    # a draft of the year's review to carry on with: sections, findings and an answered question
    review = web.get(f"/reports/{last_year}/review").text
    assert "County Council (demo)" in review and "The minimum of 70 was met in most months" in review
    assert "How are clients chosen for the Resettle and Rehabilitate strand?" in review
    assert "At the monthly partnership meeting" in review
