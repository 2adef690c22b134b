"""The home page: what needs doing today, as counts, by role."""
import re
from datetime import date, timedelta

from iom.clients import operations
from iom.clock import today_in_london
from iom.custody.operations import record_custody_event
from iom.extensions import db


def shows_count(page: str, count: int, words: str) -> bool:
    """A count on the home page: an MOJ badge (blue when something waits, grey at none), then its words
    as the link to the page that lists them."""
    colour = "blue" if count else "grey"
    return re.search(f'<span class="moj-badge moj-badge--{colour}">{count}</span> '
                     f'<a class="govuk-link" href="[^"]+">{re.escape(words)}</a>', page) is not None


def test_officer_sees_their_caseload_and_releases_due(app, signed_in):
    client, me = signed_in("officer")
    with app.app_context():
        person = operations.add_client({"given_name": "Hidden", "family_name": "Name", "offender_manager_id": me},
                                       strand="catch_convict", joined_on=date(2011, 4, 1))
        record_custody_event(person, status="custody", from_date=today_in_london() - timedelta(days=10),
                             establishment="HMP Test", expected_release_on=today_in_london() + timedelta(days=3))
        db.session.commit()
    page = client.get("/").text
    assert shows_count(page, 1, "on the scheme in your caseload")
    assert shows_count(page, 1, "due for release in the next 28 days or with the release date passed")
    assert shows_count(page, 0, "in custody past their expected release date, with no release recorded")
    assert shows_count(page, 1, "due for release with no housing referral or Duty to Refer")
    assert "Hidden" not in page and "Name</" not in page  # counts only: nobody is named


def test_a_release_date_passed_with_no_release_recorded_still_counts_until_custody_changes(app, signed_in):
    client, _ = signed_in("housing")
    today = today_in_london()
    with app.app_context():
        person = operations.add_client({"given_name": "Hidden", "family_name": "Name"}, strand="catch_convict",
                                       joined_on=date(2011, 4, 1))
        record_custody_event(person, status="custody", from_date=today - timedelta(days=100),
                             establishment="HMP Test", expected_release_on=today - timedelta(days=3))
        db.session.commit()
        person_id = person.id
    page = client.get("/").text
    assert shows_count(page, 1, "due for release in the next 28 days or with the release date passed")
    assert shows_count(page, 1, "in custody past their expected release date, with no release recorded")

    with app.app_context():  # the release is recorded
        from iom.clients.models import Client
        record_custody_event(db.session.get(Client, person_id), status="community", from_date=today,
                             establishment=None, expected_release_on=None)
        db.session.commit()
    page = client.get("/").text
    assert shows_count(page, 0, "due for release in the next 28 days or with the release date passed")
    assert shows_count(page, 0, "in custody past their expected release date, with no release recorded")


def test_reviewer_home_has_no_caseload_counts(signed_in):
    client, _ = signed_in("reviewer")
    page = client.get("/").text
    assert '<h2 class="govuk-heading-m">Today</h2>' not in page
    assert "in your caseload" not in page and "due for release" not in page


def test_manager_sees_payments_waiting(app, signed_in):
    client, _ = signed_in("manager")
    assert "support payments waiting for your decision" in client.get("/").text


def test_home_page_queries_do_not_grow_with_the_caseload(app, signed_in, count_queries):
    client, me = signed_in("housing")
    client.get("/")
    with count_queries() as few:
        client.get("/")
    with app.app_context():
        for n in range(20):
            person = operations.add_client({"given_name": f"G{n}", "family_name": "F"}, strand="catch_convict",
                                           joined_on=date(2011, 4, 1))
            record_custody_event(person, status="remand", from_date=today_in_london() - timedelta(days=5),
                                 establishment="HMP Test", expected_release_on=today_in_london() + timedelta(days=n))
        db.session.commit()
    with count_queries() as many:
        client.get("/")
    assert few.count == many.count
