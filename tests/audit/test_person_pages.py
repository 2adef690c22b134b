"""Every page that shows a person's details writes its audit entry.

Walks the access-control table: every page (GET) addressed by a client, a scheme period or a
referral is opened by a role that may see it, and must write an audit entry in that very request
(found by the response's X-Request-ID) whose subject is the person or their referral. A new page
about a person that forgets its audit entry fails here."""
import pytest
from sqlalchemy import select

from iom.audit.models import AuditEntry
from iom.clients.models import Client
from iom.extensions import db
from tests.test_access_control import (TABLE, make_client_for_routes,
                                       make_referrals_for_routes)

PERSON_PLACES = ("{client}", "{period}", "{referral}", "{mh_referral}")
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
            "referrals.edit_referral"} <= endpoints


@pytest.mark.parametrize("endpoint, path, role", PERSON_PAGES, ids=[f"{e} {p}" for e, p, _ in PERSON_PAGES])
def test_a_page_showing_a_person_writes_its_audit_entry(app, signed_in, endpoint, path, role):
    places = make_client_for_routes(app)
    places.update(make_referrals_for_routes(app, places["client"]))
    browser, _ = signed_in(role)
    response = browser.get(path.format(**places))
    assert response.status_code == 200, response.text
    request_id = response.headers["X-Request-ID"]
    with app.app_context():
        client_id = db.session.scalar(select(Client.id).where(Client.reference == places["client"]))
        subjects = {(entry.subject_type, entry.subject_id) for entry in db.session.scalars(
            select(AuditEntry).where(AuditEntry.request_id == request_id))}
    about_the_person = {("client", str(client_id)), ("referral", str(places["referral"])),
                        ("referral", str(places["mh_referral"]))}
    assert subjects & about_the_person, f"{endpoint} showed a person and wrote no audit entry about them: {subjects}"
