"""The payment pages: every form's errors (nothing saved), the ledger's figures, the approvals
queue and budget page, who may see what, and a fixed number of SQL statements per page."""
import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import insert, select

from iom.audit.models import AuditEntry
from iom.clients.models import Client
from iom.extensions import db
from iom.payments.models import Budget, SupportPayment
from tests.builders import PAYMENT_REQUEST, count
from tests.pages import as_user, post_form


def field_error(page: str, field_id: str) -> str:
    match = re.search(rf'<p id="{re.escape(field_id)}-error" class="govuk-error-message">(.*?)</p>', page, re.S) or \
        re.search(rf'<p class="govuk-error-message" id="{re.escape(field_id)}-error">(.*?)</p>', page, re.S)
    assert match, f"no error shown for {field_id}"
    return " ".join(re.sub(r"<[^>]+>", "", match.group(1)).replace("Error:", "").split())


def summary_errors(page: str) -> list[str]:
    block = re.search(r'<ul class="govuk-list govuk-error-summary__list">(.*?)</ul>', page, re.S)
    return [" ".join(re.sub(r"<[^>]+>", "", item).split()) for item in re.findall(r"<li>(.*?)</li>", block.group(1),
                                                                                    re.S)] if block else []


# --- requesting -------------------------------------------------------------------------------

def test_an_officer_requests_a_payment_from_the_client_page(app, signed_in, make_client):
    web, officer_id = signed_in("officer")
    reference = make_client("Robin", "Fictional")
    page = web.get(f"/clients/{reference}/payments").text
    assert "Request a support payment" in page and "No support payments recorded" in page
    form = web.get(f"/clients/{reference}/payments/new").text
    assert "£1,000.00 is left in the" in form
    response = post_form(web, app, f"/clients/{reference}/payments/new", {**PAYMENT_REQUEST, "amount": "£1,070.5"})
    assert response.status_code == 400  # more than the whole budget: it could never be approved
    assert field_error(response.text, "amount") == "£1,000.00 is left in the 2011-12 budget; this payment is £1,070.50"
    response = post_form(web, app, f"/clients/{reference}/payments/new", {**PAYMENT_REQUEST, "amount": "£70.5"},
                         follow_redirects=True)
    assert "Payment of £70.50 requested. A manager will approve or reject it" in response.text
    assert 'id="payments-table"' in response.text and "Waiting for approval" in response.text
    with app.app_context():
        payment = db.session.scalar(select(SupportPayment))
        assert payment.amount_gbp == Decimal("70.50") and payment.requested_by_id == officer_id
        assert payment.paid_on == date(2011, 10, 5) and payment.financial_year == "2011-12"


@pytest.mark.parametrize("amount, message", [
    ("", "Enter the amount"),
    ("0", "Amount must be more than £0"),
    ("0.00", "Amount must be more than £0"),
    ("-5", "Amount must be more than £0"),
    ("70.123", "Amount must be in pounds and pence, with no more than 2 numbers after the decimal point"),
    ("abc", "Amount must be a number in pounds and pence, like 70 or 70.50"),
    ("1e3", "Amount must be a number in pounds and pence, like 70 or 70.50"),
    ("999999999999999", "Amount must be £100,000.00 or less"),
])
def test_a_bad_amount_is_an_error_on_the_field_and_nothing_is_saved(app, signed_in, make_client, amount, message):
    web, _ = signed_in("officer")
    reference = make_client()
    response = post_form(web, app, f"/clients/{reference}/payments/new", {**PAYMENT_REQUEST, "amount": amount})
    assert response.status_code == 400
    assert field_error(response.text, "amount") == message
    assert message in summary_errors(response.text)
    assert f'value="{amount}"' in response.text  # what they typed is kept to correct
    assert response.text.count("<title>Error: ") == 1
    assert count(app, SupportPayment) == 0


@pytest.mark.parametrize("changes, field, message", [
    ({"paid_on": ["", "", ""]}, "paid_on", "Enter date of the payment"),
    ({"paid_on": ["31", "2", "2012"]}, "paid_on", "Date of the payment must be a real date"),
    ({"paid_on": ["5", "10"]}, "paid_on", "Date of the payment must include a year"),
    ({"purpose": ""}, "purpose", "Select what the payment is for"),
    ({"purpose": "beer"}, "purpose", "Not a valid choice."),
    ({"purpose": "other", "detail": "  "}, "detail", "Enter what the payment is for"),
    ({"detail": "x" * 2001}, "detail", "Description must be 2,000 characters or fewer"),
    ({"paid_on": ["1", "1", "2999"]}, "paid_on", "Date of the payment must be no more than a year from today"),
])
def test_every_other_request_error(app, signed_in, make_client, changes, field, message):
    web, _ = signed_in("manager")
    reference = make_client()
    response = post_form(web, app, f"/clients/{reference}/payments/new", {**PAYMENT_REQUEST, **changes})
    assert response.status_code == 400
    assert message in response.text
    assert count(app, SupportPayment) == 0


