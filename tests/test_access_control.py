"""Deny by default: every route in the app has a row here saying what each role gets.

A new route without a row fails test_every_route_has_a_row, so nobody can forget one."""
import pytest
from sqlalchemy import select

from iom.audit.models import AuditEntry
from iom.auth.permissions import ROLES
from iom.clients.models import Client
from iom.extensions import db
from tests.builders import make_alcohol_records_for_routes, make_client_for_routes, make_referrals_for_routes
from tests.pages import csrf_token, sign_in

SIGNED_OUT = None
A, M, O, H, R = "admin", "manager", "officer", "housing", "reviewer"


def only(allowed_status: int, *roles: str) -> dict:
    """allowed_status for the named roles, 403 for every other role, sign-in redirect when signed out."""
    table = {role: (allowed_status if role in roles else 403) for role in ROLES}
    table[SIGNED_OUT] = 302
    return table


def everyone(status: int, signed_out: int = 302) -> dict:
    table = {role: status for role in ROLES}
    table[SIGNED_OUT] = signed_out
    return table


# (endpoint, method, path) -> {role: status}. {target} is another user's id.
TABLE = {
    ("static", "GET", "/static/favicon.svg"): everyone(200, signed_out=200),
    ("auth.health", "GET", "/healthz"): everyone(200, signed_out=200),
    ("auth.login", "GET", "/login"): everyone(302, signed_out=200),
    ("auth.login", "POST", "/login"): everyone(302, signed_out=200),
    ("auth.setup_first_admin", "GET", "/setup/unknown-token"): everyone(404, signed_out=404),
    ("auth.setup_first_admin", "POST", "/setup/unknown-token"): everyone(404, signed_out=404),
    ("auth.change_password", "GET", "/account/password"): everyone(200),
    ("auth.change_password", "POST", "/account/password"): everyone(200),
    ("home.index", "GET", "/"): everyone(200),
    # what a public service must publish: readable by anyone, signed in or not
    ("about.accessibility", "GET", "/accessibility"): everyone(200, signed_out=200),
    ("about.privacy", "GET", "/privacy"): everyone(200, signed_out=200),
    ("about.cookies", "GET", "/cookies"): everyone(200, signed_out=200),
    ("audit.list_entries", "GET", "/audit"): only(200, A, M),
    ("audit.download", "POST", "/audit/download"): only(200, A, M),
    ("accounts.list_users", "GET", "/admin/users"): only(200, A),
    ("accounts.add_user", "GET", "/admin/users/new"): only(200, A),
    ("accounts.add_user", "POST", "/admin/users/new"): only(200, A),
    ("accounts.show_user", "GET", "/admin/users/{target}"): only(200, A),
    ("accounts.change_role", "POST", "/admin/users/{target}/role"): only(400, A),
    ("accounts.reset_password", "POST", "/admin/users/{target}/password"): only(400, A),
    ("accounts.deactivate_user", "POST", "/admin/users/{target}/deactivate"): only(400, A),
    ("accounts.reactivate_user", "POST", "/admin/users/{target}/reactivate"): only(400, A),
    ("watch.list_entries", "GET", "/watch-list"): only(200, M, O),
    ("watch.add_entry", "GET", "/watch-list/new"): only(200, M, O),
    ("watch.add_entry", "POST", "/watch-list/new"): only(400, M, O),
    ("watch.show_entry", "GET", "/watch-list/999999"): only(404, M, O),
    ("watch.edit_entry", "GET", "/watch-list/999999/edit"): only(404, M, O),
    ("watch.edit_entry", "POST", "/watch-list/999999/edit"): only(404, M, O),
    ("watch.close_entry", "POST", "/watch-list/999999/close"): only(404, M, O),
    ("watch.review_entry", "POST", "/watch-list/999999/review"): only(404, M, O),
    ("watch.record_offence", "GET", "/watch-list/999999/offences/new"): only(404, M, O),
    ("watch.record_offence", "POST", "/watch-list/999999/offences/new"): only(404, M, O),
    # the adoption score: how it is worked out (no one named) for officers and managers; its settings managers'
    ("scores.explain", "GET", "/offending/scores"): only(200, M, O),
    ("scores.settings", "GET", "/offending/scores/settings"): only(200, M),
    ("scores.settings", "POST", "/offending/scores/settings"): only(400, M),
    ("clients.list_clients", "GET", "/clients"): only(200, M, O, H),
    ("clients.add_client", "GET", "/clients/new"): only(200, M, O),
    ("clients.add_client", "POST", "/clients/new"): only(400, M, O),
    ("clients.show_client", "GET", "/clients/{client}"): only(200, M, O, H),
    # the client page's parts: the housing specialist sees custody and referrals, never offending,
    # payments, case notes or the change history
    ("clients.show_client", "GET", "/clients/{client}/custody"): only(200, M, O, H),
    ("clients.show_client", "GET", "/clients/{client}/referrals"): only(200, M, O, H),
    ("clients.show_client", "GET", "/clients/{client}/offending"): only(200, M, O),
    ("clients.show_client", "GET", "/clients/{client}/payments"): only(200, M, O),
    ("clients.show_client", "GET", "/clients/{client}/notes"): only(200, M, O),
    ("clients.show_client", "GET", "/clients/{client}/history"): only(200, M, O),
    ("clients.list_duplicates", "GET", "/clients/duplicates"): only(200, M),
    ("clients.mark_different", "POST", "/clients/duplicates/different"): only(400, M),
    ("clients.merge", "GET", "/clients/merge?first={client}&second={client}"): only(400, M),
    ("clients.merge", "POST", "/clients/merge"): only(400, M),
    ("clients.edit_client", "GET", "/clients/{client}/edit"): only(200, M, O),
    ("clients.edit_client", "POST", "/clients/{client}/edit"): only(400, M, O),
    ("clients.adopt", "GET", "/clients/{client}/adopt"): only(200, M, O),
    ("clients.adopt", "POST", "/clients/{client}/adopt"): only(400, M, O),
    ("clients.leave", "GET", "/clients/{client}/periods/{period}/leave"): only(200, M, O),
    ("clients.leave", "POST", "/clients/{client}/periods/{period}/leave"): only(400, M, O),
    ("clients.add_note", "POST", "/clients/{client}/notes"): only(400, M, O),
    ("clients.record_custody", "GET", "/clients/{client}/custody/new"): only(200, M, O),
    ("clients.record_custody", "POST", "/clients/{client}/custody/new"): only(400, M, O),
    # the offending record: officers and managers only, never housing or the reviewer
    # AUDIT-C screenings: health data, for officers and managers only
    ("clients.record_alcohol_screening", "GET", "/clients/{client}/alcohol-screenings/new"): only(200, M, O),
    ("clients.record_alcohol_screening", "POST", "/clients/{client}/alcohol-screenings/new"): only(400, M, O),
    ("clients.correct_alcohol_screening", "GET", "/clients/{client}/alcohol-screenings/{screening}/edit"): only(200, M, O),
    ("clients.correct_alcohol_screening", "POST", "/clients/{client}/alcohol-screenings/{screening}/edit"):
        only(400, M, O),
    ("clients.correct_alcohol_screening", "GET", "/clients/{client}/alcohol-screenings/999999/edit"): only(404, M, O),
    ("clients.record_offence", "GET", "/clients/{client}/offences/new"): only(200, M, O),
    ("clients.record_offence", "POST", "/clients/{client}/offences/new"): only(400, M, O),
    ("clients.correct_offence", "GET", "/clients/{client}/offences/{offence}/edit"): only(200, M, O),
    ("clients.correct_offence", "POST", "/clients/{client}/offences/{offence}/edit"): only(400, M, O),
    ("clients.correct_offence", "GET", "/clients/{client}/offences/999999/edit"): only(404, M, O),
    ("clients.remove_offence", "GET", "/clients/{client}/offences/{offence}/remove"): only(200, M, O),
    ("clients.remove_offence", "POST", "/clients/{client}/offences/{offence}/remove"): only(400, M, O),
    ("clients.remove_offence", "POST", "/clients/{client}/offences/999999/remove"): only(404, M, O),
    ("offending.unit_costs", "GET", "/offending/unit-costs"): only(200, M),
    ("offending.edit_unit_cost", "GET", "/offending/unit-costs/shoplifting"): only(200, M),
    ("offending.edit_unit_cost", "GET", "/offending/unit-costs/arson"): only(404, M),
    ("offending.edit_unit_cost", "POST", "/offending/unit-costs/shoplifting"): only(400, M),
    ("offending.revert_unit_cost", "POST", "/offending/unit-costs/shoplifting/revert"): only(400, M),
    ("payments.ledger", "GET", "/payments"): only(200, M, O),
    ("payments.ledger", "GET", "/payments?year=2011-12"): only(200, M, O),
    ("payments.approvals", "GET", "/payments/approvals"): only(200, M),
    ("payments.budget", "GET", "/payments/budget"): only(200, M),
    ("payments.budget", "POST", "/payments/budget"): only(400, M),
    ("payments.show_payment", "GET", "/payments/999999"): only(404, M, O),
    ("payments.decide", "POST", "/payments/999999/decide"): only(404, M),
    ("payments.record_achievement", "POST", "/payments/999999/achieved"): only(404, M, O),
    ("payments.request_payment", "GET", "/clients/{client}/payments/new"): only(200, M, O),
    ("payments.request_payment", "POST", "/clients/{client}/payments/new"): only(400, M, O),
    ("referrals.add_referral", "GET", "/clients/{client}/referrals/new/housing"): only(200, M, O, H),
    ("referrals.add_referral", "POST", "/clients/{client}/referrals/new/housing"): only(400, M, O, H),
    ("referrals.add_referral", "GET", "/clients/{client}/referrals/new/mental_health"): only(200, M, O),
    ("referrals.add_referral", "POST", "/clients/{client}/referrals/new/mental_health"): only(400, M, O),
    ("referrals.add_referral", "GET", "/clients/{client}/referrals/new/alcohol"): only(200, M, O),
    ("referrals.add_referral", "POST", "/clients/{client}/referrals/new/alcohol"): only(400, M, O),
    ("referrals.show_referral", "GET", "/referrals/{referral}"): only(200, M, O, H),
    ("referrals.edit_referral", "GET", "/referrals/{referral}/edit"): only(200, M, O, H),
    ("referrals.edit_referral", "POST", "/referrals/{referral}/edit"): only(400, M, O, H),
    ("referrals.reopen_referral", "POST", "/referrals/{referral}/reopen"): only(400, M),
    ("referrals.reopen_referral", "POST", "/referrals/{mh_referral}/reopen"): only(400, M),
    # a mental-health referral is hidden from housing: 404, as if it did not exist
    ("referrals.show_referral", "GET", "/referrals/{mh_referral}"): {**only(200, M, O), H: 404},
    ("referrals.edit_referral", "GET", "/referrals/{mh_referral}/edit"): {**only(200, M, O), H: 404},
    ("referrals.edit_referral", "POST", "/referrals/{mh_referral}/edit"): {**only(400, M, O), H: 404},
    # an alcohol services referral is hidden from housing too (health data)
    ("referrals.show_referral", "GET", "/referrals/{alc_referral}"): {**only(200, M, O), H: 404},
    ("referrals.edit_referral", "GET", "/referrals/{alc_referral}/edit"): {**only(200, M, O), H: 404},
    ("referrals.housing_queue", "GET", "/housing"): only(200, M, O, H),
    ("referrals.release_worklist", "GET", "/housing/releases"): only(200, M, O, H),
    ("referrals.list_agencies", "GET", "/referrals/agencies"): only(200, M),
    ("referrals.add_agency", "POST", "/referrals/agencies"): only(400, M),
    ("referrals.edit_agency", "GET", "/referrals/agencies/{agency}/edit"): only(200, M),
    ("referrals.edit_agency", "POST", "/referrals/agencies/{agency}/edit"): only(400, M),
    ("figures.monthly", "GET", "/figures"): only(200, A, M, O, H),
    ("figures.monthly_csv", "GET", "/figures/monthly.csv"): only(200, A, M, O, H),
    ("figures.show_month", "GET", "/figures/months/2011-10"): only(200, A, M, O, H),
    ("figures.record_sac", "POST", "/figures/months/2011-10/sac"): only(400, M),
    ("figures.close_month", "POST", "/figures/months/2011-10/close"): only(400, M),
    ("figures.settings", "GET", "/figures/settings"): only(200, A, M),
    # offending before and after adoption: the cohort's figures, small groups unsuppressed, for managers
    ("figures.reoffending_page", "GET", "/figures/reoffending"): only(200, M),
    ("figures.reoffending_page", "GET", "/figures/reoffending?from=2011-04-01&to=2012-03-31"): only(200, M),
    ("figures.reoffending_page", "GET", "/figures/reoffending?from=2012-04-01&to=2011-03-31"): only(400, M),
    ("figures.reoffending_csv", "GET", "/figures/reoffending.csv?from=2011-04-01&to=2012-03-31"): only(200, M),
    ("figures.reoffending_xlsx", "GET", "/figures/reoffending.xlsx?from=2011-04-01&to=2012-03-31"): only(200, M),
    ("figures.settings", "POST", "/figures/settings"): only(400, A, M),
    ("imports.upload", "GET", "/import"): only(200, M),
    ("imports.upload", "POST", "/import"): only(400, M),
    ("imports.preview", "GET", "/import/" + "x" * 43): only(404, M),
    ("imports.confirm", "POST", "/import/" + "x" * 43 + "/confirm"): only(302, M),
    ("imports.cancel", "POST", "/import/" + "x" * 43 + "/cancel"): only(404, M),
    ("imports.export_caseload", "POST", "/export-caseload"): only(200, M),
    # the end-of-year review: the pack for reviewers, managers and administrators; its inputs for managers
    ("reports.index", "GET", "/reports"): only(200, A, M, R),
    ("reports.show_pack", "GET", "/reports/2011-12"): only(200, A, M, R),
    ("reports.show_pack", "GET", "/reports/1999-00"): only(404, A, M, R),
    # downloads are POSTs with the CSRF token: no link on another site can start one
    ("reports.download", "POST", "/reports/2011-12/download/json"): only(200, A, M, R),
    ("reports.download", "POST", "/reports/2011-12/download/csv"): only(200, A, M, R),
    ("reports.download", "POST", "/reports/2011-12/download/xlsx"): only(200, A, M, R),
    ("reports.download", "POST", "/reports/2011-12/download/pdf"): only(200, A, M, R),
    ("reports.download", "POST", "/reports/2011-12/download/docx"): only(404, A, M, R),
    # the outside reviewer's review: the reviewer designs, writes and signs; the manager answers and
    # reads; the administrator (accounts, not the review) has no part in it. No review exists here yet.
    ("reports.show_review", "GET", "/reports/2011-12/review"): only(200, M, R),
    ("reports.show_review_version", "GET", "/reports/2011-12/review/versions/1"): only(404, M, R),
    ("reports.design_review", "GET", "/reports/2011-12/review/sections"): only(200, R),
    ("reports.design_review", "POST", "/reports/2011-12/review/sections"): only(400, R),
    ("reports.write_findings", "GET", "/reports/2011-12/review/sections/summary"): only(404, R),
    ("reports.write_findings", "POST", "/reports/2011-12/review/sections/summary"): only(404, R),
    ("reports.raise_question", "GET", "/reports/2011-12/review/questions/new"): only(200, R),
    ("reports.raise_question", "POST", "/reports/2011-12/review/questions/new"): only(400, R),
    ("reports.answer_question", "GET", "/reports/2011-12/review/questions/999999/answer"): only(404, M),
    ("reports.answer_question", "POST", "/reports/2011-12/review/questions/999999/answer"): only(404, M),
    ("reports.sign_off_review", "GET", "/reports/2011-12/review/sign-off"): only(200, R),
    ("reports.sign_off_review", "POST", "/reports/2011-12/review/sign-off"): only(400, R),
    ("reports.self_assessment", "GET", "/reports/2011-12/self-assessment"): only(200, M),
    ("reports.self_assessment", "POST", "/reports/2011-12/self-assessment"): only(302, M),
    ("reports.baseline", "GET", "/reports/2011-12/baseline"): only(200, M),
    ("reports.baseline", "POST", "/reports/2011-12/baseline"): only(400, M),
    ("reports.remove_baseline", "POST", "/reports/2011-12/baseline/remove"): only(302, M),
    ("reports.scheme_costs", "GET", "/reports/2011-12/scheme-costs"): only(200, M),
    ("reports.scheme_costs", "POST", "/reports/2011-12/scheme-costs"): only(400, M),
    ("reports.find_pseudonym", "GET", "/reports/2011-12/pseudonym?code=P-0123456789"): only(200, M),
    ("reports.list_questions", "GET", "/reports/questions"): only(200, M),
    ("reports.add_question", "GET", "/reports/questions/new"): only(200, M),
    ("reports.add_question", "POST", "/reports/questions/new"): only(400, M),
    ("reports.edit_question", "GET", "/reports/questions/999999/edit"): only(404, M),
    ("reports.edit_question", "POST", "/reports/questions/999999/edit"): only(404, M),
    ("reports.list_unit_costs", "GET", "/reports/unit-costs"): only(200, M),
    ("reports.add_unit_cost", "GET", "/reports/unit-costs/new"): only(200, M),
    ("reports.add_unit_cost", "POST", "/reports/unit-costs/new"): only(400, M),
    ("reports.edit_unit_cost", "GET", "/reports/unit-costs/999999/edit"): only(404, M),
    ("reports.edit_unit_cost", "POST", "/reports/unit-costs/999999/edit"): only(404, M),
    # the alcohol discussion paper: managers write it and read every version; the reviewer and officers read
    # the published versions (a draft is a 404 to them); housing and administrators are refused (health data)
    ("alcohol_paper.index", "GET", "/alcohol-paper"): only(200, M, O, R),
    ("alcohol_paper.show_year", "GET", "/alcohol-paper/2011-12"): only(200, M, O, R),
    ("alcohol_paper.show_year", "GET", "/alcohol-paper/1999-00"): only(404, M, O, R),
    ("alcohol_paper.show_version", "GET", "/alcohol-paper/2011-12/versions/1"): only(200, M, O, R),
    ("alcohol_paper.show_version", "GET", "/alcohol-paper/2011-12/versions/2"): {**only(404, O, R), M: 200},
    ("alcohol_paper.show_version", "GET", "/alcohol-paper/2011-12/versions/999999"): only(404, M, O, R),
    ("alcohol_paper.download_pdf", "GET", "/alcohol-paper/2011-12/versions/1.pdf"): only(200, M, O, R),
    ("alcohol_paper.download_pdf", "GET", "/alcohol-paper/2011-12/versions/2.pdf"): {**only(404, O, R), M: 200},
    ("alcohol_paper.edit_version", "GET", "/alcohol-paper/2011-12/versions/2/edit"): only(200, M),
    ("alcohol_paper.edit_version", "GET", "/alcohol-paper/2011-12/versions/1/edit"): only(200, M),
    ("alcohol_paper.edit_version", "POST", "/alcohol-paper/2011-12/versions/2/edit"): only(400, M),
    ("alcohol_paper.edit_version", "POST", "/alcohol-paper/2011-12/versions/1/edit"): only(400, M),
    ("alcohol_paper.publish_version", "POST", "/alcohol-paper/2011-12/versions/2/publish"): only(400, M),
    ("alcohol_paper.start_draft", "POST", "/alcohol-paper/2011-12/drafts"): only(302, M),
    # last: signing out ends the session the rows above used
    ("auth.logout", "POST", "/logout"): everyone(302),
}


