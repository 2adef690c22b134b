"""The data protection pages: the retention review list (a fixed number of queries), the disposal form's
refusals and success, the subject access downloads (audited POSTs), and `retention-review`."""
import io
import json
from datetime import date

from pypdf import PdfReader
from sqlalchemy import select

from iom.clients.models import Client
from iom.data_protection import retention
from iom.extensions import db
from tests.builders import TODAY, add_clients, audit_entries, database_url, every_row, old_caseload, state_of, years_ago
from tests.pages import post_form, sign_in, text_of


def reference_id(app, reference):
    with app.app_context():
        return db.session.scalar(select(Client.id).where(Client.reference == reference))


def test_the_list_shows_who_is_due_and_runs_the_same_queries_however_long(app, signed_in, count_queries):
    people = old_caseload(app)
    web, _ = signed_in("manager")
    response = web.get("/data-protection/retention")
    assert response.status_code == 200
    page = text_of(response)
    assert people["gone"] in page and people["quiet"] in page
    assert people["recent"] not in page and people["current"] not in page
    assert "more than 6 years ago" in page
    assert audit_entries(app, "retention.listed")

    with count_queries() as short:
        web.get("/data-protection/retention")
    add_clients(app, 40, joined_on=years_ago(12), left_on=years_ago(9), prefix="LONG")
    with count_queries() as long:
        response = web.get("/data-protection/retention")
    assert response.text.count('class="govuk-table__row"') == 1 + 2 + 40
    assert long.count == short.count


def test_disposing_through_the_page(app, signed_in):
    people = old_caseload(app)
    web, _ = signed_in("manager")
    client_id = reference_id(app, people["gone"])
    page = web.get(f"/data-protection/retention/{people['gone']}")
    assert page.status_code == 200 and "Erase their personal data" in page.text
    version = state_of(app, Client, client_id)["version"]

    response = post_form(web, app, f"/data-protection/retention/{people['gone']}",
                         {"reason": "Left in the year before last review; nothing open", "version": version})

    assert response.status_code == 302 and response.headers["Location"].endswith("/data-protection/retention")
    assert state_of(app, Client, client_id)["disposed_at"] is not None
    entry = audit_entries(app, "client.disposed")[-1]
    assert entry.actor_label.startswith("manager")
    assert "was erased" in text_of(web.get("/data-protection/retention"))  # the message, once
    assert people["gone"] not in text_of(web.get("/data-protection/retention"))


def test_bad_disposals_say_why_and_change_nothing(app, signed_in):
    people = old_caseload(app)
    web, _ = signed_in("manager")
    gone_id = reference_id(app, people["gone"])
    version = state_of(app, Client, gone_id)["version"]
    before = every_row(database_url(app))
    for reference, form, status, words in (
            (people["gone"], {"reason": "", "version": version}, 400, "Enter why this record is being disposed of"),
            (people["gone"], {"reason": "Gone", "version": version - 1}, 409, "changed by someone else"),
            (people["gone"], {"reason": "Gone"}, 400, "This page is out of date"),
            (people["recent"], {"reason": "Gone", "version": 1}, 400, "is not due for review"),
            ("NO-SUCH-ONE", {"reason": "Gone", "version": 1}, 404, "")):
        response = post_form(web, app, f"/data-protection/retention/{reference}", form)
        assert response.status_code == status, (reference, form, response.text[:300])
        assert words in text_of(response)
        if status != 404:
            assert "There is a problem" in response.text or "is not due" in text_of(response)
    after = every_row(database_url(app))
    assert {name: rows for name, rows in after.items() if not name.startswith(("audit", "user_session"))} == \
        {name: rows for name, rows in before.items() if not name.startswith(("audit", "user_session"))}


def test_the_subject_access_export_as_json_and_a_tagged_pdf(app, signed_in):
    people = old_caseload(app)
    web, _ = signed_in("manager")
    reference = people["gone"]
    assert web.get(f"/data-protection/subject-access/{reference}").status_code == 200
    assert web.get(f"/data-protection/subject-access/{reference}/json").status_code == 405

    response = post_form(web, app, f"/data-protection/subject-access/{reference}/json")

    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    record = json.loads(response.data)
    assert record["identity"]["given_name"] == "Gwendolyn" and record["identity"]["date_of_birth"] == "1990-06-15"
    assert len(record["scheme_periods"]) == 2 and len(record["custody"]) == 3
    assert len(record["offences"]) == 5 and any(o["while_on_the_watch_list"] for o in record["offences"])
    assert {r["kind"] for r in record["referrals"]} == {"housing", "mental_health", "alcohol"}
    assert [p["amount_gbp"] for p in record["payments"]] == ["70.00", "25.50"]
    assert record["case_notes"][0]["body"].startswith("Met Gwendolyn")
    assert record["alcohol_screenings"][0]["score"] == 7
    assert record["watch_list"][0]["family_name"] == "Oldacre"
    assert any(entry["what"].startswith("Viewed") for entry in record["audit_entries"])

    pdf = post_form(web, app, f"/data-protection/subject-access/{reference}/pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    catalog = PdfReader(io.BytesIO(pdf.data)).trailer["/Root"]
    assert "/StructTreeRoot" in catalog and catalog["/MarkInfo"]["/Marked"]  # tagged
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Gwendolyn" in text and "AUDIT-C screenings" in text
    exported = [entry.changes["format"][1] for entry in audit_entries(app, "client.subject_access_exported")]
    assert exported == ["json", "pdf"]


def test_retention_review_on_the_command_line(app, runner):
    people = old_caseload(app)
    result = runner.invoke(args=["retention-review", "--json"])
    assert result.exit_code == 0
    listed = json.loads(result.output)
    assert listed["retention_years"] == 6
    assert {entry["reference"] for entry in listed["due"]} == {people["gone"], people["quiet"]}
    assert date.fromisoformat(listed["left_before"]) == retention.years_before(TODAY, 6)
    result = runner.invoke(args=["retention-review"])
    assert result.exit_code == 0 and "2 due for review" in result.output
    app.config["RETENTION_YEARS"] = 20
    assert "No one is due" in runner.invoke(args=["retention-review"]).output


def test_a_manager_finds_the_review_from_home_and_the_export_from_the_record(app, signed_in, make_client,
                                                                              make_user):
    reference = make_client()
    manager, _ = signed_in("manager")
    assert 'href="/data-protection/retention">Records due for retention review</a>' in manager.get("/").text
    summary = manager.get(f"/clients/{reference}").text
    assert f'href="/data-protection/subject-access/{reference}">Subject access export' in summary
    officer = app.test_client()  # another browser: signing in again in the manager's keeps the manager
    assert sign_in(officer, app, make_user("officer")[1]).status_code == 302
    assert "Hello, " in officer.get("/").text and "/data-protection/" not in officer.get("/").text
    assert "/data-protection/" not in officer.get(f"/clients/{reference}").text