def test_an_unknown_client_is_a_404(signed_in):
    web, _ = signed_in("officer")
    assert web.get("/clients/IOM-9999/payments/new").status_code == 404


# --- deciding ---------------------------------------------------------------------------------

def decide(web, app, payment_id, decision="approve", note="", version=1, **kwargs):
    return post_form(web, app, f"/payments/{payment_id}/decide",
                     {"decision-decision": decision, "decision-note": note, "decision-version": str(version)},
                     **kwargs)


def test_a_manager_approves_and_the_balance_falls(app, client, staff, make_client, make_request):
    reference = make_client()
    payment_id = make_request(reference, amount="70.00")
    as_user(app, client, "pay.manager")
    page = client.get(f"/payments/{payment_id}").text
    assert 'id="budget-left">£1,000.00' in page and "Save decision" in page
    assert f'<a class="govuk-link" href="/clients/{reference}">' in page  # a link, not escaped markup
    response = decide(client, app, payment_id, follow_redirects=True)
    assert "Payment of £70.00 approved. £930.00 is left in the 2011-12 budget" in response.text
    ledger = client.get("/payments?year=2011-12").text
    assert 'id="budget-left">£930.00' in ledger and 'id="budget-spent">£70.00' in ledger


def test_approving_your_own_request_is_a_clear_error(app, signed_in, staff, make_client, make_request):
    reference = make_client()
    web, manager_id = signed_in("manager", username="own.requester")
    with app.app_context():
        from iom.auth.models import User
        from iom.payments import operations
        payment = operations.request_payment(db.session.scalar(select(Client).where(Client.reference == reference)),
                                             amount=Decimal("50"), paid_on=date(2011, 6, 1), purpose="other",
                                             detail="Bike repair", requested_by=db.session.get(User, manager_id))
        db.session.commit()
        payment_id = payment.id
    page = web.get(f"/payments/{payment_id}").text
    assert "You requested this payment, so another manager must approve or reject it" in page
    assert "Save decision" not in page
    response = decide(web, app, payment_id)
    assert response.status_code == 400
    assert summary_errors(response.text) == ["You cannot approve your own request. Another manager must decide it"]
    assert 'href="#decision-decision"' in response.text and 'id="decision-decision"' in response.text
    response = decide(web, app, payment_id, decision="reject", note="No")
    assert summary_errors(response.text) == ["You cannot reject your own request. Another manager must decide it"]
    with app.app_context():
        assert db.session.get(SupportPayment, payment_id).status == "requested"


def test_an_over_budget_approval_is_refused_with_the_amount_left(app, client, staff, make_client, make_request,
                                                                 approve):
    reference = make_client()
    first, second = make_request(reference, amount="600.00"), make_request(reference, amount="600.00")
    approve(first)
    as_user(app, client, "pay.manager2")
    page = client.get(f"/payments/{second}").text
    assert "more than is left in the 2011-12 budget" in page
    response = decide(client, app, second)
    assert response.status_code == 400
    assert field_error(response.text, "decision-decision") == \
        "£400.00 is left in the 2011-12 budget; this payment is £600.00"
    assert "£400.00 is left in the 2011-12 budget; this payment is £600.00" in summary_errors(response.text)
    with app.app_context():
        assert db.session.get(SupportPayment, second).status == "requested"


@pytest.mark.parametrize("data, field, message", [
    ({"decision-version": "1"}, "decision-decision", "Select whether to approve or reject the payment"),
    ({"decision-decision": "reject", "decision-version": "1"}, "decision-note", "Enter why the payment is rejected"),
    ({"decision-decision": "maybe", "decision-version": "1"}, "decision-decision", "Not a valid choice."),
    ({"decision-decision": "approve"}, "decision-version", "This page is out of date. Reload it and try again"),
    ({"decision-decision": "approve", "decision-version": "1", "decision-note": "x" * 2001}, "decision-note",
     "Note must be 2,000 characters or fewer"),
])
def test_every_decision_error(app, client, staff, make_client, make_request, data, field, message):
    payment_id = make_request(make_client())
    as_user(app, client, "pay.manager")
    response = post_form(client, app, f"/payments/{payment_id}/decide", data)
    assert response.status_code == 400
    assert message in response.text
    with app.app_context():
        assert db.session.get(SupportPayment, payment_id).status == "requested"


