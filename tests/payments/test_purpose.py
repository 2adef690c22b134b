"""A payment's purpose: a category from the list and the words typed or imported, both kept and
shown on the ledger, the payment page and in the export, which imports back exactly."""
import os

from sqlalchemy import select

from iom.audit.models import AuditEntry
from iom.clients.models import Client
from iom.extensions import db
from iom.payments.models import SupportPayment, purpose_from_words
from tests.builders import PAYMENT_REQUEST, count
from tests.pages import Page, as_user, post_form


def saved_purposes(app) -> list[tuple[str, str | None]]:
    with app.app_context():
        return db.session.execute(select(SupportPayment.purpose, SupportPayment.detail)
                                  .order_by(SupportPayment.paid_on, SupportPayment.id)).tuples().all()


# --- the request form -------------------------------------------------------------------------

def request_for(app, signed_in, make_client, **changes):
    """An officer requests a payment for a new client, the valid request with the changes: (web, response)."""
    web, _ = signed_in("officer")
    reference = make_client()
    return web, post_form(web, app, f"/clients/{reference}/payments/new", {**PAYMENT_REQUEST, **changes})


def test_other_needs_a_description_and_nothing_is_saved(app, signed_in, make_client):
    _, response = request_for(app, signed_in, make_client, purpose="other", detail="  ")
    assert response.status_code == 400
    page = Page(response)
    assert page.title.startswith("Error: ")
    assert page.summary_errors == ["Enter what the payment is for"]
    assert page.field_errors["detail-error"] == "Enter what the payment is for"
    assert page.checked("purpose") == ["other"]      # the choice is kept to correct
    assert count(app, SupportPayment) == 0


def test_a_category_with_no_description_is_fine(app, signed_in, make_client):
    web, response = request_for(app, signed_in, make_client, purpose="id_documents", detail="")
    assert response.status_code == 302
    assert saved_purposes(app) == [("id_documents", None)]
    with app.app_context():
        payment_id = db.session.scalar(select(SupportPayment.id))
    assert "None given" in web.get(f"/payments/{payment_id}").text


def test_the_two_real_payments_are_recorded_with_their_words_and_total_70(app, client, staff, make_client,
                                                                           make_request, approve):
    # The scheme's first two payments: £70 in all, to prove qualifications for a job.
    first, second = make_client(), make_client()
    words = ["for proof of education", "Certificate copies to prove qualifications for a job offer"]
    for reference, amount, detail in zip((first, second), ("45.00", "25.00"), words):
        approve(make_request(reference, amount=amount, purpose="proof_of_qualifications", detail=detail))
    as_user(app, client, "pay.officer")
    ledger = client.get("/payments?year=2011-12")
    rows = Page(ledger).rows
    assert [row[2] for row in rows[:2]] == [f"Proof of education or qualifications for a job {text}"
                                            for text in words]
    text = ledger.get_data(as_text=True)
    totals = text[text.index('id="purpose-table"'):]
    assert "Proof of education or qualifications for a job</th>" in totals
    row = totals[totals.index("Proof of education or qualifications for a job</th>"):].split("</tr>")[0]
    assert ">2</td>" in row and "£70.00" in row
    with app.app_context():
        payment_id = db.session.scalar(select(SupportPayment.id).where(SupportPayment.detail == words[0]))
    shown = client.get(f"/payments/{payment_id}").text
    assert "for proof of education" in shown and "Proof of education or qualifications for a job" in shown
    client_page = client.get(f"/clients/{first}/payments").text
    assert "for proof of education" in client_page


def test_waiting_and_approvals_tables_show_the_words(app, client, staff, make_client, make_request):
    make_request(make_client(), purpose="other", detail="Safety boots for a building site")
    as_user(app, client, "pay.manager")
    assert "Safety boots for a building site" in client.get("/payments?year=2011-12").text
    assert "Safety boots for a building site" in client.get("/payments/approvals").text


# --- the request form is a view of the client -----------------------------------------------

def test_opening_the_request_form_is_audited_as_a_view_of_the_client(app, signed_in, make_client):
    web, user_id = signed_in("officer")
    reference = make_client()
    assert web.get(f"/clients/{reference}/payments/new").status_code == 200
    assert post_form(web, app, f"/clients/{reference}/payments/new",
                     {**PAYMENT_REQUEST, "amount": ""}).status_code == 400     # shown again, with the client's name
    with app.app_context():
        client_id = db.session.scalar(select(Client.id).where(Client.reference == reference))
        views = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "client.viewed",
                                                            AuditEntry.actor_id == user_id)).all()
    assert len(views) == 2
    assert {(entry.subject_type, entry.subject_id) for entry in views} == {("client", str(client_id))}
    assert all("payment request form" in entry.summary for entry in views)


