"""The offending record on the client page (officers and managers only), its forms, and the
manager's cost of crime page: what each role sees, every form's errors, stale saves, audit entries."""
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from iom.audit.models import AuditEntry
from iom.clients.models import Client
from iom.custody.operations import record_custody_event
from iom.extensions import db
from iom.offending.models import Offence, OffenceUnitCost
from tests.builders import TODAY, actions, add_offence, audit_entries, client_named, count, offence_form, state_of
from tests.pages import Page, assert_field_error, plain, post_form, text_of_fragment

ADOPTED = date(2011, 4, 1)


def table_html(response, table_id: str) -> str:
    body = response.get_data(as_text=True)
    start = body.index(">", body.index(f'id="{table_id}"')) + 1
    return body[start:body.index("</table>", start)]


def table(response, table_id: str) -> str:
    """The words of one table on the page."""
    return text_of_fragment(table_html(response, table_id))


def first_cells(response, table_id: str) -> list[str]:
    """The first cell of each body row of one table."""
    body = table_html(response, table_id).split("<tbody", 1)[1]
    return [text_of_fragment(row.split(">", 1)[1].split("</td>", 1)[0]) for row in body.split("<tr")[1:]]


@pytest.fixture
def history(app, make_client):
    """Adopted 1 April 2011; ten days on remand in the year before; offences either side of adoption."""
    reference = make_client(joined=ADOPTED)
    with app.app_context():
        person = client_named(reference)
        person.date_of_birth = date(1988, 2, 3)
        record_custody_event(person, status="remand", from_date=date(2010, 6, 1), establishment="HMP Leeds")
        record_custody_event(person, status="community", from_date=date(2010, 6, 11))
        db.session.commit()
    for day, kind in [(date(2010, 3, 31), "robbery"),               # before the year before: not counted
                      (date(2010, 5, 1), "robbery"), (date(2010, 12, 1), "theft_from_person"),
                      (date(2011, 3, 31), "shoplifting"),            # not costed in the source
                      (ADOPTED, "domestic_burglary")]:
        add_offence(app, reference, offence_on=day, offence_type=kind, crime_reference=f"CR-{day:%Y%m%d}")
    return reference


def test_an_officer_sees_the_offences_the_year_before_and_since_and_the_timeline(app, signed_in, history):
    browser, _ = signed_in("officer")
    response = browser.get(f"/clients/{history}/offending")
    assert response.status_code == 200
    assert first_cells(response, "offences-table") == ["1 April 2011", "31 March 2011", "1 December 2010", "1 May 2010",
                                                "31 March 2010"]  # newest first
    since_days = (TODAY - ADOPTED).days + 1
    assert table(response, "before-and-since-table") == (
        "Offending in the year before adoption and since Figure The year before Since adoption "
        "Dates 1 April 2010 to 31 March 2011 1 April 2011 to today "
        f"Days 365 {since_days:,} Days at risk 355 {since_days:,} Offences 3 1 Serious acquisitive crime 1 1 "
        "Neighbourhood crime 2 1 Cost of crime £12,700.00 £5,930.00")
    assert "1 of these offences is of a type the published source gives no cost for: it counts £0.00" in plain(response)
    svg = response.text[response.text.index("<svg"):response.text.index("</svg>")]
    assert 'role="img"' in svg and '<title id="offending-timeline-title">' in svg and "<desc" in svg
    assert svg.count("<title>Offence: ") == 5 and "On remand: HMP Leeds" in svg
    timeline = table(response, "offending-timeline-table")
    assert "1 June 2010 10 June 2010 On remand: HMP Leeds" in timeline
    assert "1 April 2011 Today On the scheme: Catch and convict" in timeline
    assert "1 May 2010 Offence: Robbery (serious acquisitive crime)" in timeline


def test_someone_not_yet_adopted_has_no_before_and_since(app, signed_in, make_client):
    browser, _ = signed_in("manager")
    reference = make_client()
    with app.app_context():
        from iom.clients.models import SchemePeriod
        db.session.execute(SchemePeriod.__table__.delete())
        db.session.commit()
    page = plain(browser.get(f"/clients/{reference}/offending"))
    assert "Not adopted onto the scheme, so there is no year before adoption to compare." in page
    assert "Nothing to show yet" in page


