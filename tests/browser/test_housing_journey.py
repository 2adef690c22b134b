"""The housing specialist's day through real Chromium: find a client due out of prison, log a
housing referral with a Duty to Refer, then close it as settled accommodation and see it leave
the open queue (and the release worklist pick up the Duty to Refer)."""
import re
from datetime import timedelta

from playwright.sync_api import expect

from iom.clock import today_in_london
from tests.pages import open_part_of_record, fill_date, sign_in_through_the_page


def make_client_due_for_release(live_server):
    """A client in custody, expected out in ten days, added as the officers' pages would."""
    from iom.clients import operations
    from iom.custody.operations import record_custody_event
    from iom.extensions import db
    today = today_in_london()
    with live_server.app.app_context():
        client = operations.add_client({"given_name": "Robin", "family_name": "Fictional"},
                                       strand="resettle_rehabilitate", joined_on=today - timedelta(days=200))
        record_custody_event(client, status="custody", from_date=today - timedelta(days=60),
                             establishment="HMP Leeds", expected_release_on=today + timedelta(days=10))
        db.session.commit()
        return client.reference


def open_menu_item(page, name):
    page.get_by_role("navigation", name="Menu").get_by_role("link", name=name, exact=True).click()


def day_parts(day):
    return str(day.day), str(day.month), str(day.year)


def test_housing_specialist_logs_a_referral_with_a_duty_to_refer_and_closes_it(page, live_server, make_live_user):
    reference = make_client_due_for_release(live_server)
    username, password = make_live_user("housing")
    today = today_in_london()
    referred = today - timedelta(days=5)
    sign_in_through_the_page(page, live_server, username, password)

    # the release worklist flags them: out in ten days with nothing arranged
    open_menu_item(page, "Housing")
    page.get_by_role("link", name="Release worklist").click()
    row = page.locator("#releases tbody tr").filter(has_text="Fictional, Robin")
    expect(row).to_contain_text("No referral or Duty to Refer")
    expect(row).to_contain_text("in 10 days")
    row.get_by_role("link", name="Fictional, Robin").click()
    expect(page).to_have_url(re.compile(rf"/clients/{reference}$"))

    # log the referral; a first attempt without the council is refused and keeps what was typed
    open_part_of_record(page, "Referrals")
    page.get_by_role("link", name="Make a housing referral").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Make a housing referral")
    fill_date(page, "Date referred", *day_parts(referred))
    page.get_by_label("Agency", exact=True).select_option(label="Other (not in the list)")
    page.get_by_label("Name of the agency").fill("Fictional Housing Trust")
    page.get_by_label("What do they need?").fill("No fixed abode on release; wants to stay near family")
    page.get_by_label("Next action", exact=True).fill("Ring the council's housing options team")
    fill_date(page, "Next action due", *day_parts(today + timedelta(days=2)))
    page.get_by_role("group", name="Has a Duty to Refer been made to a local authority?").get_by_label("Yes").check()
    fill_date(page, "Date of the Duty to Refer", *day_parts(referred))
    page.get_by_label("Local authority's response").select_option(label="Prevention duty owed")
    page.get_by_role("button", name="Save referral").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the local authority it was made to")
    expect(page.get_by_label("Name of the agency")).to_have_value("Fictional Housing Trust")
    page.get_by_label("Local authority", exact=True).fill("Leeds City Council")
    page.get_by_role("button", name="Save referral").click()

    expect(page.get_by_text("Housing referral recorded for Robin Fictional")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Housing referral")
    duty = page.locator(".govuk-summary-list").nth(1)
    expect(duty).to_contain_text("Leeds City Council")
    expect(duty).to_contain_text("Prevention duty owed")

    # it is in the open queue
    open_menu_item(page, "Housing")
    queue_row = page.locator("#queue tbody tr").filter(has_text="Fictional, Robin")
    expect(queue_row).to_contain_text("5 days")
    expect(queue_row).to_contain_text("Ring the council's housing options team")

    # close it as settled accommodation
    queue_row.get_by_role("link", name="Fictional, Robin").click()
    page.get_by_role("link", name="Change or close the referral").click()
    page.get_by_role("group", name="Status").get_by_label("Completed").check()
    fill_date(page, "Date closed", *day_parts(today))
    page.get_by_role("group", name="Outcome").get_by_label("Settled accommodation").check()
    page.get_by_role("button", name="Save referral").click()

    expect(page.get_by_text("Housing referral for Robin Fictional saved")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Settled accommodation")
    history = page.locator("#status-history + .iom-table-wrapper table tbody tr")
    expect(history).to_have_count(2)
    expect(history.first).to_contain_text("Completed")

    # gone from the open queue; the worklist now shows the Duty to Refer
    open_menu_item(page, "Housing")
    expect(page.locator("#queue")).to_have_count(0)
    expect(page.locator("#empty")).to_have_text("No open housing referrals.")
    page.get_by_role("link", name="Release worklist").click()
    row = page.locator("#releases tbody tr").filter(has_text="Fictional, Robin")
    expect(row).to_contain_text("Leeds City Council: Prevention duty owed")
    expect(row).not_to_contain_text("No referral or Duty to Refer")
