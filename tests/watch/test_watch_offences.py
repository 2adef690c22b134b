"""Offences partners report for someone on the watch list (/watch-list/<id>/offences/new): recorded
by officers and managers with the offence rules' own words, audited, shown on the entry page with
the adoption score made from them, and moved to the client record when the person is adopted."""
from datetime import date, timedelta

import pytest
from sqlalchemy import insert, select

from iom.audit.models import AuditEntry
from iom.clients.models import Client
from iom.extensions import db
from iom.offending.models import Offence
from iom.rules import RuleBroken
from iom.watch import operations
from iom.watch.models import WatchEntry
from tests.builders import TODAY, add_client, client, client_named, days_ago, entry_actions, make_entry, valid_pnc
from tests.pages import assert_field_error, csrf_token, day_month_year, post_form, text_of

BORN = date(1994, 6, 3)


def offence_form(**overrides) -> dict:
    fields = {"offence_on": day_month_year(days_ago(12)), "offence_type": "domestic_burglary",
              "outcome": "charged", "crime_reference": "WY/12345/26", "alcohol_involved": "no"}
    fields.update(overrides)
    return fields


def offences(app) -> list[tuple]:
    with app.app_context():
        return [tuple(row) for row in db.session.execute(
            select(Offence.client_id, Offence.watch_entry_id, Offence.offence_on, Offence.offence_type,
                   Offence.outcome, Offence.crime_reference, Offence.alcohol_involved).order_by(Offence.id))]


def record(app, entry_id: int, on: date, offence_type: str) -> None:
    with app.app_context():
        operations.record_watch_offence(db.session.get(WatchEntry, entry_id),
                                        {"offence_on": on, "offence_type": offence_type})
        db.session.commit()


@pytest.fixture
def officer(signed_in):
    browser, _ = signed_in("officer")
    return browser


def test_an_officer_records_an_offence_and_it_is_audited(app, officer):
    entry_id = make_entry(app, date_of_birth=BORN)
    form_page = officer.get(f"/watch-list/{entry_id}/offences/new")
    assert form_page.status_code == 200
    assert entry_actions(app, entry_id)[-1] == "watch_entry.viewed"  # the form names them

    response = post_form(officer, app, f"/watch-list/{entry_id}/offences/new", offence_form())

    assert response.status_code == 302 and response.headers["Location"].endswith(f"/watch-list/{entry_id}")
    assert offences(app) == [(None, entry_id, days_ago(12), "domestic_burglary", "charged", "WY/12345/26", "no")]
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "watch_entry.offence_recorded"))
        assert (entry.subject_type, entry.subject_id) == ("watch_entry", str(entry_id))
        assert entry.changes["offence_type"] == [None, "domestic_burglary"]
        assert entry.changes["offence_on"] == [None, days_ago(12).isoformat()]

    page = officer.get(f"/watch-list/{entry_id}")
    body = text_of(page)
    assert "Offences reported" in body and "Domestic burglary" in body and "WY/12345/26" in body
    # 30 for recency, 4 for one offence, 8 x 3 for gravity
    assert "<strong>58</strong> out of a possible 100" in body
    assert "12 days ago: 30 points for recency" in body
    assert "Consider for adoption" not in body
    # the entry's history says what was recorded, in words
    assert "Type of offence" in body and "Charged" in body


def test_blank_optional_boxes_are_not_known(app, officer):
    # outcome and crime reference may be left blank; whether alcohol was involved is always answered,
    # "Not known" being one of its answers (as on the client's own offence form)
    entry_id = make_entry(app)
    response = post_form(officer, app, f"/watch-list/{entry_id}/offences/new",
                         offence_form(outcome="", crime_reference="  ", alcohol_involved="unknown"))
    assert response.status_code == 302
    assert offences(app)[0][4:] == (None, None, "unknown")