@pytest.mark.parametrize("role", ["housing"])
def test_the_housing_specialist_never_sees_the_offending_record(app, signed_in, history, role):
    browser, _ = signed_in(role)
    page = browser.get(f"/clients/{history}/offending").text
    assert 'id="offending"' not in page and "CR-2011" not in page and "Robbery" not in page and "<svg" not in page
    with app.app_context():
        offence_id = db.session.scalar(select(Offence.id))
    for path in (f"/clients/{history}/offences/new", f"/clients/{history}/offences/{offence_id}/edit",
                 f"/clients/{history}/offences/{offence_id}/remove"):
        assert browser.get(path).status_code == 403
    assert post_form(browser, app, f"/clients/{history}/offences/new", offence_form()).status_code == 403
    assert count(app, Offence) == 5
    assert "access.denied" in actions(app)


def test_recording_an_offence_through_the_form(app, signed_in, make_client):
    browser, officer_id = signed_in("officer")
    reference = make_client()
    form_page = browser.get(f"/clients/{reference}/offences/new")
    assert form_page.status_code == 200
    labels = re.findall(r'<option value="([a-z_]*)"', form_page.text)
    assert labels[:3] == ["", "domestic_burglary", "non_domestic_burglary"] and len(labels) == 17
    response = post_form(browser, app, f"/clients/{reference}/offences/new",
                         offence_form(offence_type="shoplifting", outcome="", crime_reference=""))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/clients/{reference}/offending")
    with app.app_context():
        saved = db.session.scalar(select(Offence))
        assert (saved.offence_type, saved.outcome, saved.crime_reference, saved.recorded_by_id) == (
            "shoplifting", None, None, officer_id)
    assert actions(app, "client", saved.client_id)[-1] == "offence.recorded"


@pytest.mark.parametrize("overrides, field, message", [
    ({"offence_on": ["", "", ""]}, "offence_on", "Enter date the offence was committed"),
    ({"offence_on": ["31", "2", "2011"]}, "offence_on", "Date the offence was committed must be a real date"),
    ({"offence_on": TODAY + timedelta(days=1)}, "offence_on",
     "Date the offence was committed must be today or in the past"),
    ({"offence_on": date(1988, 2, 2)}, "offence_on",
     "Date the offence was committed must be on or after their date of birth (3 February 1988)"),
    ({"offence_type": ""}, "offence_type", "Select the type of offence"),
    ({"offence_type": "arson"}, "offence_type", "Select the type of offence"),
    ({"outcome": "acquitted"}, "outcome", "Select the outcome: convicted, cautioned, charged or other"),
    ({"alcohol_involved": None}, "alcohol_involved", "Select whether alcohol was involved: yes, no or not known"),
    ({"alcohol_involved": "maybe"}, "alcohol_involved", "Select whether alcohol was involved: yes, no or not known"),
    ({"crime_reference": "x" * 41}, "crime_reference", "Crime reference must be 40 characters or fewer"),
])
def test_every_wrong_entry_has_its_message_and_saves_nothing(app, signed_in, make_client, overrides, field, message):
    browser, _ = signed_in("manager")
    reference = make_client()
    with app.app_context():
        client_named(reference).date_of_birth = date(1988, 2, 3)
        db.session.commit()
    data = {name: value for name, value in offence_form(**overrides).items() if value is not None}
    before = len(audit_entries(app, "offence.recorded"))
    response = post_form(browser, app, f"/clients/{reference}/offences/new", data)
    assert response.status_code == 400
    assert_field_error(response, field, message)
    assert count(app, Offence) == 0 and len(audit_entries(app, "offence.recorded")) == before


def shoplifting(app, reference: str, page: str) -> tuple[int, str]:
    """The history's shoplifting offence: its id and the address of one of its pages."""
    with app.app_context():
        offence_id = db.session.scalar(select(Offence.id).where(Offence.offence_type == "shoplifting"))
    return offence_id, f"/clients/{reference}/offences/{offence_id}/{page}"


