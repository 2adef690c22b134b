"""The audit trail's CSV download: the same filters as the page, for the same roles, audited as an
export, ISO dates and UTC times, no cell a spreadsheet would run, read in batches rather than at once."""
import csv
import io
import json
from datetime import date, datetime, timezone

import pytest
import time_machine
from sqlalchemy import select

from iom import audit
from iom.audit import views as audit_views
from iom.audit.models import AuditEntry
from iom.auth.models import User
from iom.clients import operations as client_operations
from iom.extensions import db
from tests.pages import Page, csrf_token, post_form, sign_in


def download(client, app, **filters):
    return post_form(client, app, "/audit/download", filters)


def rows_of(response) -> list[dict]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")  # a byte-order mark, so a spreadsheet reads UTF-8
    return list(csv.DictReader(io.StringIO(text[1:])))


def entries(app, **where) -> list[AuditEntry]:
    with app.app_context():
        query = select(AuditEntry).order_by(AuditEntry.seq)
        for column, value in where.items():
            query = query.where(getattr(AuditEntry, column) == value)
        found = list(db.session.scalars(query))
        db.session.expunge_all()
        return found


@pytest.fixture
def manager(app, client, make_user):
    user_id, username = make_user("manager", display_name="Mo Manager")
    assert sign_in(client, app, username).status_code == 302
    return client, user_id


def test_the_download_is_the_filtered_trail_oldest_first(app, manager):
    client, manager_id = manager
    with app.app_context():
        for number in range(3):
            audit.record("test.entry", f"Entry {number}", subject=("client", 5), changes={"n": [None, number]})
        audit.record("test.entry", "Another record", subject=("client", 6))
        db.session.commit()
    response = download(client, app, subject_type="client", subject_id="5")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="audit-trail-')
    rows = rows_of(response)
    wanted = entries(app, subject_type="client", subject_id="5")
    assert [int(row["entry"]) for row in rows] == [entry.seq for entry in wanted]  # oldest first
    first = rows[0]
    assert list(first) == audit_views.CSV_HEADER
    assert (first["action"], first["what"], first["record_type"], first["record_id"], first["record"]) == \
        ("test.entry", "Test entry", "client", "5", "Client number 5")
    assert first["summary"] == "Entry 0" and json.loads(first["changes"]) == {"n": [None, 0]}
    assert first["entry_hash"] == wanted[0].entry_hash and first["request_id"] == wanted[0].request_id


def test_times_are_utc_and_dates_iso_in_the_file(app, manager):
    client, _ = manager
    with time_machine.travel(datetime(2011, 7, 1, 8, 30, tzinfo=timezone.utc), tick=False):
        with app.app_context():
            audit.record("custody.recorded", "Summer", subject=("client", 9),
                         changes={"from_date": [None, "2011-06-30"], "status": [None, "remand"]})
            db.session.commit()
    [row] = rows_of(download(client, app, subject_id="9"))
    assert row["occurred_at_utc"] == "2011-07-01T08:30:00+00:00"  # 9:30am in London, written in UTC
    assert row["changes_in_words"] == "Status: On remand; From: 2011-06-30"


def test_the_download_is_audited_as_an_export_and_is_not_in_its_own_file(app, manager):
    client, manager_id = manager
    rows = rows_of(download(client, app, action="sign_in.succeeded", **{"from": "1/4/2011"}))
    [exported] = entries(app, action="audit.exported")
    assert exported.actor_id == manager_id
    assert exported.changes == {"format": [None, "csv"], "rows": [None, len(rows)],
                                "filters": [None, {"action": "sign_in.succeeded", "from": "1/4/2011"}]}
    assert exported.summary == f"Downloaded the audit trail as CSV ({len(rows)} {'entry' if len(rows) == 1 else 'entries'})"
    assert len(rows) == 1 and rows[0]["action"] == "sign_in.succeeded"
    everything = rows_of(download(client, app))
    assert [row["action"] for row in everything][-1] == "audit.exported"  # the first download, not this one
    assert len(everything) == len(entries(app)) - 1


def test_no_cell_runs_as_a_formula(app, manager):
    client, _ = manager
    with app.app_context():
        client_operations.add_client({"given_name": "=HYPERLINK(\"http://evil\")", "family_name": "+SUM(A1)"},
                                     strand="catch_convict", joined_on=date(2011, 4, 1))
        audit.record("test.entry", "@cmd|' /C calc'!A0", subject=("client", "-1"))
        db.session.commit()
    text = download(client, app).get_data(as_text=True)
    cells = [cell for row in csv.reader(io.StringIO(text[1:])) for cell in row]
    assert "'@cmd|' /C calc'!A0" in cells and "'-1" in cells
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")]
    assert any(cell.startswith("Given name: =HYPERLINK") for cell in
               (part for cell in cells for part in cell.split("; ")))  # inside a cell, never leading it