@pytest.mark.parametrize("overrides, field_id, message", [
    ({"offence_on": day_month_year(TODAY + timedelta(days=1))}, "offence_on",
     "Date the offence was committed must be today or in the past"),
    ({"offence_on": day_month_year(date(1994, 6, 2))}, "offence_on",
     "Date the offence was committed must be on or after their date of birth (3 June 1994)"),
    ({"offence_on": ["", "", ""]}, "offence_on", "Enter date the offence was committed"),
    ({"offence_on": ["31", "2", "2026"]}, "offence_on", "Date the offence was committed must be a real date"),
    ({"offence_type": ""}, "offence_type", "Select the type of offence"),
    ({"offence_type": "arson"}, "offence_type", "Select the type of offence"),
    ({"outcome": "acquitted"}, "outcome", "Select the outcome: convicted, cautioned, charged or other"),
    ({"alcohol_involved": "maybe"}, "alcohol_involved", "Select whether alcohol was involved: yes, no or not known"),
    ({"crime_reference": "x" * 41}, "crime_reference", "Crime reference must be 40 characters or fewer"),
    ({"crime_reference": "WY\x00123"}, "crime_reference",
     "Crime reference (optional) must not contain hidden special characters, such as NUL or other control "
     "characters. Type it again rather than pasting it"),
])
def test_each_wrong_input_gives_its_message_and_records_nothing(app, officer, overrides, field_id, message):
    entry_id = make_entry(app, date_of_birth=BORN)
    before = entry_actions(app, entry_id)

    response = post_form(officer, app, f"/watch-list/{entry_id}/offences/new", offence_form(**overrides))

    assert response.status_code == 400
    assert_field_error(response, field_id, message)
    assert offences(app) == []
    assert "watch_entry.offence_recorded" not in entry_actions(app, entry_id)[len(before):]


def test_a_closed_entry_takes_no_offences(app, officer):
    entry_id = make_entry(app)
    with app.app_context():
        entry = db.session.get(WatchEntry, entry_id)
        operations.close_watch_entry(entry, "moved_away", TODAY, None, version=entry.version)
        db.session.commit()
    page = officer.get(f"/watch-list/{entry_id}/offences/new", follow_redirects=True)
    assert "so offences can no longer be recorded on it" in text_of(page)
    response = post_form(officer, app, f"/watch-list/{entry_id}/offences/new", offence_form())
    assert response.status_code == 302 and offences(app) == []
    with app.app_context(), pytest.raises(RuleBroken, match="can no longer be changed"):
        operations.record_watch_offence(db.session.get(WatchEntry, entry_id), {"offence_on": TODAY,
                                                                               "offence_type": "breach"})


def test_an_entry_closed_after_it_was_loaded_is_refused(app):
    """The operation claims the entry's row while it is still open; an adoption that got there first wins."""
    entry_id = make_entry(app)
    with app.app_context():
        stale = db.session.get(WatchEntry, entry_id)
        db.session.execute(WatchEntry.__table__.update().where(WatchEntry.id == entry_id)
                           .values(outcome="moved_away", closed_on=TODAY))
        with pytest.raises(RuleBroken, match="closed by someone else a moment ago"):
            operations.record_watch_offence(stale, {"offence_on": TODAY, "offence_type": "breach"})
        db.session.rollback()
    assert offences(app) == []


def test_at_the_threshold_the_entry_says_consider_for_adoption(app, officer):
    entry_id = make_entry(app)
    for days in (3, 40, 60):
        record(app, entry_id, days_ago(days), "robbery")  # 30 + 12 + 30 = 72
    body = text_of(officer.get(f"/watch-list/{entry_id}"))
    assert "<strong>72</strong> out of a possible 100" in body
    assert '<strong class="govuk-tag govuk-tag--purple iom-consider">Consider for adoption</strong>' in body


