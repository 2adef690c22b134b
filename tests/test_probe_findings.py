"""What a probe of the running service found (issue 10, item 8), each pinned by a test."""
from sqlalchemy import select

from iom import create_app
from iom.audit.models import AuditEntry
from iom.extensions import db
from tests.conftest import _base_config
from tests.pages import TEST_TOTP_SECRET, Page, post_form, sign_in
from tests.builders import make_client_for_routes


def entries(app, action=None):
    with app.app_context():
        query = select(AuditEntry).order_by(AuditEntry.seq)
        if action:
            query = query.where(AuditEntry.action == action)
        rows = db.session.scalars(query).all()
        db.session.expunge_all()
        return rows


def client_form(page) -> dict:
    """The edit form as the page fills it in."""
    data = dict(page.input_values)
    data.update(page.selected)
    data.update({name: page.checked(name) for name in ("programme", "alcohol_related")})
    return {key: value for key, value in data.items() if value is not None}


def post_client_edit(app, signed_in, **changes):
    """An officer posts the route walker's edit form back as shown, with the changes."""
    reference = make_client_for_routes(app)["client"]
    client, _ = signed_in("officer")
    data = client_form(Page(client.get(f"/clients/{reference}/edit")))
    return post_form(client, app, f"/clients/{reference}/edit", {**data, **changes})


def test_a_blank_offender_manager_of_spaces_means_not_assigned(app, signed_in):
    response = post_client_edit(app, signed_in, offender_manager_id=" ")
    assert response.status_code == 302


def test_a_nul_in_a_name_is_a_field_error_and_nothing_changes(app, signed_in):
    response = post_client_edit(app, signed_in, given_name="Ro\x00ute")
    assert response.status_code == 400
    page = Page(response)
    assert page.field_errors["given_name-error"].startswith("Given name must not contain hidden special characters")
    assert page.summary_errors
    assert entries(app, "client.updated") == []


def test_a_tab_in_a_case_note_is_kept_but_a_nul_is_refused(app, signed_in):
    reference = make_client_for_routes(app)["client"]
    client, _ = signed_in("officer")
    refused = post_form(client, app, f"/clients/{reference}/notes", {"body": "Seen\x00 at home"})
    assert refused.status_code == 400
    assert "Add a case note must not contain hidden special characters" in Page(refused).field_errors["body-error"]
    kept = post_form(client, app, f"/clients/{reference}/notes", {"body": "Seen\tat home\r\nAll well"})
    assert kept.status_code == 302


def test_a_nul_on_the_signed_out_sign_in_form_is_a_field_error(app, client, make_user):
    _, username = make_user("officer")
    response = sign_in(client, app, username + "\x00")
    assert response.status_code == 200
    assert "Username must not contain hidden special characters" in Page(response).field_errors["username-error"]
    assert entries(app, "sign_in.failed") == []


def test_a_nul_in_a_search_is_a_clear_400(app, signed_in):
    client, _ = signed_in("officer")
    response = client.get("/clients", query_string={"q": "Ann\x00"})
    assert response.status_code == 400
    assert "hidden special character" in response.text


def test_an_unusable_next_after_signing_in_goes_home(app, client, make_user):
    _, username = make_user("officer")
    response = sign_in(client, app, username, query_string="next=/%0d%0aX")
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_administrators_do_not_see_caseload_search_terms(app, make_user):
    _, officer = make_user("officer")
    searcher = app.test_client()
    sign_in(searcher, app, officer)
    assert searcher.get("/clients", query_string={"q": "Zebedee", "officer": ""}).status_code == 200
    (listed,) = entries(app, "clients.listed")
    assert listed.subject_type == "caseload" and listed.changes["filters"][1]["search"] == "Zebedee"
    _, admin = make_user("admin")
    reader = app.test_client()
    sign_in(reader, app, admin)
    page = reader.get("/audit", query_string={"action": "clients.listed"}).text
    assert "clients.listed" in page and "Zebedee" not in page
    _, manager = make_user("manager")
    reader = app.test_client()
    sign_in(reader, app, manager)
    assert "Zebedee" in reader.get("/audit", query_string={"action": "clients.listed"}).text


def test_the_edit_and_custody_forms_are_audited_views(app, signed_in):
    reference = make_client_for_routes(app)["client"]
    client, _ = signed_in("officer")
    assert client.get(f"/clients/{reference}/edit").status_code == 200
    assert client.get(f"/clients/{reference}/custody/new").status_code == 200
    assert post_form(client, app, f"/clients/{reference}/custody/new", {"status": "remand"}).status_code == 400
    summaries = [entry.summary for entry in entries(app, "client.viewed")]
    assert summaries == [f"Viewed client {reference} (edit details form)",
                         f"Viewed client {reference} (record a custody change form)",
                         f"Viewed client {reference} (record a custody change form)"]
    assert {entry.subject_type for entry in entries(app, "client.viewed")} == {"client"}


def test_a_refusal_is_audited_under_the_responses_request_id(app, signed_in):
    client, _ = signed_in("officer")
    response = client.get("/payments/approvals")
    assert response.status_code == 403
    (denied,) = entries(app, "access.denied")
    assert denied.request_id == response.headers["X-Request-ID"]
    assert len(response.headers["X-Request-ID"]) == 32
    assert client.get("/payments/approvals").headers["X-Request-ID"] != response.headers["X-Request-ID"]


def test_a_trusted_proxys_request_id_is_kept_and_a_bad_one_replaced(database_uri):
    app = create_app({**_base_config(database_uri), "PROXY_FIX_HOPS": 1})
    from iom.auth import operations
    with app.app_context():
        operations.create_user("proxied", "officer", "plum orchard lantern 42", actor_label="test",
                               totp_secret=TEST_TOTP_SECRET)
        db.session.commit()
    client = app.test_client()
    sign_in(client, app, "proxied")
    proxy_id = "f47ac10b-58cc-4372-a567-0e02b2c3d479"
    response = client.get("/payments/approvals", headers={"X-Request-ID": proxy_id})
    assert response.status_code == 403 and response.headers["X-Request-ID"] == proxy_id
    assert entries(app, "access.denied")[0].request_id == proxy_id
    for bad in ("x" * 201, "a b", "id;drop"):
        assert client.get("/", headers={"X-Request-ID": bad}).headers["X-Request-ID"] != bad


def test_without_a_trusted_proxy_the_callers_request_id_is_not_used(app, client):
    assert client.get("/login", headers={"X-Request-ID": "chosen-by-caller"}).headers["X-Request-ID"] \
        != "chosen-by-caller"