def test_a_request_that_breaks_a_rule_is_audited_as_a_view_and_not_saved(app, signed_in, make_client):
    web, user_id = signed_in("officer")
    reference = make_client()
    response = post_form(web, app, f"/clients/{reference}/payments/new", {**PAYMENT_REQUEST, "amount": "1000.01"})
    assert response.status_code == 400      # over the year's budget: refused by the operation
    assert count(app, SupportPayment) == 0
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.actor_id == user_id)).all()
    assert "client.viewed" in actions and "payment.requested" not in actions


# --- import and export ------------------------------------------------------------------------

def test_words_in_a_file_are_kept_and_name_a_category_when_they_can():
    assert purpose_from_words("for proof of education") == ("other", "for proof of education")
    assert purpose_from_words("id_documents") == ("id_documents", None)
    assert purpose_from_words("ID documents") == ("id_documents", "ID documents")
    assert purpose_from_words(" Travel to an interview ") == ("travel_to_interview", " Travel to an interview ")
    assert purpose_from_words("for proof of education", "proof_of_qualifications") == \
        ("proof_of_qualifications", "for proof of education")
    assert purpose_from_words("other", "other") == ("other", None)


def write(folder, text):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "payments.csv"), "w", encoding="utf-8") as file:
        file.write(text)
    return str(folder)


def test_the_import_reads_the_words_and_an_optional_category(app, runner, make_client, tmp_path):
    first = make_client()
    folder = write(tmp_path / "in", "reference,paid_on,amount_gbp,purpose,purpose_category\n"
                   f"{first},2011-06-01,45.00,for proof of education,proof_of_qualifications\n"
                   f"{first},2011-06-02,25.00,for proof of education,\n"
                   f'{first},2011-06-03,5.00,"ID documents",\n'
                   f"{first},2011-06-04,5.00,id_documents,ID_Documents\n")
    result = runner.invoke(args=["import", folder])
    assert result.exit_code == 0, result.output
    assert saved_purposes(app) == [("proof_of_qualifications", "for proof of education"),
                                   ("other", "for proof of education"), ("id_documents", "ID documents"),
                                   ("id_documents", None)]


def test_an_unknown_category_is_a_fault_and_nothing_is_written(app, runner, make_client, tmp_path):
    first = make_client()
    folder = write(tmp_path / "in", "reference,paid_on,amount_gbp,purpose,purpose_category\n"
                   f"{first},2011-06-01,45.00,for proof of education,education\n")
    result = runner.invoke(args=["import", folder])
    assert result.exit_code == 1
    assert "payments.csv:2: purpose_category: 'education' is not a purpose category: use proof_of_qualifications, " \
           "id_documents, travel_to_interview, work_clothing_tools or other" in result.stderr
    assert count(app, SupportPayment) == 0


def test_export_then_import_keeps_every_purpose_exactly(app, runner, staff, make_client, make_request, approve,
                                                        tmp_path):
    reference = make_client()
    for purpose, detail in [("proof_of_qualifications", "for proof of education"), ("id_documents", None),
                            ("travel_to_interview", "Return train fare to Leeds"), ("other", "Bus pass, 1 week"),
                            ("work_clothing_tools", "id_documents")]:
        approve(make_request(reference, amount="5.00", purpose=purpose, detail=detail))
    before = saved_purposes(app)
    assert runner.invoke(args=["export-caseload", str(tmp_path / "first")]).exit_code == 0
    exported = (tmp_path / "first" / "payments.csv").read_text().splitlines()
    assert exported[0] == "reference,paid_on,amount_gbp,purpose,purpose_category"
    assert [line.split(",", 3)[3] for line in exported[1:]] == [
        "for proof of education,proof_of_qualifications", "id_documents,id_documents",
        "Return train fare to Leeds,travel_to_interview", '"Bus pass, 1 week",other', "id_documents,work_clothing_tools"]
    with app.app_context():
        from tests.builders import wipe_caseload
        wipe_caseload()
    imported = runner.invoke(args=["import", str(tmp_path / "first")])
    assert imported.exit_code == 0, imported.output
    assert saved_purposes(app) == before
    assert runner.invoke(args=["export-caseload", str(tmp_path / "second")]).exit_code == 0
    assert (tmp_path / "second" / "payments.csv").read_text() == (tmp_path / "first" / "payments.csv").read_text()


def test_a_partners_file_without_the_category_still_round_trips_its_text(app, runner, make_client, tmp_path):
    reference = make_client()
    folder = write(tmp_path / "in", "reference,paid_on,amount_gbp,purpose\n"
                   f"{reference},2011-06-01,45.00,for proof of education\n{reference},2011-06-02,5.00,id_documents\n")
    assert runner.invoke(args=["import", folder]).exit_code == 0
    assert runner.invoke(args=["export-caseload", str(tmp_path / "out")]).exit_code == 0
    assert (tmp_path / "out" / "payments.csv").read_text().splitlines()[1:] == [
        f"{reference},2011-06-01,45.00,for proof of education,other",
        f"{reference},2011-06-02,5.00,id_documents,id_documents"]
