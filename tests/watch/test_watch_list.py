"""The watch list at /watch-list: officers and managers add people partner agencies are dealing
with, review them, close them with an outcome, or adopt them onto the scheme as clients. Every
wrong input is a GOV.UK error that saves nothing; every view and change is audited."""
import re
from datetime import date, timedelta
from html import unescape

import pytest
from sqlalchemy import func, select

from iom.audit.models import AuditEntry
from iom.clients.models import Client
from iom.extensions import db
from iom.rules import RuleBroken
from iom.watch import operations
from iom.watch.models import WatchEntry
from tests.builders import (TODAY, entry_actions, entry_form, entry_state, make_entry, valid_pnc,
                            wrong_check_letter)
from tests.pages import Page, assert_field_error, csrf_token, day_month_year, pagination_link, post_form, text_of


# --- reading pages ----------------------------------------------------------------------------

# --- building and reading data ----------------------------------------------------------------

def count_entries(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(WatchEntry))


@pytest.fixture
def officer(signed_in):
    client, _ = signed_in("officer")
    return client


# --- adding -----------------------------------------------------------------------------------

def test_officer_adds_someone_and_the_entry_is_audited(app, officer):
    assert officer.get("/watch-list/new").status_code == 200

    response = post_form(officer, app, "/watch-list/new", entry_form(pnc_id=" " + valid_pnc().lower()))

    assert response.status_code == 302
    with app.app_context():
        entry_id = db.session.scalar(select(WatchEntry.id))
    assert response.headers["Location"].endswith(f"/watch-list/{entry_id}")
    state = entry_state(app, entry_id)
    assert (state["given_name"], state["family_name"], state["pnc_id"]) == ("Dean", "Marsh", valid_pnc())
    assert state["added_on"] == TODAY - timedelta(days=7)
    assert state["outcome"] is None and state["closed_on"] is None
    assert entry_actions(app, entry_id) == ["watch_entry.added"]

    page = officer.get(f"/watch-list/{entry_id}")
    assert page.status_code == 200
    body = text_of(page)
    assert "Dean Marsh" in body and "Youth Offending Service" in body
    assert f'href="/clients/new?watch={entry_id}"' in page.get_data(as_text=True)
    assert "Adopt onto the scheme" in body
    assert entry_actions(app, entry_id) == ["watch_entry.added", "watch_entry.viewed"]


def test_the_add_page_starts_with_today_as_the_date_added(app, officer):
    page = Page(officer.get("/watch-list/new"))
    assert page.values["added_on"] == day_month_year(TODAY)


FUTURE = TODAY + timedelta(days=3)


@pytest.mark.parametrize("overrides, field_id, message", [
    ({"given_name": "  "}, "given_name", "Enter their given name"),
    ({"family_name": ""}, "family_name", "Enter their family name"),
    ({"partner_agency": ""}, "partner_agency", "Enter the partner agency dealing with them"),
    ({"reason": " \n "}, "reason", "Enter why they are on the watch list"),
    ({"given_name": "x" * 101}, "given_name", "Given name must be 100 characters or fewer"),
    ({"pnc_id": "ABC123"}, "pnc_id", "Enter a PNC ID in the correct format, like 11/123456H: a two-digit "
                                     "year, a slash, the serial number and a check letter"),
    ({"pnc_id": wrong_check_letter(valid_pnc())}, "pnc_id",
     "Enter a PNC ID exactly as it appears on the record: the check letter does not match the numbers"),
    ({"date_of_birth": ["31", "2", "1990"]}, "date_of_birth", "Date of birth must be a real date"),
    ({"date_of_birth": FUTURE}, "date_of_birth", "Date of birth must be in the past"),
    ({"date_of_birth": ["3", "", "1990"]}, "date_of_birth", "Date of birth must include a month"),
    ({"added_on": ["31", "2", "2011"]}, "added_on", "Date added to the watch list must be a real date"),
    ({"added_on": FUTURE}, "added_on", "Date added to the watch list must be today or in the past"),
    ({"added_on": None}, "added_on", "Enter date added to the watch list"),
    ({"added_on": ["1"]}, "added_on", "Date added to the watch list must include a month and a year"),
    ({"next_review_on": TODAY - timedelta(days=8)}, "next_review_on",
     "Next review date must be the same as or after the date added to the watch list"),
])
def test_each_wrong_input_gives_its_message_and_saves_nothing(app, officer, overrides, field_id, message):
    before = entry_actions(app)

    response = post_form(officer, app, "/watch-list/new", entry_form(**overrides))

    assert response.status_code == 400
    assert_field_error(response, field_id, message)
    assert count_entries(app) == 0
    assert entry_actions(app) == before


