"""What a public service must publish: the accessibility statement, the privacy notice for law
enforcement processing and the cookies page, readable signed out, linked from every page's footer,
with the partnership's own details from config and the demo's marked until they are set."""
import re

import pytest

from iom.auth.permissions import ROLES
from iom.config import PUBLISHED_SETTINGS, Config, from_environment
from tests.pages import Page, plain, sign_in

PAGES = {"/accessibility": ("Accessibility statement", "Accessibility statement for IOM caseload"),
         "/privacy": ("Privacy notice", "Privacy notice: how IOM caseload uses your information"),
         "/cookies": ("Cookies", "Cookies")}
FOOTER_LINKS = [("/accessibility", "Accessibility statement"), ("/privacy", "Privacy notice"), ("/cookies", "Cookies")]


def footer_links(response) -> list[tuple[str, str]]:
    body = response.get_data(as_text=True)
    footer = body[body.index('<footer class="govuk-footer"'):]
    return [(href, " ".join(text.split())) for href, text in
            re.findall(r'<a class="govuk-footer__link" href="([^"]+)">([^<]+)</a>', footer)]


@pytest.fixture
def demo_details(app):
    """The published settings as the code's defaults, whatever the environment running the tests says."""
    app.config.update({key: getattr(Config, key) for key in PUBLISHED_SETTINGS.values()})


@pytest.mark.parametrize("path", PAGES)
def test_each_page_is_readable_signed_out(app, client, demo_details, path):
    response = client.get(path)
    assert response.status_code == 200
    page = Page(response)
    title, heading = PAGES[path]
    assert page.title == f"{title} – IOM caseload"
    assert f'<h1 class="govuk-heading-l">{heading}</h1>' in response.get_data(as_text=True)
    assert "Sign out" not in plain(response)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reads_them_too_even_before_choosing_a_password(app, client, make_user, role):
    _, username = make_user(role, must_change_password=True)
    assert sign_in(client, app, username).status_code == 302
    assert client.get("/").headers["Location"] == "/account/password"  # everything else waits for it
    for path in PAGES:
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize("role", [*ROLES, None], ids=[*ROLES, "signed_out"])
def test_every_page_links_to_them_from_its_footer(app, client, make_user, role):
    if role is None:
        pages = [client.get("/login"), client.get("/no-such-page")]
    else:
        _, username = make_user(role)
        assert sign_in(client, app, username).status_code == 302
        pages = [client.get("/"), client.get("/no-such-page"), client.get("/accessibility")]
        forbidden = client.get("/admin/users" if role != "admin" else "/clients")
        assert forbidden.status_code == 403
        pages.append(forbidden)
    for response in pages:
        assert footer_links(response) == FOOTER_LINKS, response.request.path


def test_the_server_error_page_has_the_links_too(app, client, make_user, monkeypatch):
    from iom.home import views as home_views
    _, username = make_user("officer")
    sign_in(client, app, username)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    monkeypatch.setattr(home_views, "today_items", lambda *args: 1 / 0)
    response = client.get("/")
    assert response.status_code == 500 and footer_links(response) == FOOTER_LINKS


# --- the partnership's details ----------------------------------------------------------------------

def test_until_the_partnership_sets_its_details_each_page_says_what_is_missing(app, client, demo_details):
    privacy = client.get("/privacy")
    warning = plain(privacy).split("Warning", 1)[1].split("This notice is for")[0]
    for variable in ("IOM_PARTNERSHIP_NAME", "IOM_JOINT_CONTROLLERS", "IOM_DATA_PROTECTION_EMAIL", "IOM_HOSTING",
                     "IOM_RETENTION"):
        assert variable in warning
    assert "shown now as “Demo Community Safety Partnership”" in warning
    text = plain(privacy)
    assert "To be completed [the agencies that are joint controllers: the partnership sets IOM_JOINT_CONTROLLERS ]" \
        in text
    assert "To be completed [how long records are kept: the partnership sets IOM_RETENTION ]" in text
    statement = plain(client.get("/accessibility"))
    assert "IOM_ACCESSIBILITY_TESTED_ON" in statement and "IOM_RETENTION" not in statement
    assert "To be completed [the date the service was last tested for accessibility" in statement


SET = {"PARTNERSHIP_NAME": "Northshire Community Safety Partnership",
       "CONTACT_EMAIL": "iom@northshire.example", "DATA_PROTECTION_EMAIL": "dpo@northshire.example",
       "JOINT_CONTROLLERS": ("Northshire Police, Police HQ, Northtown NT1 1AA",
                             "Probation Service (Northshire), 2 Court Street, Northtown NT1 2BB"),
       "RETENTION": "Records are reviewed 6 years after someone leaves the scheme.",
       "HOSTING": "On the council's own servers in Northtown; nothing leaves the UK.",
       "ACCESSIBILITY_TESTED_ON": "2026-11-20"}


