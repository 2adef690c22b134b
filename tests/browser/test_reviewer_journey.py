"""The external reviewer through real Chromium: sign in, open the year's review, download the PDF,
and find nothing else open to them. The PDF holds no identifier of the clients behind it."""
import io
from datetime import date

from playwright.sync_api import expect
from pypdf import PdfReader

from tests.pages import sign_in_through_the_page

IDENTIFIERS = ["Ottoline", "Brackenbury", "11/123456H", "1985-02-03", "03/02/1985", "Quillbrook", "IOM-0001"]


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


def test_reviewer_signs_in_and_downloads_the_pdf(page, live_server, make_live_user):
    make_caseload(live_server)
    username, password = make_live_user("reviewer")
    csp_violations = []
    page.on("console", lambda message: csp_violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    sign_in_through_the_page(page, live_server, username, password)

    page.get_by_role("link", name="Annual report").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("End-of-year review")
    page.get_by_role("link", name="View the 2011-12 review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("End-of-year review 2011-12")
    expect(page.locator("svg.iom-chart")).to_have_count(2)
    expect(page.get_by_role("img", name="Clients counted for the minimum, by month")).to_be_visible()
    expect(page.locator("#months")).to_contain_text("42")
    expect(page.locator("body")).not_to_contain_text("Brackenbury")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download as PDF").click()
    download = download_info.value
    assert download.suggested_filename == "iom-annual-review-2011-12.pdf"
    with open(download.path(), "rb") as handle:
        content = handle.read()
    assert content.startswith(b"%PDF")
    text = "\n".join(page_.extract_text() for page_ in PdfReader(io.BytesIO(content)).pages)
    assert "End-of-year review 2011-12" in text
    assert not [value for value in IDENTIFIERS if value.lower() in text.lower()]
    assert csp_violations == []

    # nothing else is open to them
    response = page.goto(f"{live_server.url}/clients")
    assert response.status == 403
    nav = page.locator(".govuk-service-navigation__list")
    expect(nav.get_by_role("link")).to_have_text(["Home", "Annual report", "Alcohol paper"])