def test_a_missing_date_box_in_a_tampered_post_is_a_message_not_a_crash(app, officer):
    data = entry_form()
    del data["added_on"]
    response = post_form(officer, app, "/watch-list/new", data)
    assert response.status_code == 400
    assert_field_error(response, "added_on", "Enter date added to the watch list")


def test_input_is_kept_when_the_form_is_refused(app, officer):
    response = post_form(officer, app, "/watch-list/new", entry_form(given_name="", reason="Seen with known dealers"))
    page = Page(response)
    assert page.values["family_name"] == ["Marsh"]
    assert page.textareas["reason"] == "Seen with known dealers"
    assert page.values["date_of_birth"] == ["3", "6", "1994"]


def test_a_second_open_entry_with_the_same_pnc_id_is_refused(app, officer):
    make_entry(app, pnc_id=valid_pnc())
    response = post_form(officer, app, "/watch-list/new", entry_form(given_name="Another"))
    assert response.status_code == 400
    page = Page(response)
    assert any("is already on the watch list" in error for error in page.summary_errors), page.summary_errors
    assert count_entries(app) == 1


def test_an_unknown_entry_is_not_found_and_the_attempt_is_audited(app, officer):
    assert officer.get("/watch-list/4242").status_code == 404
    assert officer.get("/watch-list/4242/edit").status_code == 404
    assert "watch_entry.not_found" in entry_actions(app)


# --- the list ---------------------------------------------------------------------------------

def test_reviews_due_and_overdue_are_listed_first(app, officer):
    make_entry(app, given_name="Aaron", family_name="Future", next_review_on=TODAY + timedelta(days=5))
    make_entry(app, given_name="Abel", family_name="Unplanned", next_review_on=None)
    make_entry(app, given_name="Zed", family_name="Today", next_review_on=TODAY)
    make_entry(app, given_name="Zoe", family_name="Late", next_review_on=TODAY - timedelta(days=4))
    closed = make_entry(app, given_name="Carl", family_name="Closed", next_review_on=TODAY - timedelta(days=9))
    with app.app_context():
        entry = db.session.get(WatchEntry, closed)
        operations.close_watch_entry(entry, "moved_away", TODAY, None, version=entry.version)
        db.session.commit()

    response = officer.get("/watch-list")

    assert response.status_code == 200
    body = text_of(response)
    order = [body.index(name) for name in ("Late, Zoe", "Today, Zed", "Future, Aaron", "Unplanned, Abel")]
    assert order == sorted(order), body
    assert body.index("Reviews due") < body.index("Late, Zoe")
    assert body.index("Overdue") < body.index("Today, Zed") < body.index("Review due", body.index("Today, Zed"))
    assert "Closed, Carl" not in body
    assert "4 open entries, 2 with reviews due" in body
    assert entry_actions(app)[-1] == "watch.listed"

    closed_list = text_of(officer.get("/watch-list?status=closed"))
    assert "Closed, Carl" in closed_list and "Moved away" in closed_list
    assert "Late, Zoe" not in closed_list

    everything = text_of(officer.get("/watch-list?status=all"))
    assert everything.index("Late, Zoe") < everything.index("Future, Aaron") < everything.index("Closed, Carl")


def test_the_list_pages_fifty_at_a_time(app, officer):
    for number in range(55):
        make_entry(app, given_name=f"Person{number:02d}", family_name="Paged", next_review_on=None)
    first_page = officer.get("/watch-list")
    first, second = text_of(first_page), text_of(officer.get(pagination_link(first_page, "next")))
    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    assert first.count("Paged, Person") == 50 and second.count("Paged, Person") == 5