def test_a_rejection_with_a_reason_and_a_stale_decision(app, client, staff, make_client, make_request, approve):
    payment_id = make_request(make_client())
    as_user(app, client, "pay.manager")
    response = decide(client, app, payment_id, decision="reject", note="Ask the jobcentre first",
                      follow_redirects=True)
    assert "Payment of £70.00 rejected" in response.text and "Ask the jobcentre first" in response.text
    response = decide(client, app, payment_id, version=2)
    assert response.status_code == 400 and "This payment was already rejected by pay.manager" in response.text
    response = decide(client, app, payment_id, version=1)
    assert response.status_code == 409 and "changed by someone else after you opened this page" in response.text


def test_officers_cannot_decide(app, signed_in, staff, make_client, make_request):
    payment_id = make_request(make_client())
    web, _ = signed_in("officer")
    page = web.get(f"/payments/{payment_id}").text
    assert "Save decision" not in page and "Waiting for a manager to approve or reject it" in page
    assert decide(web, app, payment_id).status_code == 403


# --- what it achieved -------------------------------------------------------------------------

def test_an_officer_records_what_a_payment_achieved(app, signed_in, staff, make_client, make_request, approve):
    payment_id = make_request(make_client())
    web, _ = signed_in("officer")
    assert "What did it achieve?" not in web.get(f"/payments/{payment_id}").text  # not approved yet
    approve(payment_id)
    url = f"/payments/{payment_id}/achieved"
    response = post_form(web, app, url, {"achievement-version": "2"})
    assert response.status_code == 400 and "Select what the payment achieved" in response.text
    response = post_form(web, app, url, {"achievement-achieved": "other", "achievement-version": "2"})
    assert response.status_code == 400 and field_error(response.text, "achievement-achieved_notes") == \
        "Enter what the payment achieved"
    response = post_form(web, app, url, {"achievement-achieved": "job_obtained", "achievement-achieved_notes":
                                         "Warehouse job", "achievement-version": "2"}, follow_redirects=True)
    assert "What the payment achieved is saved" in response.text
    assert "Job obtained: Warehouse job" in web.get("/payments?year=2011-12").text
    response = post_form(web, app, url, {"achievement-achieved": "other", "achievement-achieved_notes": "x",
                                         "achievement-version": "2"})
    assert response.status_code == 409


# --- the ledger -------------------------------------------------------------------------------

def test_the_ledger_shows_the_running_balance_totals_pending_and_rejected(app, signed_in, staff, make_client,
                                                                         make_request, approve):
    reference = make_client("Robin", "Ledger")
    later = make_request(reference, amount="120.00", paid_on=date(2012, 3, 31), purpose="id_documents")
    earlier = make_request(reference, amount="70.50", paid_on=date(2011, 4, 1), purpose="travel_to_interview")
    middle = make_request(reference, amount="30.00", paid_on=date(2011, 9, 9), purpose="travel_to_interview")
    make_request(reference, amount="45.00", paid_on=date(2011, 10, 1), purpose="work_clothing_tools")
    refused = make_request(reference, amount="15.00", paid_on=date(2011, 11, 1))
    next_year = make_request(reference, amount="99.00", paid_on=date(2012, 4, 1))
    for payment_id in (later, earlier, middle, next_year):
        approve(payment_id)
    with app.app_context():
        from iom.auth.models import User
        from iom.payments import operations
        operations.reject_payment(db.session.get(SupportPayment, refused), db.session.get(User, staff["manager"]),
                                  note="Not needed")
        operations.record_achievement(db.session.get(SupportPayment, earlier), "job_obtained", None)
        db.session.commit()
    web, _ = signed_in("officer")
    page = web.get("/payments?year=2011-12").text
    table = page[page.index('id="ledger-table"'):page.index("</table>", page.index('id="ledger-table"'))]
    rows = re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", table, re.S)[1:]
    cells = [[" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row,
                                                                                      re.S)] for row in rows]
    assert [(row[0], row[3], row[4]) for row in cells] == [
        ("1 April 2011", "£70.50", "£929.50"),
        ("9 September 2011", "£30.00", "£899.50"),
        ("31 March 2012", "£120.00", "£779.50"),
    ]
    assert cells[0][5] == "Job obtained" and cells[1][5] == "Not recorded"
    assert 'id="budget-amount">£1,000.00' in page and 'id="budget-spent">£220.50' in page
    assert 'id="budget-left">£779.50' in page
    purposes = page[page.index('id="purpose-table"'):]
    assert re.search(r"Travel to an interview</th>\s*<td[^>]*>2</td>\s*<td[^>]*>£100.50</td>", purposes)
    assert re.search(r"ID documents</th>\s*<td[^>]*>1</td>\s*<td[^>]*>£120.00</td>", purposes)
    assert re.search(r"All purposes</th>\s*<td[^>]*>3</td>\s*<td[^>]*>£220.50</td>", purposes)
    pending = page[page.index('id="pending-table"'):page.index('id="rejected-table"')]
    assert "£45.00" in pending and "£15.00" not in pending
    rejected = page[page.index('id="rejected-table"'):]
    assert "£15.00" in rejected and "Not needed" in rejected
    assert "£99.00" not in page  # 1 April 2012 is the next year
    assert "£99.00" in web.get("/payments?year=2012-13").text
    with app.app_context():
        viewed = db.session.scalars(select(AuditEntry.changes).where(AuditEntry.action == "payments.ledger_viewed"))
        assert {"financial_year": [None, "2011-12"]} in list(viewed)


