"""The review's pages: what a reviewer sees and downloads (each download audited), and the manager's
pages for the self-assessment, its questions, the unit costs, the baseline and pseudonym look-up."""
import json
import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import delete, select

from iom.audit.models import AuditEntry
from iom.extensions import db
from iom.reports.models import SelfAssessmentAnswer, SelfAssessmentQuestion, UnitCost, ValueForMoneyBaseline
from iom.reports.pseudonyms import Pseudonyms
from tests.pages import post_form
from tests.builders import FIRST, client, sac

YEAR = "2011-12"


@pytest.fixture
def caseload(app):
    with app.app_context():
        person = client("IOM-0001", [("catch_convict", date(2010, 1, 1), None)], given="Ottoline",
                        family="Brackenbury", pnc="11/123456H", ward="Quillbrook")
        db.session.execute(delete(SelfAssessmentQuestion))
        db.session.execute(delete(UnitCost))
        for n, principle in enumerate(["All partners tackling offenders together",
                                       "Delivering a local response to local problems"], start=1):
            db.session.add(SelfAssessmentQuestion(principle=principle, text=f"Question {n}?", position=n))
        db.session.add(UnitCost(crime_type="Robbery", cost_gbp=Decimal("11320"), share_percent=Decimal("60"),
                                source="Home Office RR99, Table 1", price_year="2015/16"))
        db.session.commit()
        return person.id


def questions(app):
    with app.app_context():
        return db.session.scalars(select(SelfAssessmentQuestion).order_by(SelfAssessmentQuestion.position)).all()


def audit_actions(app, action):
    with app.app_context():
        return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)).all()


# --- the reviewer ------------------------------------------------------------------------------

def test_reviewer_sees_the_years_and_the_pack_with_charts_and_downloads(app, signed_in, caseload):
    web, _ = signed_in("reviewer")
    home = web.get("/")
    links = re.findall(r'class="govuk-service-navigation__link" href="([^"]+)"', home.text)
    assert "/reports" in links and "/clients" not in links
    index = web.get("/reports")
    assert index.status_code == 200
    assert f'href="/reports/{YEAR}"' in index.text and 'href="/reports/2009-10"' in index.text
    page = web.get(f"/reports/{YEAR}")
    assert page.status_code == 200
    assert page.text.count('<svg xmlns="http://www.w3.org/2000/svg" class="iom-chart') == 2
    assert 'role="img"' in page.text and "Clients counted for the minimum, by month: the figures" in page.text
    for fmt in ("pdf", "xlsx", "csv", "json"):  # a form each, never a link another site could use
        assert f'action="/reports/{YEAR}/download/{fmt}"' in page.text
        assert f'href="/reports/{YEAR}/download/{fmt}"' not in page.text
    assert "Answer the self-assessment" not in page.text           # manager's links hidden
    assert ' style="' not in page.text                              # nothing the CSP would block
    assert audit_actions(app, "report.viewed")[0].subject_id == YEAR


@pytest.mark.parametrize("fmt, content_type, magic", [
    ("json", "application/json", b"{"), ("csv", "text/csv; charset=utf-8", b"\xef\xbb\xbf"),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK"),
    ("pdf", "application/pdf", b"%PDF")])
