"""Signing in through real Chromium reaches the home page, with our JavaScript running under the CSP."""
from playwright.sync_api import expect

from tests.pages import sign_in_through_the_page


def test_officer_signs_in_and_reaches_home(page, live_server, make_live_user):
    username, password = make_live_user("officer")
    csp_violations = []
    page.on("console", lambda message: csp_violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    sign_in_through_the_page(page, live_server, username, password)
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Test Officer")
    expect(page.locator("body")).to_have_class(__import__("re").compile("govuk-frontend-supported"))
    assert csp_violations == []
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{live_server.url}/login")
    expect(page.get_by_text("You have signed out")).to_be_visible()


def test_wrong_password_shows_the_error_summary(page, live_server, make_live_user):
    username, _ = make_live_user("manager")
    sign_in_through_the_page(page, live_server, username, "not my password at all")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Enter a correct username and password")
    expect(summary).to_be_focused()