def test_correcting_an_offence_and_a_stale_correction(app, signed_in, history):
    browser, _ = signed_in("officer")
    offence_id, url = shoplifting(app, history, "edit")
    form_page = browser.get(url)
    page = Page(form_page)
    assert page.selected["offence_type"] == "shoplifting" and page.value("version") == "1"
    assert page.values["offence_on"] == ["31", "3", "2011"] and page.checked("outcome") == ["charged"]
    saved = post_form(browser, app, url, {**offence_form(offence_on=date(2011, 3, 31), offence_type="other_theft"),
                                          "version": "1"})
    assert saved.status_code == 302
    assert state_of(app, Offence, offence_id)["offence_type"] == "other_theft"
    entry = audit_entries(app, "offence.corrected")[-1]
    assert entry.changes["offence_type"] == ["shoplifting", "other_theft"]

    # a second person's form, opened at version 1, saves after the first
    stale = post_form(browser, app, url, {**offence_form(offence_on=date(2011, 3, 31), offence_type="robbery"),
                                          "version": "1"})
    assert stale.status_code == 409
    assert "What is different" in stale.text and "Other theft" in stale.text and "Robbery" in table(stale, "conflicts")
    stale_page = Page(stale)
    assert stale_page.selected["offence_type"] == "robbery" and stale_page.value("version") == "2"
    assert state_of(app, Offence, offence_id)["offence_type"] == "other_theft"
    again = post_form(browser, app, url, {**offence_form(offence_on=date(2011, 3, 31), offence_type="robbery"),
                                          "version": "2"})
    assert again.status_code == 302 and state_of(app, Offence, offence_id)["offence_type"] == "robbery"


def test_removing_an_offence_asks_first_and_needs_a_reason(app, signed_in, history):
    browser, _ = signed_in("manager")
    _, url = shoplifting(app, history, "remove")
    confirm = browser.get(url)
    assert confirm.status_code == 200 and "Are you sure you want to remove this offence?" in confirm.text
    assert "CR-20110331" in confirm.text
    refused = post_form(browser, app, url, {"reason": " ", "version": "1"})
    assert refused.status_code == 400
    assert_field_error(refused, "reason", "Enter why you are removing this offence")
    assert count(app, Offence) == 5
    removed = post_form(browser, app, url, {"reason": "Recorded twice", "version": "1"})
    assert removed.status_code == 302 and count(app, Offence) == 4
    assert audit_entries(app, "offence.removed")[-1].changes["reason"] == [None, "Recorded twice"]
    assert browser.get(url).status_code == 404


def test_an_offence_of_another_client_is_not_found_and_audited(app, signed_in, history, make_client):
    browser, _ = signed_in("officer")
    other = make_client()
    with app.app_context():
        offence_id = db.session.scalar(select(Offence.id))
    assert browser.get(f"/clients/{other}/offences/{offence_id}/edit").status_code == 404
    assert browser.get(f"/clients/{history}/offences/999999/remove").status_code == 404
    assert actions(app).count("offence.not_found") == 2


def test_each_offence_page_is_an_audited_view_of_the_person(app, signed_in, history):
    browser, _ = signed_in("officer")
    with app.app_context():
        offence_id = db.session.scalar(select(Offence.id))
        person_id = db.session.scalar(select(Client.id).where(Client.reference == history))
    for path in ("new", f"{offence_id}/edit", f"{offence_id}/remove"):
        response = browser.get(f"/clients/{history}/offences/{path}")
        with app.app_context():
            entry = db.session.scalar(select(AuditEntry).where(
                AuditEntry.request_id == response.headers["X-Request-ID"]))
        assert (entry.action, entry.subject_id) == ("client.viewed", str(person_id))


# --- the manager's cost of crime page -------------------------------------------------------------

def test_the_cost_of_crime_page_lists_every_type_with_its_source(app, signed_in):
    browser, _ = signed_in("manager")
    response = browser.get("/offending/unit-costs")
    assert response.status_code == 200
    rows = table(response, "unit-costs-table")
    assert "Domestic burglary £5,930.00 2015-16 Home Office, The economic and social costs of crime" in rows
    assert "Shoplifting £0.00 Not costed in the source: set a local figure Published" in rows
    assert len(Page(response).rows) == 16
    assert "value-for-money estimate" in plain(response)
    assert 'href="/offending/unit-costs"' in browser.get("/").text  # in the managers' navigation


def test_officers_and_others_cannot_open_it(app, signed_in):
    for role in ("officer", "admin", "housing", "reviewer"):
        browser, _ = signed_in(role)
        assert browser.get("/offending/unit-costs").status_code == 403
        assert 'href="/offending/unit-costs"' not in browser.get("/").text