def test_every_download_is_an_audited_attachment(app, signed_in, caseload, fmt, content_type, magic):
    web, user_id = signed_in("reviewer")
    response = post_form(web, app, f"/reports/{YEAR}/download/{fmt}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type
    assert response.headers["Content-Disposition"] == f'attachment; filename="iom-annual-review-{YEAR}.{fmt}"'
    assert response.headers["Cache-Control"] == "no-store"
    assert response.data.startswith(magic)
    entries = audit_actions(app, "report.downloaded")
    assert len(entries) == 1
    assert (entries[0].actor_id, entries[0].subject_id, entries[0].changes["format"]) == (user_id, YEAR, [None, fmt])


def test_a_download_cannot_be_started_by_a_link_or_another_sites_form(app, signed_in, caseload):
    web, _ = signed_in("reviewer")
    assert web.get(f"/reports/{YEAR}/download/pdf").status_code == 405       # a link or an image: refused
    refused = web.post(f"/reports/{YEAR}/download/pdf", data={})             # a form with no CSRF token
    assert refused.status_code == 400 and not refused.data.startswith(b"%PDF")
    assert audit_actions(app, "report.downloaded") == []


def test_the_json_download_is_the_contract_pack(app, signed_in, caseload):
    web, _ = signed_in("manager")
    data = json.loads(post_form(web, app, f"/reports/{YEAR}/download/json").data)
    assert data["financial_year"] == YEAR and data["pseudonymised"] is True and len(data["months"]) == 12


def test_unknown_years_and_formats_are_not_found(app, signed_in, caseload):
    web, _ = signed_in("reviewer")
    for path in ("/reports/2011-13", "/reports/1990-91"):
        assert web.get(path).status_code == 404, path
    for path in ("/reports/2011-12/download/docx", "/reports/nonsense/download/pdf"):
        assert post_form(web, app, path).status_code == 404, path


def test_reviewer_reaches_nothing_else(app, signed_in, caseload):
    web, _ = signed_in("reviewer")
    for path in ("/clients", "/clients/IOM-0001", "/watch-list", "/audit", "/admin/users",
                 f"/reports/{YEAR}/self-assessment", f"/reports/{YEAR}/baseline", "/reports/questions",
                 "/reports/unit-costs", f"/reports/{YEAR}/pseudonym?code=P-0000000000"):
        assert web.get(path).status_code == 403, path
    assert post_form(web, app, f"/reports/{YEAR}/self-assessment").status_code == 403


def test_manager_sees_the_links_to_the_reviews_inputs(signed_in, caseload):
    web, _ = signed_in("manager")
    page = web.get(f"/reports/{YEAR}")
    assert "Answer the self-assessment for 2011-12" in page.text and "Unit costs of crime" in page.text


# --- self-assessment ---------------------------------------------------------------------------

def test_manager_answers_the_self_assessment(app, signed_in, caseload):
    web, user_id = signed_in("manager")
    first, second = questions(app)
    form = web.get(f"/reports/{YEAR}/self-assessment")
    assert form.status_code == 200 and "All partners tackling offenders together" in form.text
    response = post_form(web, app, f"/reports/{YEAR}/self-assessment", {
        f"rating_{first.id}": "strong", f"evidence_{first.id}": "Monthly tasking meeting with all partners.",
        f"version_{first.id}": "", f"version_{second.id}": ""})
    assert response.status_code == 302
    with app.app_context():
        answer = db.session.scalar(select(SelfAssessmentAnswer))
        assert (answer.financial_year, answer.question_id, answer.rating, answer.answered_by_id) == \
            (YEAR, first.id, "strong", user_id)
        assert db.session.scalar(select(db.func.count()).select_from(SelfAssessmentAnswer)) == 1
    assert len(audit_actions(app, "self_assessment.answered")) == 1
    page = web.get(f"/reports/{YEAR}")
    assert "Monthly tasking meeting with all partners." in page.text and "1 of 2 questions answered" in page.text
    # the saved answer comes back into the form, and saving it again unchanged changes nothing
    again = web.get(f"/reports/{YEAR}/self-assessment")
    assert 'value="strong" checked' in again.text
    assert post_form(web, app, f"/reports/{YEAR}/self-assessment", {
        f"rating_{first.id}": "strong", f"evidence_{first.id}": "Monthly tasking meeting with all partners.",
        f"version_{first.id}": "1", f"version_{second.id}": ""}).status_code == 302
    assert len(audit_actions(app, "self_assessment.answered")) == 1


def test_self_assessment_errors_keep_the_input(app, signed_in, caseload):
    web, _ = signed_in("manager")
    first, second = questions(app)
    base = {f"version_{first.id}": "", f"version_{second.id}": ""}
    no_evidence = post_form(web, app, f"/reports/{YEAR}/self-assessment", {**base, f"rating_{first.id}": "adequate"})
    assert no_evidence.status_code == 400
    assert "Enter the evidence for &#39;All partners tackling offenders together&#39;" in no_evidence.text
    no_rating = post_form(web, app, f"/reports/{YEAR}/self-assessment", {**base, f"evidence_{second.id}": "Some"})
    assert no_rating.status_code == 400 and "Select a rating for" in no_rating.text
    named = post_form(web, app, f"/reports/{YEAR}/self-assessment", {
        **base, f"rating_{first.id}": "weak", f"evidence_{first.id}": "Ottoline Brackenbury was not discussed"})
    assert named.status_code == 400 and "must not identify anyone: it contains a name" in named.text
    assert "Ottoline Brackenbury was not discussed" in named.text       # kept for them to edit
    pnc = post_form(web, app, f"/reports/{YEAR}/self-assessment", {
        **base, f"rating_{first.id}": "weak", f"evidence_{first.id}": "See 11/123456H and Quillbrook"})
    assert pnc.status_code == 400 and "PNC ID" in pnc.text and "ward" in pnc.text
    not_assessed = post_form(web, app, f"/reports/{YEAR}/self-assessment", {**base, f"rating_{first.id}": "not_assessed"})
    assert not_assessed.status_code == 302
    with app.app_context():
        assert [a.rating for a in db.session.scalars(select(SelfAssessmentAnswer))] == ["not_assessed"]


def save_first_answer(web, app, first, second, rating, evidence, version):
    """The self-assessment form with the first question answered and the second left alone."""
    return post_form(web, app, f"/reports/{YEAR}/self-assessment", {
        f"rating_{first.id}": rating, f"evidence_{first.id}": evidence, f"version_{first.id}": version,
        f"version_{second.id}": ""})


def test_a_stale_self_assessment_is_refused(app, signed_in, caseload):
    web, _ = signed_in("manager")
    first, second = questions(app)
    with app.app_context():
        db.session.add(SelfAssessmentAnswer(financial_year=YEAR, question_id=first.id, rating="weak", evidence="Old"))
        db.session.commit()
    response = save_first_answer(web, app, first, second, "strong", "New", version="")
    assert response.status_code == 409 and "changed by someone else" in response.text
    assert "Saved by someone else: <strong>Weak</strong>. Old" in response.text
    assert ">New</textarea>" in response.text                          # their input is kept
    with app.app_context():
        assert db.session.scalar(select(SelfAssessmentAnswer.evidence)) == "Old"
    # saving again after seeing it keeps theirs; a question they left alone never conflicts
    again = save_first_answer(web, app, first, second, "strong", "New", version="1")
    assert again.status_code == 302
    with app.app_context():
        db.session.add(SelfAssessmentAnswer(financial_year=YEAR, question_id=second.id, rating="weak", evidence="B"))
        db.session.commit()
    untouched = save_first_answer(web, app, first, second, "adequate", "Newer", version="2")
    assert untouched.status_code == 302


# --- questions ---------------------------------------------------------------------------------

def test_manager_adds_changes_and_retires_questions(app, signed_in, caseload):
    web, _ = signed_in("manager")
    assert "Delivering a local response" in web.get("/reports/questions").text
    empty = post_form(web, app, "/reports/questions/new", {})
    assert empty.status_code == 400 and "Enter the principle" in empty.text
    added = post_form(web, app, "/reports/questions/new", {
        "principle": "All high-risk offenders in scope", "text": "Are all high-risk offenders considered?",
        "position": "3", "is_active": "yes"})
    assert added.status_code == 302
    question = questions(app)[-1]
    assert (question.principle, question.position, question.is_active) == ("All high-risk offenders in scope", 3, True)
    edit = web.get(f"/reports/questions/{question.id}/edit")
    assert edit.status_code == 200 and 'value="3"' in edit.text
    retired = post_form(web, app, f"/reports/questions/{question.id}/edit", {
        "principle": question.principle, "text": question.text, "position": "3", "is_active": "no",
        "version": str(question.version)})
    assert retired.status_code == 302
    assert questions(app)[-1].is_active is False
    assert f"rating_{question.id}" not in web.get(f"/reports/{YEAR}/self-assessment").text
    stale = post_form(web, app, f"/reports/questions/{question.id}/edit", {
        "principle": "Changed", "text": question.text, "position": "3", "is_active": "yes", "version": "1"})
    assert stale.status_code == 409
    bad_order = post_form(web, app, "/reports/questions/new", {"principle": "P", "text": "T", "position": "x",
                                                               "is_active": "yes"})
    assert bad_order.status_code == 400 and "Order must be a whole number from 0 to 999" in bad_order.text
    assert len(audit_actions(app, "self_assessment_question.added")) == 1
    assert len(audit_actions(app, "self_assessment_question.updated")) == 1


# --- unit costs --------------------------------------------------------------------------------

def test_manager_maintains_unit_costs_with_shares_up_to_100(app, signed_in, caseload):
    web, _ = signed_in("manager")
    listing = web.get("/reports/unit-costs")
    assert "Home Office RR99, Table 1" in listing.text and "2015/16" in listing.text and "£11,320.00" in listing.text
    too_much = post_form(web, app, "/reports/unit-costs/new", {
        "crime_type": "Theft of a vehicle", "cost_gbp": "£10,290", "share_percent": "41",
        "source": "Home Office RR99, Table 1", "price_year": "2015/16"})
    assert too_much.status_code == 400 and "Shares must add up to 100% or less" in too_much.text
    added = post_form(web, app, "/reports/unit-costs/new", {
        "crime_type": "Theft of a vehicle", "cost_gbp": "£10,290", "share_percent": "40%",
        "source": "Home Office RR99, Table 1", "price_year": "2015/16"})
    assert added.status_code == 302
    with app.app_context():
        cost = db.session.scalar(select(UnitCost).where(UnitCost.crime_type == "Theft of a vehicle"))
        assert (cost.cost_gbp, cost.share_percent) == (Decimal("10290.00"), Decimal("40.00"))
        cost_id, version = cost.id, cost.version
    duplicate = post_form(web, app, "/reports/unit-costs/new", {
        "crime_type": "robbery", "cost_gbp": "1", "share_percent": "0", "source": "x", "price_year": "2015/16"})
    assert duplicate.status_code == 400 and "already a unit cost" in duplicate.text
    bad = post_form(web, app, "/reports/unit-costs/new", {"crime_type": "X", "cost_gbp": "12.345",
                                                         "share_percent": "101", "source": "", "price_year": ""})
    assert bad.status_code == 400
    for message in ("Cost must be an amount in pounds and pence", "Share must be a percentage from 0 to 100",
                    "Enter where the cost comes from", "Enter the price year"):
        assert message in bad.text
    edit = web.get(f"/reports/unit-costs/{cost_id}/edit")
    assert 'value="10290.00"' in edit.text and 'value="40"' in edit.text
    changed = post_form(web, app, f"/reports/unit-costs/{cost_id}/edit", {
        "crime_type": "Theft of a vehicle", "cost_gbp": "10290.00", "share_percent": "30",
        "source": "Home Office RR99, Table 1", "price_year": "2015/16", "version": str(version)})
    assert changed.status_code == 302
    assert len(audit_actions(app, "unit_cost.updated")) == 1


# --- baseline and the estimate ------------------------------------------------------------------

def test_manager_sets_the_baseline_and_the_pack_makes_an_estimate(app, signed_in, caseload):
    web, _ = signed_in("manager")
    assert "No estimate is made." in web.get(f"/reports/{YEAR}").text
    with app.app_context():
        for month in range(4, 10):
            sac(date(2010, month, 1), 30)
        sac(FIRST, 20)
        db.session.commit()
    errors = {
        ("2011-03", "2010-04"): "Last month must be the same as or after the first month",
        ("2010-04", "2011-04"): "The baseline must end before the year starts",
        ("April 2010", "2011-03"): "First month must be a month written like 2010-04",
        ("", "2011-03"): "Enter the first month",
    }
    for (start, end), message in errors.items():
        response = post_form(web, app, f"/reports/{YEAR}/baseline",
                             {"baseline_from": start, "baseline_to": end, "version": ""})
        assert response.status_code == 400 and message in response.text, (start, end)
    saved = post_form(web, app, f"/reports/{YEAR}/baseline",
                      {"baseline_from": "2010-04", "baseline_to": "2011-03", "version": ""})
    assert saved.status_code == 302
    page = web.get(f"/reports/{YEAR}").text
    assert "No estimate is made." not in page
    # 30 a month in the baseline, 20 in the one recorded month: 10 avoided x (60% of £11,320 = £6,792)
    assert "£67,920.00" in page and "£6,792.00" in page and "2010-04 to 2011-03" in page
    assert "This is an estimate, not a measured saving." in page
    form = web.get(f"/reports/{YEAR}/baseline")
    assert 'value="2010-04"' in form.text
    with app.app_context():
        version = db.session.get(ValueForMoneyBaseline, YEAR).version
    stale = post_form(web, app, f"/reports/{YEAR}/baseline",
                      {"baseline_from": "2010-05", "baseline_to": "2011-03", "version": ""})
    assert stale.status_code == 409
    removed = post_form(web, app, f"/reports/{YEAR}/baseline/remove", {"version": str(version)})
    assert removed.status_code == 302
    with app.app_context():
        assert db.session.get(ValueForMoneyBaseline, YEAR) is None
    assert [e.action for e in audit_actions(app, "vfm_baseline.set")] == ["vfm_baseline.set"]
    assert len(audit_actions(app, "vfm_baseline.removed")) == 1


# --- pseudonyms --------------------------------------------------------------------------------

def test_manager_finds_the_client_behind_a_pseudonym(app, signed_in, caseload):
    web, _ = signed_in("manager")
    with app.app_context():
        code = Pseudonyms(YEAR)(caseload)
    assert code in web.get(f"/reports/{YEAR}").text          # the case has had no update: it is listed
    found = web.get(f"/reports/{YEAR}/pseudonym?code={code.lower()}")
    assert found.status_code == 200 and "Ottoline Brackenbury (IOM-0001)" in found.text
    other_year = web.get(f"/reports/2012-13/pseudonym?code={code}")
    assert "No client has the pseudonym" in other_year.text
    entries = audit_actions(app, "report.pseudonym_looked_up")
    assert [(e.subject_type, e.subject_id) for e in entries] == [("client", str(caseload)), ("annual_report", "2012-13")]
    assert web.get(f"/reports/{YEAR}/pseudonym").status_code == 200