def test_every_route_has_a_row(app):
    covered = {(endpoint, method) for endpoint, method, _ in TABLE}
    missing = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if (rule.endpoint, method) not in covered:
                missing.append(f"{method} {rule.rule} ({rule.endpoint})")
    assert not missing, "routes with no access-control row: " + ", ".join(missing)


def test_every_row_is_a_real_route(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert {endpoint for endpoint, _, _ in TABLE} <= endpoints


@pytest.mark.parametrize("role", [*ROLES, SIGNED_OUT])
def test_each_role_gets_what_the_table_says(app, client, make_user, role):
    target_id, _ = make_user("officer", username="target.user")
    places = {"target": target_id, **make_client_for_routes(app)}
    places.update(make_referrals_for_routes(app, places["client"]))
    places.update(make_alcohol_records_for_routes(app, places["client"]))
    if role is not None:
        _, username = make_user(role)
        assert sign_in(client, app, username).status_code == 302
    wrong = []
    for (endpoint, method, path), expected in TABLE.items():
        url = path.format(**places)
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={"csrf_token": csrf_token(client, app)})
        if response.status_code != expected[role]:
            wrong.append(f"{method} {url}: expected {expected[role]}, got {response.status_code}")
        if expected[role] == 302 and role is None:
            assert response.headers["Location"].startswith("/login"), url
    assert not wrong, f"role {role}: " + "; ".join(wrong)