def test_administrators_get_which_client_fields_changed_but_never_the_values(app, client, make_user):
    with app.app_context():
        client_operations.add_client({"given_name": "Secret", "family_name": "Person", "pnc_id": "11/123456H"},
                                     strand="catch_convict", joined_on=date(2011, 4, 1))
        db.session.commit()
    _, admin = make_user("admin")
    sign_in(client, app, admin)
    response = download(client, app, subject_type="client")
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "Secret" not in text and "11/123456H" not in text
    [row] = rows_of(response)
    assert json.loads(row["changes"]) == ["alcohol_related", "family_name", "given_name", "joined_on", "pnc_id",
                                          "programme", "strand"]
    assert row["changes_in_words"].startswith("Given name; Family name; PNC ID")
    accounts = rows_of(download(client, app, subject_type="user_account"))
    assert any("Role: Administrator" in row["changes_in_words"] for row in accounts)  # accounts are theirs


@pytest.mark.parametrize("role", ["officer", "housing", "reviewer"])
def test_only_the_audit_trails_roles_may_download_it(app, client, make_user, role):
    user_id, username = make_user(role)
    sign_in(client, app, username)
    assert download(client, app).status_code == 403
    assert entries(app, action="audit.exported") == []
    assert [entry.actor_id for entry in entries(app, action="access.denied")] == [user_id]


def test_signed_out_it_is_the_sign_in_page_and_a_get_is_not_a_download(app, client, manager):
    browser, _ = manager
    assert browser.get("/audit/download").status_code == 405  # a link on another site cannot start one
    assert browser.post("/audit/download").status_code == 400  # nor a form without this session's token
    signed_out = app.test_client()
    response = signed_out.post("/audit/download", data={"csrf_token": csrf_token(signed_out, app)})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert entries(app, action="audit.exported") == []


@pytest.mark.parametrize("filters, field, message", [
    ({"from": "31/2/2011", "user": "1"}, "from", "From date must be a real date, like 27/3/2011"),
    ({"from": "5/5/2011", "to": "4/5/2011"}, "to", "To date must be the same as or after the from date"),
    ({"subject_id": "7\x00"}, "subject_id", "Record number must not contain hidden special characters, such as NUL "
                                           "or other control characters. Type it again rather than pasting it"),
], ids=["not-a-date", "to-before-from", "nul"])
def test_filters_that_are_wrong_give_the_page_that_says_so(app, manager, filters, field, message):
    client, _ = manager
    response = download(client, app, **filters)
    assert response.status_code == 400 and response.headers["Content-Type"].startswith("text/html")
    page = Page(response)
    assert page.title.startswith("Error: ") and page.summary_errors == [message]
    assert 'action="/audit/download"' not in response.get_data(as_text=True)  # no download of a mistake
    assert entries(app, action="audit.exported") == []
    assert page.field_errors[f"{field}-error"] == message
    if field != "subject_id":
        assert page.input_values[field] == filters[field]  # what was typed, kept to correct


def test_the_page_offers_the_download_with_its_filters(app, manager):
    client, _ = manager
    page = client.get("/audit?subject_type=client&subject_id=7&page=2").get_data(as_text=True)
    form = page[page.index('action="/audit/download"'):]
    form = form[:form.index("</form>")]
    assert 'name="subject_type" value="client"' in form and 'name="subject_id" value="7"' in form
    assert 'name="page"' not in form and "Download these entries (CSV)" in form


def test_a_long_trail_is_read_in_batches_not_at_once(app, manager, count_queries, monkeypatch):
    client, _ = manager
    monkeypatch.setattr(audit_views, "CSV_BATCH", 7)
    with app.app_context():
        officer = User(username="busy", display_name="Busy Officer", role="officer", password_hash="x",
                       is_active=True, version=1)
        db.session.add(officer)
        db.session.flush()
        for number in range(40):
            audit.record("test.entry", f"Entry {number}", actor=officer, subject=("client", number))
        db.session.commit()
    wanted = len(entries(app))
    with count_queries() as counter:
        response = download(client, app)
        assert response.is_streamed
        rows = rows_of(response)
    assert len(rows) == wanted and [int(row["entry"]) for row in rows] == sorted(int(row["entry"]) for row in rows)
    batches = [statement for statement in counter.statements
               if "FROM audit_entry" in statement and "LIMIT" in statement]
    assert len(batches) == -(-wanted // 7) + 1  # each batch of 7, then the empty read that ends it
    assert {row["who"] for row in rows if row["action"] == "test.entry"} == {"Busy Officer"}
