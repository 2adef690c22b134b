"""A form-level error (a stale save, a rule the whole form breaks) is shown once, under an id of its
own: no page repeats an id, and every link in the error summary lands on an element of the page."""
from collections import Counter
from datetime import date
from html.parser import HTMLParser

from sqlalchemy import select

from iom.clients import operations
from iom.clients.models import Client, SchemePeriod
from iom.extensions import db
from tests.pages import post_form
from tests.pages import Page


class _Ids(HTMLParser):
    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.tags: dict[str, str] = {}   # id -> the element that carries it
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        element_id = dict(attrs).get("id")
        if element_id:
            self.ids.append(element_id)
            self.tags[element_id] = tag


def assert_ids_unique_and_summary_links_land(response) -> Page:
    html = response.get_data(as_text=True)
    ids = Counter(_Ids(html).ids)
    assert [name for name, times in ids.items() if times > 1] == []
    targets = _summary_hrefs(html)
    assert targets, "the page has an error summary"
    assert [href for href in targets if href.removeprefix("#") not in ids] == []
    return Page(response)


def _summary_hrefs(html: str) -> list[str]:
    start = html.index("govuk-error-summary__list")
    end = html.index("</ul>", start)
    return [part.split('"', 1)[0] for part in html[start:end].split('href="')[1:]]


def _client_with_period(app) -> tuple[str, int]:
    with app.app_context():
        client = operations.add_client({"given_name": "Ann", "family_name": "Example"},
                                       strand="catch_convict", joined_on=date(2011, 4, 1))
        db.session.commit()
        return client.reference, db.session.scalar(select(SchemePeriod.id))


def test_a_stale_leaving_date_links_to_the_button_and_its_message_is_submit_error(app, signed_in):
    browser, _ = signed_in("officer")
    reference, period_id = _client_with_period(app)
    response = post_form(browser, app, f"/clients/{reference}/periods/{period_id}/leave",
                         {"left_on": ["1", "5", "2012"], "exit_reason": "completed", "version": "0"})
    assert response.status_code == 409
    page = assert_ids_unique_and_summary_links_land(response)
    assert "#submit" in _summary_hrefs(response.text)
    assert _Ids(response.text).tags["submit"] == "button"
    assert page.field_errors["submit-error"] == page.summary_errors[0]


def test_a_stale_client_edit_shows_the_differences_with_unique_ids(app, signed_in):
    browser, _ = signed_in("officer")
    reference, _ = _client_with_period(app)
    with app.app_context():  # someone else saves first
        saved = db.session.scalar(select(Client))
        operations.update_client(saved, {"ward": "Saved Ward"}, version=saved.version)
        db.session.commit()
    response = post_form(browser, app, f"/clients/{reference}/edit",
                         {"given_name": "Ann", "family_name": "Example", "date_of_birth": ["", "", ""],
                          "pnc_id": "", "ward": "My Ward", "programme": "ppo", "alcohol_related": "unknown",
                          "risk_level": "", "offender_manager_id": "", "version": "1"})
    assert response.status_code == 409
    assert_ids_unique_and_summary_links_land(response)
    assert 'id="conflicts"' in response.text and "Saved Ward" in response.text


def test_the_accounts_page_has_one_submit_id_and_the_summary_lands_on_the_message(app, signed_in, make_user):
    browser, admin_id = signed_in("admin")
    make_user("admin")  # so "only administrator" is not the reason
    response = post_form(browser, app, f"/admin/users/{admin_id}/deactivate", {"version": "1"})
    assert response.status_code == 400
    page = assert_ids_unique_and_summary_links_land(response)
    assert page.field_errors["submit"] == "You cannot deactivate your own account"
    assert _Ids(response.text).tags["submit"] == "p"