def _adopted_client(app, number: int) -> Client:
    from iom.clients import operations as client_operations
    return client_operations.add_client({"given_name": f"Client{number}", "family_name": "Adopted"},
                                        strand="catch_convict", joined_on=TODAY)


def _fill(app, count: int) -> None:
    """A mix: due, overdue, future, unplanned, closed and adopted (with a client to link to)."""
    with app.app_context():
        for number in range(count):
            kind = number % 5
            entry = operations.add_watch_entry({
                "given_name": f"Person{number}", "family_name": "Counted", "partner_agency": "Police",
                "reason": "Watch", "added_on": TODAY - timedelta(days=20),
                "next_review_on": [TODAY - timedelta(days=2), TODAY, TODAY + timedelta(days=9), None, None][kind]})
            if kind == 3:
                operations.close_watch_entry(entry, "no_further_action", TODAY, None, version=entry.version)
            elif kind == 4:
                operations.mark_adopted(entry, _adopted_client(app, number))
        db.session.commit()


@pytest.mark.parametrize("status", ["open", "closed", "all"])
def test_the_list_runs_the_same_number_of_queries_for_3_and_60_entries(app, signed_in, count_queries, status):
    client, _ = signed_in("officer")
    _fill(app, 3)
    client.get(f"/watch-list?status={status}")  # warm-up: first-request work is not per row
    with count_queries() as small:
        assert client.get(f"/watch-list?status={status}").status_code == 200

    _fill(app, 57)
    with count_queries() as large:
        response = client.get(f"/watch-list?status={status}")
    assert response.status_code == 200
    assert large.count == small.count, large.statements
    assert text_of(response).count("Counted, Person") == {"open": 38, "closed": 22, "all": 50}[status]


# --- editing ----------------------------------------------------------------------------------

def test_officer_edits_an_entry_and_the_change_is_audited(app, officer):
    entry_id = make_entry(app)
    page = Page(officer.get(f"/watch-list/{entry_id}/edit"))
    assert page.values["given_name"] == ["Dean"] and page.values["version"] == ["1"]

    data = entry_form(partner_agency="Probation", added_on=TODAY - timedelta(days=30), version="1")
    response = post_form(officer, app, f"/watch-list/{entry_id}/edit", data)

    assert response.status_code == 302
    state = entry_state(app, entry_id)
    assert state["partner_agency"] == "Probation" and state["version"] == 2
    with app.app_context():
        changes = db.session.scalar(select(AuditEntry.changes).where(AuditEntry.action == "watch_entry.updated"))
    assert changes["partner_agency"] == ["Youth Offending Service", "Probation"]


def test_the_edit_form_shows_the_persons_details_so_opening_it_is_audited_as_a_view(app, officer):
    entry_id = make_entry(app)
    assert officer.get(f"/watch-list/{entry_id}/edit").status_code == 200
    assert entry_actions(app, entry_id) == ["watch_entry.added", "watch_entry.viewed"]
    with app.app_context():
        summary = db.session.scalar(select(AuditEntry.summary).where(AuditEntry.action == "watch_entry.viewed"))
    assert summary == f"Viewed watch list entry {entry_id} (change form)"

    # re-shown with an error, it still shows them: audited again, and the history leaves views out
    data = entry_form(family_name="", added_on=TODAY - timedelta(days=30), version="1")
    assert post_form(officer, app, f"/watch-list/{entry_id}/edit", data).status_code == 400
    assert entry_actions(app, entry_id) == ["watch_entry.added", "watch_entry.viewed", "watch_entry.viewed"]


def test_a_stale_edit_is_refused_with_what_is_saved_now_and_the_input_kept(app, officer):
    entry_id = make_entry(app, reason="Escalating burglary")
    with app.app_context():  # someone else saves after this officer opened the form at version 1
        entry = db.session.get(WatchEntry, entry_id)
        operations.update_watch_entry(entry, {"reason": "Now also shoplifting"}, version=entry.version)
        db.session.commit()

    data = entry_form(reason="Linked to county lines", added_on=TODAY - timedelta(days=30), version="1")
    response = post_form(officer, app, f"/watch-list/{entry_id}/edit", data)

    assert response.status_code == 409
    body = text_of(response)
    assert "changed by someone else" in body
    assert "Now also shoplifting" in body  # what is saved now, beside ...
    page = Page(response)
    assert page.textareas["reason"] == "Linked to county lines"  # ... the user's input, kept
    assert page.values["version"] == ["2"]
    assert entry_state(app, entry_id)["reason"] == "Now also shoplifting"
    assert entry_actions(app, entry_id).count("watch_entry.updated") == 1

    # having checked, saving again saves their version
    data["version"] = "2"
    assert post_form(officer, app, f"/watch-list/{entry_id}/edit", data).status_code == 302
    assert entry_state(app, entry_id)["reason"] == "Linked to county lines"