def test_setting_a_local_figure_and_using_the_published_one_again(app, signed_in):
    browser, manager_id = signed_in("manager")
    form_page = Page(browser.get("/offending/unit-costs/shoplifting"))
    assert form_page.value("cost_gbp") == "" and form_page.value("version") == "0"
    saved = post_form(browser, app, "/offending/unit-costs/shoplifting",
                      {"cost_gbp": "£109", "price_year": "2019/20", "source": "Our own study", "version": "0"})
    assert saved.status_code == 302
    assert "Shoplifting £109.00 2019-20 Our own study The partnership's own" in table(
        browser.get("/offending/unit-costs"), "unit-costs-table")
    assert state_of(app, OffenceUnitCost, "shoplifting")["set_by_id"] == manager_id
    edit = Page(browser.get("/offending/unit-costs/shoplifting"))
    assert edit.value("cost_gbp") == "109.00" and edit.value("revert-version") == "1"
    reverted = post_form(browser, app, "/offending/unit-costs/shoplifting/revert", {"revert-version": "1"})
    assert reverted.status_code == 302 and count(app, OffenceUnitCost) == 0
    assert [e.action for e in audit_entries(app) if e.subject_type == "offence_unit_cost"] == [
        "offence_unit_cost.set", "offence_unit_cost.reverted"]


@pytest.mark.parametrize("data, field, message", [
    ({"cost_gbp": ""}, "cost_gbp", "Enter the cost of one offence"),
    ({"cost_gbp": "abc"}, "cost_gbp", "Cost of one offence must be a number in pounds and pence, like 70 or 70.50"),
    ({"cost_gbp": "0"}, "cost_gbp", "Cost of one offence must be more than £0"),
    ({"cost_gbp": "-10"}, "cost_gbp", "Cost of one offence must be more than £0"),
    ({"cost_gbp": "99999999999"}, "cost_gbp", "Cost of one offence must be £10,000,000.00 or less"),
    ({"price_year": "2015"}, "price_year", "Price year must be a financial year written like 2015-16"),
    ({"price_year": ""}, "price_year", "Enter the price year, like 2015-16"),
    ({"source": ""}, "source", "Enter where the figure comes from"),
])
def test_a_wrong_figure_has_its_message_and_sets_nothing(app, signed_in, data, field, message):
    browser, _ = signed_in("manager")
    response = post_form(browser, app, "/offending/unit-costs/robbery",
                         {"cost_gbp": "12000", "price_year": "2016-17", "source": "Local", "version": "0", **data})
    assert response.status_code == 400
    assert_field_error(response, field, message)
    assert count(app, OffenceUnitCost) == 0


def test_a_stale_figure_is_refused_showing_both(app, signed_in):
    browser, _ = signed_in("manager")
    form = {"cost_gbp": "12000", "price_year": "2016-17", "source": "Theirs", "version": "0"}
    assert post_form(browser, app, "/offending/unit-costs/robbery", form).status_code == 302
    stale = post_form(browser, app, "/offending/unit-costs/robbery", {**form, "cost_gbp": "13000", "source": "Mine"})
    assert stale.status_code == 409
    assert table(stale, "conflicts") == ("What is different Field Saved now Your entry (not saved) "
                                         "Cost of one offence £12,000.00 £13,000.00 Source Theirs Mine")
    assert Page(stale).value("version") == "1"
    assert state_of(app, OffenceUnitCost, "robbery")["source"] == "Theirs"
    revert = post_form(browser, app, "/offending/unit-costs/robbery/revert", {"revert-version": "9"})
    assert revert.status_code == 409 and count(app, OffenceUnitCost) == 1



def test_the_pages_year_before_agrees_with_the_reoffending_figures(app, history):
    """The client page and `reoffending` count the same year before adoption the same way."""
    from iom.clients import queries as client_queries
    from iom.clients.offending_record import offending_record
    from iom.figures.reoffending import before_and_after
    with app.app_context():
        person = client_named(history)
        page = offending_record(client_queries.client_page(person, TODAY, with_notes=False), TODAY)
        figures = before_and_after(ADOPTED, ADOPTED, today=TODAY).members[0].before
    assert (page.before.offences, page.before.serious_acquisitive, page.before.neighbourhood,
            page.before.days_at_risk, page.before.cost_gbp) == (
        figures.offences, figures.serious_acquisitive, figures.neighbourhood, figures.days_at_risk, figures.cost_gbp)
