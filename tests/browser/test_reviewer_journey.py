"""The external reviewer through real Chromium, by keyboard alone (Tab, Enter and Space through
page.keyboard; no clicks): sign in, open the year's review, choose and order its sections, write a
finding, sign it off and download the final PDF; and find nothing else open to them. The PDF holds no
identifier of the clients behind it."""
import io
from datetime import date

from playwright.sync_api import expect
from pypdf import PdfReader

from tests.pages import next_code

IDENTIFIERS = ["Ottoline", "Brackenbury", "11/123456H", "1985-02-03", "03/02/1985", "Quillbrook", "IOM-0001"]
FINDING = "The scheme kept above its minimum cohort in the months that ended."
RECOMMENDATION = "Record the serious acquisitive crime count every month."


def make_caseload(live_server):
    from iom.figures.models import SacCount
    from iom.clients.models import Client, SchemePeriod
    from iom.extensions import db
    with live_server.app.app_context():
        person = Client(reference="IOM-0001", given_name="Ottoline", family_name="Brackenbury",
                        date_of_birth=date(1985, 2, 3), pnc_id="11/123456H", ward="Quillbrook", programme="ppo",
                        alcohol_related="yes")
        db.session.add(person)
        db.session.flush()
        db.session.add(SchemePeriod(client_id=person.id, strand="catch_convict", joined_on=date(2011, 4, 1)))
        db.session.add(SacCount(month=date(2011, 4, 1), crimes=42))
        db.session.commit()


def tab_to(page, locator, limit=400):
    """Press Tab until the element has the focus, as someone with no mouse moves through a page."""
    target = locator.element_handle()
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("element => document.activeElement === element", target):
            return
    raise AssertionError(f"Tab never reached {locator}")


def replace_text(page, text: str) -> None:
    """Type over what the focused box holds."""
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def test_reviewer_designs_signs_off_and_downloads_the_review_by_keyboard(page, live_server, make_live_user):
    make_caseload(live_server)
    username, password = make_live_user("reviewer")
    csp_violations = []
    page.on("console", lambda message: csp_violations.append(message.text)
            if "Content Security Policy" in message.text else None)

    # sign in
    page.goto(f"{live_server.url}/login")
    tab_to(page, page.get_by_label("Username"))
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/login/code")  # the second step: the authenticator's code
    tab_to(page, page.get_by_label("Code"))
    page.keyboard.type(next_code(live_server.app, username))
    page.keyboard.press("Enter")

    # the year's figures
    tab_to(page, page.get_by_role("link", name="Annual report").first)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("End-of-year review")
    tab_to(page, page.get_by_role("link", name="View the 2011-12 review"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("End-of-year review 2011-12")
    expect(page.locator("svg.iom-chart")).to_have_count(2)
    expect(page.get_by_role("img", name="Clients counted for the minimum, by month")).to_be_visible()
    expect(page.locator("#months")).to_contain_text("42")
    expect(page.locator("body")).not_to_contain_text("Brackenbury")
    expect(page.get_by_role("link", name="Download as PDF")).to_have_count(0)   # a button: a POST, not a link

    # choose the sections and their order: leave out the watch list, move the summary to the end
    tab_to(page, page.get_by_role("link", name="Open the review of 2011-12"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("The outside reviewer's review")
    tab_to(page, page.get_by_role("link", name="Choose and order the sections"))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_label("Your organisation"))
    page.keyboard.type("County Council Internal Audit")
    tab_to(page, page.get_by_label("Watch list", exact=True))
    page.keyboard.press("Space")
    expect(page.get_by_label("Watch list", exact=True)).not_to_be_checked()
    tab_to(page, page.get_by_label("Order for Summary"))
    replace_text(page, "20")
    tab_to(page, page.get_by_role("button", name="Save the sections"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("The outside reviewer's review")
    rows = page.locator("table tbody th")
    expect(rows.first).to_contain_text("1. The twelve months")
    expect(rows.last).to_contain_text("12. Summary")
    expect(page.locator("table")).not_to_contain_text("Watch list")

    # a finding and a recommendation on the months
    tab_to(page, page.get_by_role("link", name="Write findings on The twelve months"))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_label("Findings"))
    page.keyboard.type(FINDING)
    tab_to(page, page.get_by_label("Recommendations"))
    page.keyboard.type(RECOMMENDATION)
    tab_to(page, page.get_by_role("button", name="Save findings and recommendations"))
    page.keyboard.press("Enter")
    expect(page.locator("body")).to_contain_text("Findings on The twelve months saved")
    expect(page.locator("table").first).to_contain_text(FINDING)

    # sign it off
    tab_to(page, page.get_by_role("link", name="Sign off version 1"))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("button", name="Sign off the review"))
    page.keyboard.press("Space")
    expect(page.locator("#review-status")).to_contain_text("Signed off")

    # download the final PDF
    with page.expect_download() as download_info:
        tab_to(page, page.get_by_role("button", name="Download as PDF"))
        page.keyboard.press("Enter")
    download = download_info.value
    assert download.suggested_filename == "iom-annual-review-2011-12.pdf"
    with open(download.path(), "rb") as handle:
        content = handle.read()
    assert content.startswith(b"%PDF")
    text = "\n".join(page_.extract_text() for page_ in PdfReader(io.BytesIO(content)).pages)
    assert "End-of-year review 2011-12" in text and "FINAL" in text and "County Council Internal Audit" in text
    assert FINDING in " ".join(text.split()) and RECOMMENDATION in " ".join(text.split())
    assert text.index("1. The twelve months") < text.index("12. Summary")
    assert not [value for value in IDENTIFIERS if value.lower() in text.lower()]
    assert csp_violations == []

    # nothing else is open to them
    response = page.goto(f"{live_server.url}/clients")
    assert response.status == 403
    nav = page.locator(".govuk-service-navigation__list")
    expect(nav.get_by_role("link")).to_have_text(["Home", "Annual report", "Alcohol paper"])