def test_an_edit_with_wrong_input_saves_nothing(app, officer):
    entry_id = make_entry(app)
    data = entry_form(family_name="", added_on=TODAY - timedelta(days=30), version="1")
    response = post_form(officer, app, f"/watch-list/{entry_id}/edit", data)
    assert response.status_code == 400
    assert_field_error(response, "family_name", "Enter their family name")
    assert entry_state(app, entry_id)["family_name"] == "Marsh"


# --- reviewing and closing --------------------------------------------------------------------

def test_recording_a_review_moves_the_review_date_and_keeps_the_notes_in_the_history(app, officer):
    entry_id = make_entry(app, next_review_on=TODAY - timedelta(days=1))
    next_review = TODAY + timedelta(days=28)
    response = post_form(officer, app, f"/watch-list/{entry_id}/review", {
        "review-next_review_on": day_month_year(next_review), "review-notes": "YOS still engaged",
        "review-version": "1"})
    assert response.status_code == 302
    assert entry_state(app, entry_id)["next_review_on"] == next_review
    assert "YOS still engaged" in text_of(officer.get(f"/watch-list/{entry_id}"))

    refused = post_form(officer, app, f"/watch-list/{entry_id}/review", {
        "review-next_review_on": day_month_year(TODAY), "review-version": "2"})
    assert refused.status_code == 400
    assert_field_error(refused, "review-next_review_on", "Next review date must be in the future")


def close_form(outcome="no_further_action", closed_on=TODAY, notes="", version="1") -> dict:
    return {"close-outcome": outcome, "close-closed_on": day_month_year(closed_on), "close-notes": notes,
            "close-version": version}


def test_closing_with_an_outcome(app, officer):
    entry_id = make_entry(app)
    response = post_form(officer, app, f"/watch-list/{entry_id}/close",
                         close_form("referred_elsewhere", TODAY - timedelta(days=1), "Passed to the YOS"))
    assert response.status_code == 302
    state = entry_state(app, entry_id)
    assert (state["outcome"], state["closed_on"], state["outcome_notes"]) == (
        "referred_elsewhere", TODAY - timedelta(days=1), "Passed to the YOS")
    assert "watch_entry.closed" in entry_actions(app, entry_id)

    page = officer.get(f"/watch-list/{entry_id}")
    assert "Referred to another service" in text_of(page)
    assert "/clients/new?watch=" not in page.get_data(as_text=True)
    # a closed entry can no longer be changed
    edit = officer.get(f"/watch-list/{entry_id}/edit")
    assert edit.status_code == 302
    again = post_form(officer, app, f"/watch-list/{entry_id}/close", close_form(version="2"))
    assert again.status_code == 400
    assert entry_state(app, entry_id)["outcome"] == "referred_elsewhere"


@pytest.mark.parametrize("form, field_id, message", [
    (close_form(closed_on=TODAY - timedelta(days=31)), "close-closed_on",
     f"Date closed must be the same as or after the date they were added to the watch list, "
     f"{(TODAY - timedelta(days=30)).day} {(TODAY - timedelta(days=30)):%B %Y}"),
    (close_form(closed_on=TODAY + timedelta(days=1)), "close-closed_on", "Date closed must be today or in the past"),
    (close_form(closed_on=None), "close-closed_on", "Enter date closed"),
    (close_form(outcome=""), "close-outcome", "Select the outcome"),
    (close_form(outcome="other"), "close-notes", "Enter what the outcome was"),
])
def test_closing_with_wrong_input_saves_nothing(app, officer, form, field_id, message):
    entry_id = make_entry(app)  # added 30 days ago
    response = post_form(officer, app, f"/watch-list/{entry_id}/close", form)
    assert response.status_code == 400
    assert_field_error(response, field_id, message)
    assert entry_state(app, entry_id)["outcome"] is None
    assert "watch_entry.closed" not in entry_actions(app, entry_id)