def test_adopting_them_moves_their_offences_to_the_new_client(app, signed_in):
    browser, officer_id = signed_in("officer")
    pnc = valid_pnc("09", "654321")
    entry_id = make_entry(app, given_name="Kelly", family_name="Yates", pnc_id=pnc, date_of_birth=BORN)
    record(app, entry_id, days_ago(30), "robbery")
    record(app, entry_id, days_ago(5), "shoplifting")

    response = post_form(browser, app, "/clients/new", {
        "given_name": "Kelly", "family_name": "Yates", "date_of_birth": day_month_year(BORN), "pnc_id": pnc,
        "programme": "ppo", "alcohol_related": "no", "offender_manager_id": str(officer_id),
        "strand": "catch_convict", "joined_on": day_month_year(TODAY), "watch_entry": str(entry_id)})

    assert response.status_code == 302, text_of(response)
    with app.app_context():
        client_id = db.session.scalar(select(Client.id).where(Client.pnc_id == pnc))
        moved = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "offence.moved_from_watch_list"))
        assert (moved.subject_type, moved.subject_id) == ("client", str(client_id))
        assert moved.changes["watch_entry_id"] == [entry_id, None] and len(moved.changes["offences"][1]) == 2
        versions = db.session.scalars(select(Offence.version)).all()
    assert [(row[0], row[1]) for row in offences(app)] == [(client_id, None), (client_id, None)]
    assert versions == [2, 2]
    page = text_of(browser.get(f"/watch-list/{entry_id}"))
    assert "No offences have been recorded for them" in page and "Record an offence" not in page


def test_adopting_an_existing_client_again_moves_the_offences_to_them(app, officer):
    pnc = valid_pnc("09", "654321")
    with app.app_context():
        person = client("K-1", [("catch_convict", date(2011, 4, 1), date(2011, 6, 30))], pnc=pnc)
        db.session.commit()
        reference = person.reference
    entry_id = make_entry(app, pnc_id=pnc)
    record(app, entry_id, days_ago(9), "breach")

    response = post_form(officer, app, f"/clients/{reference}/adopt?watch={entry_id}",
                         {"strand": "catch_convict", "joined_on": day_month_year(TODAY)})

    assert response.status_code == 302, text_of(response)
    with app.app_context():
        client_id = client_named(reference).id
    assert [(row[0], row[1]) for row in offences(app)] == [(client_id, None)]
    assert "offence.moved_from_watch_list" in [action for action in entry_actions(app)]


def test_an_adoption_with_no_offences_writes_no_move(app):
    entry_id = make_entry(app)
    reference = add_client(app, "Dean", "Marsh")
    with app.app_context():
        operations.mark_adopted(db.session.get(WatchEntry, entry_id), client_named(reference))
        db.session.commit()
    assert "offence.moved_from_watch_list" not in entry_actions(app)


@pytest.mark.parametrize("role", ["housing", "reviewer", "admin"])
def test_other_roles_may_not_record_or_see_watch_list_offences(app, signed_in, role):
    entry_id = make_entry(app)
    browser, _ = signed_in(role)
    assert browser.get(f"/watch-list/{entry_id}/offences/new").status_code == 403
    response = browser.post(f"/watch-list/{entry_id}/offences/new",
                            data={**offence_form(), "csrf_token": csrf_token(browser, app)})
    assert response.status_code == 403
    assert offences(app) == []


def test_the_entry_page_runs_the_same_statements_for_one_offence_or_many(app, officer, count_queries):
    few, many = make_entry(app, family_name="Few"), make_entry(app, family_name="Many", pnc_id=None)
    record(app, few, days_ago(3), "robbery")
    with app.app_context():
        db.session.execute(insert(Offence), [{"watch_entry_id": many, "offence_on": days_ago(n),
                                              "offence_type": "shoplifting"} for n in range(60)])
        db.session.commit()
    counted = {}
    for entry_id in (few, many):
        officer.get(f"/watch-list/{entry_id}")  # settles the session's touch
        with count_queries() as counter:
            response = officer.get(f"/watch-list/{entry_id}")
        assert response.status_code == 200
        counted[entry_id] = counter.count
    assert text_of(response).count("Shoplifting") == 60
    assert counted[few] == counted[many], counted
