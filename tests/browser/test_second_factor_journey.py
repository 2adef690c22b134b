"""The second factor through real Chromium: a new account sets up its authenticator app from the inline
QR code at its first sign-in (no CSP complaint), keeps its recovery codes, and later gives its code
again before downloading the review pack."""
import re
from datetime import timedelta

import pyotp
from playwright.sync_api import expect

from tests.pages import next_code


def test_a_new_account_sets_up_its_authenticator_at_first_sign_in(page, live_server):
    from sqlalchemy import select

    from iom.auth import operations
    from iom.auth.models import User
    from iom.clock import utcnow
    from iom.extensions import db
    with live_server.app.app_context():
        operations.create_user("new.officer", "officer", "plum orchard lantern 42", display_name="New Officer",
                               actor_label="test")
        db.session.commit()
    csp_violations = []
    page.on("console", lambda message: csp_violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.goto(f"{live_server.url}/login")
    page.get_by_label("Username").fill("new.officer")
    page.get_by_label("Password", exact=True).fill("plum orchard lantern 42")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}/login/set-up-second-factor")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your authenticator app")
    expect(page.locator("#qr-code svg")).to_be_visible()
    page.goto(f"{live_server.url}/clients")  # nothing else before the second factor is set up
    expect(page).to_have_url(re.compile(r"/login"))
    page.goto(f"{live_server.url}/login/set-up-second-factor")
    with live_server.app.app_context():
        secret = db.session.scalar(select(User.totp_secret).where(User.username == "new.officer"))
    shown = page.locator("#setup-key").inner_text().replace(" ", "")
    assert shown == secret
    page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP(secret).at(utcnow()))
    page.get_by_role("button", name="Turn on the second step").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Save your recovery codes")
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.get_by_role("button", name="I have saved my recovery codes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, New Officer")
    assert csp_violations == []


def test_the_reviewer_gives_the_code_again_before_downloading(page, live_server, make_live_user):
    from sqlalchemy import update

    from iom.auth.models import UserSession
    from iom.clock import utcnow
    from iom.extensions import db
    from tests.pages import sign_in_through_the_page
    username, password = make_live_user("reviewer")
    sign_in_through_the_page(page, live_server, username, password)
    with live_server.app.app_context():
        db.session.execute(update(UserSession).values(second_factor_at=utcnow() - timedelta(minutes=10)))
        db.session.commit()
    page.goto(f"{live_server.url}/reports")
    page.get_by_role("link", name=re.compile(r"^View the .* review$")).first.click()
    pack = page.url
    page.get_by_role("button", name="Download as JSON").click()
    expect(page).to_have_url(re.compile(r"/account/confirm-code\?next="))
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code again")
    page.get_by_label("Code").fill(next_code(live_server.app, username))
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(pack)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download as JSON").click()
    assert download.value.suggested_filename.endswith(".json")