def test_once_set_the_pages_carry_the_partnerships_own_details_and_no_gaps(app, client):
    app.config.update(SET)
    for path in PAGES:
        response = client.get(path)
        text = plain(response)
        assert "To be completed" not in text and "demonstration" not in text, path
        assert "Northshire Community Safety Partnership" in text  # the footer names it on every page
    privacy = plain(client.get("/privacy"))
    assert "Northshire Police, Police HQ, Northtown NT1 1AA Probation Service (Northshire)" in privacy
    assert "dpo@northshire.example" in privacy and "Records are reviewed 6 years" in privacy
    assert "nothing leaves the UK" in privacy
    statement = client.get("/accessibility")
    assert 'href="mailto:iom@northshire.example"' in statement.get_data(as_text=True)
    assert "last tested, on 20 November 2026" in plain(statement)


def test_the_details_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("IOM_PARTNERSHIP_NAME", " Northshire Community Safety Partnership ")
    monkeypatch.setenv("IOM_JOINT_CONTROLLERS", "Northshire Police; ; Probation Service (Northshire) ;")
    monkeypatch.setenv("IOM_CONTACT_EMAIL", "   ")  # blank: the default stays
    config = {"CONTACT_EMAIL": Config.CONTACT_EMAIL}
    from_environment(config)
    assert config["PARTNERSHIP_NAME"] == "Northshire Community Safety Partnership"
    assert config["JOINT_CONTROLLERS"] == ("Northshire Police", "Probation Service (Northshire)")
    assert config["CONTACT_EMAIL"] == Config.CONTACT_EMAIL


def test_a_test_date_that_is_not_a_date_is_still_a_gap(app, client, demo_details):
    app.config["ACCESSIBILITY_TESTED_ON"] = "last Tuesday"
    text = plain(client.get("/accessibility"))
    assert "To be completed [the date the service was last tested for accessibility" in text


# --- what each page must say -------------------------------------------------------------------------

def test_the_accessibility_statement_has_what_the_regulations_ask_for(app, client, demo_details):
    text = plain(client.get("/accessibility"))
    assert "partially compliant with the Web Content Accessibility Guidelines version 2.2 AA standard" in text
    for criterion in ("1.4.10 (Reflow)", "1.4.3 (Contrast (Minimum))", "2.2.1 (Timing Adjustable)"):
        assert criterion in text  # what is known not to meet it, by success criterion
    assert "Reporting accessibility problems with this service" in text and "iom-service@example.org" in text
    assert "Equality and Human Rights Commission (EHRC) is responsible for enforcing" in text
    assert "Equality Advisory and Support Service (EASS)" in text
    assert "Preparation of this accessibility statement" in text


def test_the_privacy_notice_covers_part_3_of_the_act(app, client, demo_details):
    text = plain(client.get("/privacy"))
    assert "Part 3 of the Data Protection Act 2018" in text and "joint controllers (section 58" in text
    assert "section 35(2)(b)" in text and "Schedule 8" in text and "appropriate policy document" in text
    for right in ("of access", "to rectification", "to erasure or restriction"):
        assert f"right {right}" in text or f"{right}:" in text, right
    assert "avoid prejudicing the prevention, detection, investigation or prosecution of criminal offences" in text
    assert "section 51" in text  # the Commissioner can check a restriction
    assert "Wycliffe House" in text and "0303 123 1113" in text


def test_the_cookies_page_names_the_one_cookie_the_service_sets(app, client, make_user, demo_details):
    text = plain(client.get("/cookies"))
    assert "iom_session" in text and "30 minutes after you last do something" in text
    assert "no analytics" in text and "cross-site request forgery" in text
    # and it is the only one: the sign-in page, signing in and a page after it set nothing else
    _, username = make_user("officer")
    fresh = app.test_client()
    set_cookies = fresh.get("/login").headers.getlist("Set-Cookie")
    set_cookies += sign_in(fresh, app, username).headers.getlist("Set-Cookie")
    set_cookies += fresh.get("/").headers.getlist("Set-Cookie")
    assert set_cookies and {header.split("=", 1)[0] for header in set_cookies} == {"iom_session"}
    assert all("HttpOnly" in header and "SameSite=Lax" in header for header in set_cookies)
