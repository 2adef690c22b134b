"""Support payments through real Chromium: an officer requests a payment from the client page, a
manager approves it from the approvals queue and the year's balance falls; and an approval that
would overspend is refused, saying how much is left."""
import re
from datetime import date
from decimal import Decimal

from playwright.sync_api import expect

from tests.pages import open_part_of_record, sign_in_through_the_page


def add_client(live_server, given, family) -> str:
    from iom.clients import operations
    from iom.extensions import db
    with live_server.app.app_context():
        client = operations.add_client({"given_name": given, "family_name": family}, strand="catch_convict",
                                       joined_on=date(2011, 4, 1))
        db.session.commit()
        return client.reference


def request_directly(live_server, reference, username, amount) -> int:
    from sqlalchemy import select

    from iom.auth.models import User
    from iom.clients.models import Client
    from iom.clock import today_in_london
    from iom.extensions import db
    from iom.payments import operations
    with live_server.app.app_context():
        payment = operations.request_payment(
            db.session.scalar(select(Client).where(Client.reference == reference)), amount=Decimal(amount),
            paid_on=today_in_london(), purpose="work_clothing_tools", detail="Safety boots for a building site job",
            requested_by=db.session.scalar(select(User).where(User.username == username)))
        db.session.commit()
        return payment.id


def menu(page, item: str) -> None:
    page.get_by_role("navigation", name="Menu").get_by_role("link", name=item, exact=True).click()


def current_year() -> str:
    from iom.clock import today_in_london
    from iom.years import FinancialYear
    return FinancialYear.of(today_in_london()).label


def test_officer_requests_a_payment_and_a_manager_approves_it(browser, live_server, make_live_user):
    officer, password = make_live_user("officer", username="pay.officer")
    manager, _ = make_live_user("manager", username="pay.manager")
    reference = add_client(live_server, "Robin", "Fictional")
    year = current_year()

    page = browser.new_context().new_page()
    sign_in_through_the_page(page, live_server, officer, password)
    page.goto(f"{live_server.url}/clients/{reference}")
    open_part_of_record(page, "Payments")
    page.get_by_role("link", name="Request a support payment").click()
    expect(page.locator("#budget-left")).to_contain_text(f"£1,000.00 is left in the {year} budget")

    # a mistake first: nothing is saved and the error names the field
    page.get_by_label("Amount").fill("12.345")
    page.get_by_label("Travel to an interview").check()
    page.get_by_label("Description").fill("Return train fare to Leeds for a warehouse interview")
    page.get_by_role("button", name="Request payment").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("no more than 2 numbers after the decimal point")
    expect(page.locator(".govuk-error-summary")).to_be_focused()

    page.get_by_label("Amount").fill("£70")
    page.get_by_role("button", name="Request payment").click()
    expect(page).to_have_url(re.compile(rf"/clients/{reference}/payments$"))
    # the success banner is where the eye and the focus land, at the top, not scrolled off by a jump
    expect(page.locator(".govuk-notification-banner--success")).to_be_focused()
    expect(page.get_by_text("Payment of £70.00 requested")).to_be_in_viewport()
    expect(page.locator("#payments-table")).to_contain_text("Waiting for approval")

    boss = browser.new_context().new_page()
    sign_in_through_the_page(boss, live_server, manager, password)
    menu(boss, "Payments")
    expect(boss.locator("#budget-left")).to_have_text("£1,000.00")
    expect(boss.locator("#pending-table")).to_contain_text("£70.00")
    boss.get_by_role("link", name="Approvals").click()
    row = boss.locator("#approvals-table tbody tr").filter(has_text="Fictional, Robin")
    expect(row).to_contain_text("£70.00")
    row.get_by_role("link", name=re.compile("^Decide")).click()
    boss.get_by_label("Approve").check()
    boss.get_by_label("Note").fill("Fine: keep the ticket")
    boss.get_by_role("button", name="Save decision").click()
    expect(boss.get_by_text(f"Payment of £70.00 approved. £930.00 is left in the {year} budget")).to_be_visible()
    expect(boss.locator("#payment-status")).to_contain_text("Approved")

    menu(boss, "Payments")
    expect(boss.locator("#budget-left")).to_have_text("£930.00")
    expect(boss.locator("#budget-spent")).to_have_text("£70.00")
    ledger_row = boss.locator("#ledger-table tbody tr").filter(has_text="Fictional, Robin")
    expect(ledger_row).to_contain_text("£70.00")
    expect(ledger_row).to_contain_text("£930.00")

    # the officer records what it achieved; the ledger shows it
    page.reload()
    page.locator("#payments-table").get_by_role("link").first.click()
    page.get_by_label("Job obtained").check()
    page.get_by_label("Notes").fill("Warehouse operative, started Monday")
    page.get_by_role("button", name="Save what it achieved").click()
    expect(page.get_by_text("What the payment achieved is saved")).to_be_visible()
    menu(page, "Payments")
    expect(page.locator("#ledger-table")).to_contain_text("Job obtained: Warehouse operative, started Monday")


def test_an_over_budget_approval_is_refused_with_the_amount_left(page, live_server, make_live_user):
    make_live_user("officer", username="pay.officer")
    manager, password = make_live_user("manager", username="pay.manager")
    reference = add_client(live_server, "Sam", "Overbudget")
    first = request_directly(live_server, reference, "pay.officer", "600.00")
    second = request_directly(live_server, reference, "pay.officer", "600.00")
    year = current_year()

    sign_in_through_the_page(page, live_server, manager, password)
    page.goto(f"{live_server.url}/payments/{first}")
    page.get_by_label("Approve").check()
    page.get_by_role("button", name="Save decision").click()
    expect(page.get_by_text(f"£400.00 is left in the {year} budget")).to_be_visible()

    page.goto(f"{live_server.url}/payments/{second}")
    expect(page.locator(".govuk-warning-text")).to_contain_text(f"more than is left in the {year} budget")
    page.get_by_label("Approve").check()
    page.get_by_role("button", name="Save decision").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text(f"£400.00 is left in the {year} budget; this payment is £600.00")
    expect(page.locator("#payment-status")).to_contain_text("Waiting for approval")

    page.get_by_role("link", name="Back to Sam Overbudget").click()
    menu(page, "Payments")
    expect(page.locator("#budget-left")).to_have_text("£400.00")
    expect(page.locator("#pending-table")).to_contain_text("£600.00")
