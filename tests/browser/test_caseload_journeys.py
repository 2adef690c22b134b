"""An officer's day through real Chromium: add a client, record a remand, find them by PNC ID;
and two people editing one client at once, where the second is refused without losing input."""
import re

from playwright.sync_api import expect

from tests.pages import open_part_of_record, fill_date, sign_in_through_the_page


def add_client(page, live_server, given, family, pnc):
    page.goto(f"{live_server.url}/clients/new")
    page.get_by_label("Given name").fill(given)
    page.get_by_label("Family name").fill(family)
    fill_date(page, "Date of birth", "14", "7", "1988")
    page.get_by_label("PNC ID").fill(pnc)
    page.get_by_label("Ward").fill("Northfield")
    page.get_by_role("group", name="Programme they came from").get_by_label("PPO").check()
    page.get_by_role("group", name="Is their offending alcohol-related?").get_by_label("Yes").check()
    page.get_by_label("Catch and convict").check()
    fill_date(page, "Date adopted onto the scheme", "1", "4", "2011")
    page.get_by_role("button", name="Add client").click()


def test_officer_adds_a_client_records_a_remand_and_finds_them_by_pnc(page, live_server, make_live_user):
    username, password = make_live_user("officer")
    sign_in_through_the_page(page, live_server, username, password)

    # a mistake first: the error summary names it and nothing is saved
    page.goto(f"{live_server.url}/clients/new")
    page.get_by_label("PNC ID").fill("11/123456A")
    page.get_by_role("button", name="Add client").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("check letter does not match")
    expect(page.locator(".govuk-error-summary")).to_be_focused()

    add_client(page, live_server, "Robin", "Fictional", "11/123456H")
    expect(page).to_have_url(re.compile(r"/clients/IOM-0001$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Robin Fictional")
    expect(page.get_by_text("Robin Fictional added as IOM-0001")).to_be_visible()

    open_part_of_record(page, "Custody")
    page.get_by_role("link", name="Record a custody change").click()
    page.get_by_label("On remand").check()
    fill_date(page, "Date of the change", "3", "5", "2011")
    page.get_by_label("Prison or establishment").fill("HMP Leeds")
    page.get_by_role("button", name="Record change").click()
    expect(page.locator(".moj-timeline")).to_contain_text("On remand: HMP Leeds")
    expect(page.locator(".iom-status-bar")).to_contain_text("Remand")

    page.get_by_role("link", name="Caseload", exact=True).click()
    page.get_by_label("Search by name, reference or PNC ID").fill("11/123456H")
    page.get_by_role("button", name="Search").click()
    row = page.locator("tbody tr").filter(has_text="Fictional, Robin")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Remand")
    row.get_by_role("link", name="Fictional, Robin").click()
    expect(page).to_have_url(re.compile(r"/clients/IOM-0001$"))


def test_second_of_two_editors_is_refused_and_keeps_their_input(browser, live_server, make_live_user):
    first_user, password = make_live_user("officer", username="first.officer")
    second_user, _ = make_live_user("manager", username="second.manager")
    first = browser.new_context().new_page()
    second = browser.new_context().new_page()
    sign_in_through_the_page(first, live_server, first_user, password)
    add_client(first, live_server, "Sam", "Twoeditors", "11/123457J")
    expect(first).to_have_url(re.compile(r"/clients/IOM-0001$"))
    sign_in_through_the_page(second, live_server, second_user, password)

    # both open the edit form
    first.goto(f"{live_server.url}/clients/IOM-0001/edit")
    second.goto(f"{live_server.url}/clients/IOM-0001/edit")

    first.get_by_label("Ward").fill("Saved by the first")
    first.get_by_role("button", name="Save changes").click()
    expect(first.get_by_text("Sam Twoeditors's details saved")).to_be_visible()

    second.get_by_label("Ward").fill("Typed by the second")
    second.get_by_role("button", name="Save changes").click()
    expect(second.locator(".govuk-error-summary")).to_contain_text("changed by someone else")
    expect(second.locator("#conflicts")).to_contain_text("Saved by the first")
    expect(second.get_by_label("Ward")).to_have_value("Typed by the second")

    second.goto(f"{live_server.url}/clients/IOM-0001")
    ward = second.locator(".govuk-summary-list__row").filter(has_text="Ward")
    expect(ward).to_contain_text("Saved by the first")