def test_adopted_cannot_be_chosen_when_closing(app):
    entry_id = make_entry(app)
    with app.app_context():
        entry = db.session.get(WatchEntry, entry_id)
        with pytest.raises(RuleBroken, match="Adopt onto the scheme"):
            operations.close_watch_entry(entry, "adopted", TODAY, None, version=entry.version)


def test_a_stale_close_is_refused(app, officer):
    entry_id = make_entry(app)
    with app.app_context():
        entry = db.session.get(WatchEntry, entry_id)
        operations.record_review(entry, TODAY + timedelta(days=3), None, version=entry.version)
        db.session.commit()
    response = post_form(officer, app, f"/watch-list/{entry_id}/close", close_form(version="1"))
    assert response.status_code == 409
    assert entry_state(app, entry_id)["outcome"] is None


# --- adopting onto the scheme -----------------------------------------------------------------

def test_adopting_from_the_watch_list_creates_the_client_and_closes_the_entry(app, signed_in):
    client, officer_id = signed_in("officer")
    pnc = valid_pnc("09", "654321")
    entry_id = make_entry(app, given_name="Kelly", family_name="Yates", pnc_id=pnc, date_of_birth=date(1990, 1, 2))

    form_page = client.get(f"/clients/new?watch={entry_id}")
    assert form_page.status_code == 200
    page = Page(form_page)
    assert page.values["given_name"] == ["Kelly"] and page.values["family_name"] == ["Yates"]
    assert page.values["pnc_id"] == [pnc]
    assert page.values["date_of_birth"] == ["02", "01", "1990"] or page.values["date_of_birth"] == ["2", "1", "1990"]
    assert page.values["watch_entry"] == [str(entry_id)]

    response = post_form(client, app, "/clients/new", {
        "given_name": "Kelly", "family_name": "Yates", "date_of_birth": ["2", "1", "1990"], "pnc_id": pnc,
        "ward": "Riverside", "programme": "ppo", "alcohol_related": "no", "risk_level": "high",
        "offender_manager_id": str(officer_id), "strand": "catch_convict",
        "joined_on": day_month_year(TODAY), "watch_entry": str(entry_id)})

    assert response.status_code == 302, text_of(response)
    with app.app_context():
        new_client = db.session.scalar(select(Client).where(Client.pnc_id == pnc))
        assert new_client is not None
        client_id, client_db_id = new_client.reference, new_client.id
        trail = list(db.session.execute(select(AuditEntry.action, AuditEntry.subject_type, AuditEntry.subject_id)
                                        .order_by(AuditEntry.seq)))
    state = entry_state(app, entry_id)
    assert (state["outcome"], state["closed_on"], state["client_id"]) == ("adopted", TODAY, client_db_id)
    assert ("client.added", "client", str(client_db_id)) in trail
    assert ("watch_entry.adopted", "watch_entry", str(entry_id)) in trail

    shown = text_of(client.get(f"/watch-list/{entry_id}"))
    assert "Adopted onto the scheme" in shown and client_id in shown
    assert client_id in text_of(client.get("/watch-list?status=closed"))

    # the entry is closed: the form is no longer pre-filled from it
    again = client.get(f"/clients/new?watch={entry_id}")
    assert Page(again).values.get("given_name", [""]) == [""]


def test_mark_adopted_refuses_a_closed_entry(app):
    entry_id = make_entry(app)
    with app.app_context():
        entry = db.session.get(WatchEntry, entry_id)
        operations.close_watch_entry(entry, "moved_away", TODAY, None, version=entry.version)
        db.session.commit()
        assert operations.get_open_entry(entry_id) is None
        assert operations.get_open_entry(9999) is None
        with pytest.raises(RuleBroken):
            operations.mark_adopted(entry, _adopted_client(app, 1))