def test_a_refusal_is_audited(app, signed_in):
    client, _ = signed_in("officer")
    assert client.get("/admin/users").status_code == 403
    from sqlalchemy import select

    from iom.audit.models import AuditEntry
    from iom.extensions import db
    with app.app_context():
        assert "access.denied" in db.session.scalars(select(AuditEntry.action)).all()


# --- every page that shows a person's details writes its audit entry ----------------------------
# Walks the access-control table: every page (GET) addressed by a client, a scheme period or a
# referral is opened by a role that may see it, and must write an audit entry in that very request
# (found by the response's X-Request-ID) whose subject is the person or their referral. A new page
# about a person that forgets its audit entry fails here.

PERSON_PLACES = ("{client}", "{period}", "{offence}", "{referral}", "{mh_referral}", "{screening}", "{alc_referral}")
PREFERRED_ROLES = ("officer", "manager", "housing")

PERSON_PAGES = sorted(
    (endpoint, path, next(role for role in PREFERRED_ROLES if expected.get(role) == 200))
    for (endpoint, method, path), expected in TABLE.items()
    if method == "GET" and any(place in path for place in PERSON_PLACES)
    and any(expected.get(role) == 200 for role in PREFERRED_ROLES))


def test_the_walk_finds_the_pages_about_a_person():
    endpoints = {endpoint for endpoint, _, _ in PERSON_PAGES}
    assert {"clients.show_client", "clients.edit_client", "clients.record_custody",
            "payments.request_payment", "referrals.add_referral", "referrals.show_referral",
            "referrals.edit_referral", "clients.record_offence", "clients.correct_offence",
            "clients.remove_offence"} <= endpoints


@pytest.mark.parametrize("endpoint, path, role", PERSON_PAGES, ids=[f"{e} {p}" for e, p, _ in PERSON_PAGES])
def test_a_page_showing_a_person_writes_its_audit_entry(app, signed_in, endpoint, path, role):
    places = make_client_for_routes(app)
    places.update(make_referrals_for_routes(app, places["client"]))
    places.update(make_alcohol_records_for_routes(app, places["client"]))
    browser, _ = signed_in(role)
    response = browser.get(path.format(**places))
    assert response.status_code == 200, response.text
    request_id = response.headers["X-Request-ID"]
    with app.app_context():
        client_id = db.session.scalar(select(Client.id).where(Client.reference == places["client"]))
        subjects = {(entry.subject_type, entry.subject_id) for entry in db.session.scalars(
            select(AuditEntry).where(AuditEntry.request_id == request_id))}
    about_the_person = {("client", str(client_id)), ("referral", str(places["referral"])),
                        ("referral", str(places["mh_referral"])), ("referral", str(places["alc_referral"]))}
    assert subjects & about_the_person, f"{endpoint} showed a person and wrote no audit entry about them: {subjects}"