def test_the_ledger_defaults_to_this_year_and_refuses_a_bad_year(app, signed_in):
    from iom.clock import today_in_london
    from iom.years import FinancialYear
    web, _ = signed_in("officer")
    assert f"Ledger for {FinancialYear.of(today_in_london())}" in web.get("/payments").text
    response = web.get("/payments?year=2011-13")
    assert response.status_code == 302 and response.headers["Location"] == "/payments"
    assert "That is not a financial year" in web.get("/payments").text
    page = web.get("/payments?year=2011-12").text
    assert "No budget has been set for 2011-12, so the default of £1,000.00 applies" in page
    assert "Approvals" not in page  # a manager's link


# --- approvals queue and budget page ----------------------------------------------------------

def test_the_approvals_queue_lists_waiting_requests_with_what_is_left(app, client, staff, make_client, make_request,
                                                                     approve):
    reference = make_client()
    approve(make_request(reference, amount="950.00"))
    waiting = make_request(reference, amount="40.00")
    own = make_request(reference, amount="20.00", by="manager")
    as_user(app, client, "pay.manager")
    page = client.get("/payments/approvals").text
    assert page.count("£50.00") == 2  # left in 2011-12, shown on each row
    assert f"/payments/{waiting}#decision" in page and f"/payments/{own}#decision" not in page
    assert "Your request" in page


def test_a_manager_sets_a_budget_and_every_budget_error(app, client, staff, make_client, make_request, approve):
    approve(make_request(make_client(), amount="600.00"))
    as_user(app, client, "pay.manager")
    page = client.get("/payments/budget?year=2011-12").text
    assert 'value="1000.00"' in page and 'id="budget-spent">£600.00' in page
    for data, message in [
        ({"financial_year": "2011-12", "amount": "", "shown_amount": "1000.00"}, "Enter the budget"),
        ({"financial_year": "2011-12", "amount": "-1", "shown_amount": "1000.00"}, "Budget must be £0 or more"),
        ({"financial_year": "2011-12", "amount": "1.234", "shown_amount": "1000.00"},
         "Budget must be in pounds and pence, with no more than 2 numbers after the decimal point"),
        ({"financial_year": "2011-12", "amount": "lots", "shown_amount": "1000.00"},
         "Budget must be a number in pounds and pence"),
        ({"financial_year": "2011-13", "amount": "900", "shown_amount": "1000.00"},
         "Enter a financial year like 2011-12"),
        ({"financial_year": "", "amount": "900", "shown_amount": "1000.00"}, "Enter the financial year"),
        ({"financial_year": "2011-12", "amount": "599.99", "shown_amount": "1000.00"},
         "The 2011-12 budget cannot be less than the £600.00 already approved for that year"),
    ]:
        response = post_form(client, app, "/payments/budget", data)
        assert response.status_code == 400, data
        assert message in response.text, data
    assert count(app, Budget) <= 1
    response = post_form(client, app, "/payments/budget", {"financial_year": "2011-12", "amount": "£1,250",
                                                           "shown_amount": "1000.00"}, follow_redirects=True)
    assert "The 2011-12 budget is £1,250.00" in response.text and 'id="budget-left">£650.00' in response.text
    response = post_form(client, app, "/payments/budget", {"financial_year": "2011-12", "amount": "800",
                                                           "shown_amount": "1000.00"})
    assert response.status_code == 409 and "changed to £1,250.00 by someone else" in response.text
    with app.app_context():
        assert db.session.get(Budget, "2011-12").amount_gbp == Decimal("1250.00")