def _client_with_pnc(app, pnc: str, *, left_on: date | None = None) -> str:
    """A client recorded with this PNC ID, joined 1 April 2011 and, with left_on, since left."""
    from iom.clients import operations as client_operations
    from iom.clients.models import SchemePeriod
    with app.app_context():
        person = client_operations.add_client({"given_name": "Kelly", "family_name": "Yates", "pnc_id": pnc},
                                              strand="catch_convict", joined_on=date(2011, 4, 1))
        if left_on is not None:
            db.session.flush()
            period = db.session.scalar(select(SchemePeriod).where(SchemePeriod.client_id == person.id))
            client_operations.leave_scheme(person, period, left_on=left_on, exit_reason="desisted",
                                           version=period.version)
        db.session.commit()
        return person.reference


def _words(response) -> str:
    """The page's text with tags taken out, so a sentence with a link in it reads as one."""
    return " ".join(unescape(re.sub(r"<[^>]+>", "", response.get_data(as_text=True))).split())


def _adopt_links(response) -> list[str]:
    body = response.get_data(as_text=True)
    return [href for href in ("/clients/new?watch=", "/adopt?watch=") if href in body]


def test_someone_on_the_scheme_today_is_linked_to_not_offered_for_adoption(app, officer):
    pnc = valid_pnc("09", "654321")
    reference = _client_with_pnc(app, pnc)
    entry_id = make_entry(app, pnc_id=pnc)

    response = officer.get(f"/watch-list/{entry_id}")

    assert response.status_code == 200
    body = _words(response)
    assert f"This PNC ID belongs to Kelly Yates ({reference}), who is on the scheme now." in body
    assert f'href="/clients/{reference}"' in response.get_data(as_text=True)
    assert "Adopt onto the scheme" not in body and "onto the scheme again" not in body
    assert _adopt_links(response) == []
    assert entry_actions(app, entry_id)[-1] == "watch_entry.viewed"


def test_someone_who_has_left_the_scheme_may_be_adopted_again_from_their_client_record(app, officer):
    pnc = valid_pnc("09", "654321")
    reference = _client_with_pnc(app, pnc, left_on=date(2011, 6, 30))
    entry_id = make_entry(app, pnc_id=pnc)

    response = officer.get(f"/watch-list/{entry_id}")

    body = _words(response)
    assert f"This PNC ID belongs to Kelly Yates ({reference}), who was on the scheme until 30 June 2011." in body
    assert f'href="/clients/{reference}"' in response.get_data(as_text=True)
    assert f"Adopt {reference} onto the scheme again" in body
    # re-adoption adds a period to the client they already are, never a second client
    assert _adopt_links(response) == ["/adopt?watch="]
    assert officer.get(f"/clients/{reference}/adopt?watch={entry_id}").status_code == 200


def test_someone_not_yet_a_client_is_offered_adoption_as_a_new_client(app, officer):
    entry_id = make_entry(app, pnc_id=valid_pnc("09", "654321"))
    response = officer.get(f"/watch-list/{entry_id}")
    assert "This PNC ID belongs to" not in text_of(response)
    assert _adopt_links(response) == ["/clients/new?watch="]


# --- who may use it ---------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["housing", "reviewer", "admin"])
def test_other_roles_are_refused_every_watch_route(app, signed_in, role):
    entry_id = make_entry(app)
    client, _ = signed_in(role)
    token = csrf_token(client, app)
    for method, url in [("GET", "/watch-list"), ("GET", "/watch-list/new"), ("POST", "/watch-list/new"),
                        ("GET", f"/watch-list/{entry_id}"), ("GET", f"/watch-list/{entry_id}/edit"),
                        ("POST", f"/watch-list/{entry_id}/edit"), ("POST", f"/watch-list/{entry_id}/close"),
                        ("POST", f"/watch-list/{entry_id}/review")]:
        data = entry_form(csrf_token=token) if method == "POST" else None
        response = client.get(url) if method == "GET" else client.post(url, data=data)
        assert response.status_code == 403, (method, url)
    assert count_entries(app) == 1
    assert "watch_entry.viewed" not in entry_actions(app)
    assert "Watch list" not in client.get("/").get_data(as_text=True)


def test_a_manager_may_use_the_watch_list(app, signed_in):
    client, _ = signed_in("manager")
    assert client.get("/watch-list").status_code == 200
    assert post_form(client, app, "/watch-list/new", entry_form()).status_code == 302
