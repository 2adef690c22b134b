"""Deny by default: every route in the app has a row here saying what each role gets.

A new route without a row fails test_every_route_has_a_row, so nobody can forget one."""
import pytest
from sqlalchemy import select

from iom.audit.models import AuditEntry
from iom.auth.permissions import ROLES
from iom.clients.models import Client
from iom.extensions import db
from tests.builders import make_alcohol_records_for_routes, make_client_for_routes, make_referrals_for_routes
from tests.access_table import SIGNED_OUT, TABLE
from tests.pages import csrf_token, sign_in


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