# --- who sees what ----------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["housing", "reviewer", "admin"])
def test_payments_are_never_shown_to_housing_reviewers_or_administrators(app, signed_in, staff, make_client,
                                                                         make_request, role):
    reference = make_client()
    payment_id = make_request(reference)
    web, _ = signed_in(role)
    for url in ("/payments", f"/payments/{payment_id}", f"/clients/{reference}/payments/new",
                "/payments/approvals", "/payments/budget"):
        assert web.get(url).status_code == 403, url
    if role == "housing":
        page = web.get(f"/clients/{reference}").text
        assert "Support payments" not in page and "£70.00" not in page


def test_officers_see_the_ledger_but_not_the_managers_pages(app, signed_in, staff, make_client, make_request):
    payment_id = make_request(make_client())
    web, _ = signed_in("officer")
    assert web.get("/payments").status_code == 200
    assert web.get(f"/payments/{payment_id}").status_code == 200
    assert web.get("/payments/approvals").status_code == 403
    assert web.get("/payments/budget").status_code == 403


def test_viewing_a_payment_is_audited(app, signed_in, staff, make_client, make_request):
    payment_id = make_request(make_client())
    web, _ = signed_in("officer")
    web.get(f"/payments/{payment_id}")
    assert web.get("/payments/123456").status_code == 404
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action)).all()
        assert "payment.viewed" in actions and "payment.not_found" in actions


# --- a fixed number of statements -------------------------------------------------------------

def bulk_payments(app, client_ids, officer_id, manager_id, count_each: int) -> None:
    """Many payments straight into the table: approved, waiting and rejected, over two years."""
    with app.app_context():
        from iom.clock import utcnow
        db.session.merge(Budget(financial_year="2011-12", amount_gbp=Decimal("1000000.00")))
        rows = []
        for number in range(count_each):
            for client_id in client_ids:
                status = ["approved", "requested", "rejected"][number % 3]
                rows.append({"client_id": client_id, "amount_gbp": Decimal("1.25"),
                             "paid_on": date(2011, 4 + number % 9, 1 + number % 28), "financial_year": "2011-12",
                             "purpose": "other", "detail": f"Bulk {number}", "status": status,
                             "requested_by_id": officer_id, "requested_at": utcnow(),
                             "decided_by_id": None if status == "requested" else manager_id,
                             "decided_at": None if status == "requested" else utcnow(),
                             "achieved": "job_obtained" if number % 2 else None, "version": 1})
        db.session.execute(insert(SupportPayment), rows)
        db.session.commit()


def measure(web, count_queries, url):
    assert web.get(url).status_code == 200, url
    with count_queries() as counter:
        response = web.get(url)
    assert response.status_code == 200, url
    return counter.count, response


def test_payment_pages_run_a_fixed_number_of_statements(app, client, staff, make_client, make_request,
                                                        count_queries):
    references = [make_client() for _ in range(3)]
    with app.app_context():
        client_ids = [db.session.scalar(select(Client.id).where(Client.reference == ref)) for ref in references]
    one = make_request(references[0])
    as_user(app, client, "pay.manager")
    urls = ["/payments?year=2011-12", "/payments/approvals", "/payments/budget?year=2011-12", f"/payments/{one}",
            f"/clients/{references[0]}"]
    bulk_payments(app, client_ids, staff["officer"], staff["manager2"], 2)
    small = {url: measure(client, count_queries, url)[0] for url in urls}
    bulk_payments(app, client_ids, staff["officer"], staff["manager2"], 60)
    big = {url: measure(client, count_queries, url) for url in urls}
    ledger = big["/payments?year=2011-12"][1].text
    assert ledger.count("£1.25") == 3 * 62  # every bulk payment is listed: approved, waiting or rejected
    for url in urls:
        assert small[url] == big[url][0], (url, small[url], big[url][0])
        assert big[url][0] <= 15, (url, big[url][0])
