"""The referral pages: making a referral from the client page, working and closing it, every
form error by its field, stale edits, status history, audit, and who may see what (a
mental-health referral never reaches the housing role: not in a panel, a list or by address)."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from iom.audit.models import AuditEntry
from iom.extensions import db
from iom.referrals.models import Referral, ReferralStatusChange
from tests.builders import TODAY, actions, count, referral_form, referral_state
from tests.pages import Page, assert_field_error, day_month_year, form_from_page, plain, post_form, text_of

REFERRED = TODAY - timedelta(days=10)


@pytest.fixture
def officer(signed_in):
    return signed_in("officer")[0]


@pytest.fixture
def housing(signed_in):
    return signed_in("housing")[0]


# --- making a referral ------------------------------------------------------------------------

def test_housing_specialist_makes_a_housing_referral_with_a_duty_to_refer(app, housing, make_client, make_agency):
    ref = make_client()
    agency_id = make_agency("Leeds Housing Options", "housing")
    make_agency("Mind", "mental_health")
    client_page = housing.get(f"/clients/{ref}/referrals").get_data(as_text=True)
    assert f'href="/clients/{ref}/referrals/new/housing"' in client_page
    assert "referrals/new/mental_health" not in client_page

    form_page = housing.get(f"/clients/{ref}/referrals/new/housing")
    assert form_page.status_code == 200
    body = form_page.get_data(as_text=True)
    assert "Leeds Housing Options" in body and "Mind" not in body and "Other (not in the list)" in body
    assert Page(form_page).values["referred_on"] == day_month_year(TODAY)

    response = post_form(housing, app, f"/clients/{ref}/referrals/new/housing",
                         referral_form(agency_id=str(agency_id), agency_other=""))
    assert response.status_code == 302
    with app.app_context():
        referral_id = db.session.scalar(select(Referral.id))
    assert response.headers["Location"] == f"/referrals/{referral_id}"
    state = referral_state(app, referral_id)
    assert (state["agency_id"], state["duty_to_refer_made"], state["duty_to_refer_local_authority"]) == \
        (agency_id, True, "Leeds City Council")
    assert state["created_by_id"] is not None

    shown = text_of(housing.get(f"/referrals/{referral_id}"))
    assert "Leeds Housing Options" in shown and "Made" in shown and "Leeds City Council" in shown
    assert "Waiting for a decision" in shown and "Referral made" in shown
    panel = text_of(housing.get(f"/clients/{ref}/referrals"))
    assert "Leeds Housing Options" in panel and "Phone Shelter" in panel
    assert actions(app)[-3:] == ["referral.made", "referral.viewed", "client.viewed"]


def test_an_officer_makes_a_mental_health_referral_to_another_agency(app, officer, make_client):
    ref = make_client()
    assert "Duty to Refer" not in text_of(officer.get(f"/clients/{ref}/referrals/new/mental_health"))
    response = post_form(officer, app, f"/clients/{ref}/referrals/new/mental_health",
                         referral_form("mental_health", agency_other="Community Mental Health Team"))
    assert response.status_code == 302
    with app.app_context():
        referral = db.session.scalar(select(Referral))
        assert (referral.kind, referral.agency_other, referral.duty_to_refer_made) == \
            ("mental_health", "Community Mental Health Team", None)
    assert "Community Mental Health Team" in text_of(officer.get(f"/clients/{ref}/referrals"))


FUTURE = TODAY + timedelta(days=1)


@pytest.mark.parametrize("overrides, field_id, message", [
    ({"status": "completed", "closed_on": REFERRED - timedelta(days=1), "outcome": "settled_accommodation"},
     "closed_on", f"Date closed must be the same as or after the date referred, "
                  f"{REFERRED.day} {REFERRED:%B %Y}"),
    ({"status": "completed", "closed_on": TODAY}, "outcome", "Select the outcome"),
    ({"status": "declined", "outcome": "no_change"}, "closed_on",
     "Enter date closed for a completed, declined or withdrawn referral"),
    ({"status": "open", "closed_on": TODAY}, "closed_on",
     "Remove date closed, or select completed, declined or withdrawn to close the referral"),
    ({"status": "completed", "closed_on": TODAY, "outcome": "other"}, "outcome_notes", "Enter what the outcome was"),
    ({"status": "withdrawn", "closed_on": FUTURE, "outcome": "no_change"}, "closed_on",
     "Date closed must be today or in the past"),
    ({"status": "completed", "closed_on": ["31", "2", "2011"], "outcome": "no_change"}, "closed_on",
     "Date closed must be a real date"),
    ({"referred_on": None}, "referred_on", "Enter date referred"),
    ({"referred_on": FUTURE}, "referred_on", "Date referred must be today or in the past"),
    ({"referred_on": ["3", "", "2011"]}, "referred_on", "Date referred must include a month"),
    ({"agency_id": ""}, "agency_id", "Select the agency"),
    ({"agency_other": ""}, "agency_other", "Enter the name of the agency"),
    ({"need": "  "}, "need", "Enter what they need"),
    ({"status": ""}, "status", "Select the status"),
    ({"next_action": ""}, "next_action", "Enter the next action, or remove its due date"),
    ({"next_action_due_on": None}, "next_action_due_on", "Enter when the next action is due"),
    ({"duty_to_refer_made": ""}, "duty_to_refer_made", "Select whether a Duty to Refer has been made"),
    ({"duty_to_refer_on": None}, "duty_to_refer_on", "Enter date of the Duty to Refer"),
    ({"duty_to_refer_on": FUTURE}, "duty_to_refer_on", "Date of the Duty to Refer must be today or in the past"),
    ({"duty_to_refer_local_authority": ""}, "duty_to_refer_local_authority",
     "Enter the local authority it was made to"),
    ({"duty_to_refer_outcome": ""}, "duty_to_refer_outcome",
     "Select the local authority's response, or Waiting for a decision"),
])
def test_each_wrong_input_gives_its_message_and_saves_nothing(app, housing, make_client, overrides, field_id,
                                                              message):
    ref = make_client()
    before = actions(app)
    response = post_form(housing, app, f"/clients/{ref}/referrals/new/housing", referral_form(**overrides))
    assert response.status_code == 400
    assert_field_error(response, field_id, message)
    assert count(app, Referral) == 0 and count(app, ReferralStatusChange) == 0
    # nothing changed: the only new entry is the view of the person the form shows
    assert actions(app) == [*before, "client.viewed"]


def test_every_error_is_shown_at_once_and_the_input_is_kept(app, officer, make_client):
    ref = make_client()
    response = post_form(officer, app, f"/clients/{ref}/referrals/new/housing", referral_form(
        status="completed", closed_on=None, need="", duty_to_refer_local_authority="", agency_other="My agency"))
    assert response.status_code == 400
    page = Page(response)
    assert page.summary_errors == ["Enter what they need",
                                   "Enter date closed for a completed, declined or withdrawn referral",
                                   "Select the outcome", "Enter the local authority it was made to"]
    assert page.values["agency_other"] == ["My agency"]
    assert page.values["duty_to_refer_on"] == day_month_year(REFERRED)


def test_no_duty_to_refer_needs_none_of_its_details(app, officer, make_client):
    ref = make_client()
    response = post_form(officer, app, f"/clients/{ref}/referrals/new/housing", referral_form(
        duty_to_refer_made="no", duty_to_refer_on=None, duty_to_refer_local_authority="", duty_to_refer_outcome=""))
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Referral.duty_to_refer_made)) is False
    assert "Not made" in text_of(officer.get(response.headers["Location"]))


def test_a_retired_agency_is_not_offered_for_new_referrals(app, officer, make_client, make_agency):
    ref = make_client()
    retired = make_agency("Old Hostel", "housing", is_active=False)
    assert "Old Hostel" not in officer.get(f"/clients/{ref}/referrals/new/housing").get_data(as_text=True)
    response = post_form(officer, app, f"/clients/{ref}/referrals/new/housing",
                         referral_form(agency_id=str(retired)))
    assert response.status_code == 400 and count(app, Referral) == 0


def test_an_unknown_client_or_kind_is_not_found(app, officer):
    assert officer.get("/clients/IOM-9999/referrals/new/housing").status_code == 404
    assert officer.get("/clients/IOM-9999/referrals/new/drugs").status_code == 404


# --- working and closing ----------------------------------------------------------------------

def test_closing_as_settled_accommodation_is_recorded_in_the_status_history(app, housing, make_client,
                                                                           make_referral):
    ref = make_client()
    referral_id = make_referral(ref)
    edit = housing.get(f"/referrals/{referral_id}/edit")
    assert edit.status_code == 200
    data = form_from_page(edit)
    assert data["status"] == "open" and data["version"] == "1" and data["agency_id"] == "other"
    data.update(status="completed", closed_on=day_month_year(TODAY), outcome="settled_accommodation")

    response = post_form(housing, app, f"/referrals/{referral_id}/edit", data)
    assert response.status_code == 302, Page(response).summary_errors
    state = referral_state(app, referral_id)
    assert (state["status"], state["closed_on"], state["outcome"], state["version"]) == \
        ("completed", TODAY, "settled_accommodation", 2)
    page = text_of(housing.get(f"/referrals/{referral_id}"))
    assert "Closed" in page and "Settled accommodation" in page
    history = page[page.index("Status history"):]
    assert history.index("Completed") < history.index("Referral made")
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "referral.updated"))
    assert entry.subject_type == "client"
    assert entry.changes["status"] == ["open", "completed"] and entry.changes["referral"] == [referral_id] * 2


def test_edit_errors_save_nothing(app, officer, make_client, make_referral):
    referral_id = make_referral(make_client())
    data = form_from_page(officer.get(f"/referrals/{referral_id}/edit"))
    data.update(status="completed", closed_on=day_month_year(REFERRED - timedelta(days=1)),
                outcome="settled_accommodation")
    response = post_form(officer, app, f"/referrals/{referral_id}/edit", data)
    assert response.status_code == 400
    assert_field_error(response, "closed_on", f"Date closed must be the same as or after the date referred, "
                                              f"{REFERRED.day} {REFERRED:%B %Y}")
    assert referral_state(app, referral_id)["status"] == "open"
    assert count(app, ReferralStatusChange) == 1


def test_a_stale_edit_is_refused_with_what_is_saved_now_and_the_input_kept(app, officer, make_client, make_referral):
    ref = make_client()
    referral_id = make_referral(ref)
    mine = form_from_page(officer.get(f"/referrals/{referral_id}/edit"))
    with app.app_context():  # someone else saves after this officer opened the form
        from iom.clients.models import Client
        from iom.referrals import operations
        referral = db.session.get(Referral, referral_id)
        operations.update_referral(referral, db.session.get(Client, referral.client_id),
                                   {**operations.referral_snapshot(referral), "status": "accepted",
                                    "need": "Saved by the other person"}, version=1)
        db.session.commit()

    mine.update(need="Typed by me", next_action="Ring the council", next_action_due_on=day_month_year(TODAY))
    response = post_form(officer, app, f"/referrals/{referral_id}/edit", mine)

    assert response.status_code == 409
    body = text_of(response)
    assert "changed by someone else" in body
    assert "Saved by the other person" in body and "Accepted" in body  # what is saved now ...
    page = Page(response)
    assert page.textareas["need"] == "Typed by me"  # ... beside their input, kept
    assert page.values["next_action"] == ["Ring the council"] and page.values["version"] == ["2"]
    state = referral_state(app, referral_id)
    assert (state["need"], state["status"], state["next_action"]) == ("Saved by the other person", "accepted", None)

    # having checked, saving again saves their version over the newer one
    mine["version"] = "2"
    assert post_form(officer, app, f"/referrals/{referral_id}/edit", mine).status_code == 302
    state = referral_state(app, referral_id)
    assert (state["need"], state["status"]) == ("Typed by me", "open")
    with app.app_context():
        statuses = db.session.execute(select(ReferralStatusChange.from_status, ReferralStatusChange.to_status)
                                      .order_by(ReferralStatusChange.id)).all()
    assert [tuple(row) for row in statuses] == [(None, "open"), ("open", "accepted"), ("accepted", "open")]


def test_a_post_without_the_version_is_refused(app, officer, make_client, make_referral):
    referral_id = make_referral(make_client())
    data = form_from_page(officer.get(f"/referrals/{referral_id}/edit"))
    del data["version"]
    response = post_form(officer, app, f"/referrals/{referral_id}/edit", {**data, "need": "Changed"})
    assert response.status_code == 400 and "This page is out of date" in text_of(response)
    assert referral_state(app, referral_id)["need"] == "Sofa-surfing since release"


def test_referral_changes_appear_in_the_clients_change_history(app, officer, make_client, make_referral):
    ref = make_client()
    make_referral(ref, next_action="Phone", next_action_due_on=TODAY)
    page = plain(officer.get(f"/clients/{ref}/history"))
    history = page[page.index("Changes to this client, newest first"):]
    assert "Referral made Referral number 1" in history and "Kind Housing" in history


# --- the client page panel --------------------------------------------------------------------

def test_the_panel_lists_referrals_newest_first_with_overdue_next_actions(app, officer, make_client, make_referral):
    ref = make_client()
    make_referral(ref, referred_on=TODAY - timedelta(days=30), agency_other="Older Agency",
                  next_action="Chase the council", next_action_due_on=TODAY - timedelta(days=1))
    make_referral(ref, "mental_health", referred_on=TODAY - timedelta(days=2), agency_other="Newer Agency",
                  status="completed", closed_on=TODAY, outcome="assessed")
    page = text_of(officer.get(f"/clients/{ref}/referrals"))
    panel = page[page.index("Referrals"):]
    assert panel.index("Newer Agency") < panel.index("Older Agency")
    assert "Assessed" in panel and "Chase the council" in panel and "Overdue" in panel


# --- who may see what -------------------------------------------------------------------------

def test_a_mental_health_referral_is_never_shown_to_housing(app, signed_in, make_client, make_referral):
    ref = make_client()
    hidden = make_referral(ref, "mental_health", agency_other="Secret Clinic", need="Hearing voices")
    visible = make_referral(ref, agency_other="Shelter")
    housing, _ = signed_in("housing")

    page = text_of(housing.get(f"/clients/{ref}/referrals"))
    assert "Shelter" in page and "Secret Clinic" not in page and "Mental health" not in page
    assert "Secret Clinic" not in text_of(housing.get("/housing"))
    assert "Secret Clinic" not in text_of(housing.get("/housing/releases"))
    for path in (f"/referrals/{hidden}", f"/referrals/{hidden}/edit"):
        response = housing.get(path)
        assert response.status_code == 404 and "Hearing voices" not in text_of(response)
    response = post_form(housing, app, f"/referrals/{hidden}/edit", {"need": "Changed", "version": "1"})
    assert response.status_code == 404
    assert referral_state(app, hidden)["need"] == "Hearing voices"
    assert housing.get(f"/clients/{ref}/referrals/new/mental_health").status_code == 403
    assert post_form(housing, app, f"/clients/{ref}/referrals/new/mental_health",
                     referral_form("mental_health")).status_code == 403
    assert housing.get(f"/referrals/{visible}").status_code == 200
    with app.app_context():
        refusals = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "access.denied")
                                      .order_by(AuditEntry.seq)).all()
    assert [(entry.subject_type, entry.subject_id) for entry in refusals][:3] == [("referral", str(hidden))] * 3


def test_officers_and_managers_see_mental_health_referrals(app, signed_in, make_client, make_referral):
    ref = make_client()
    referral_id = make_referral(ref, "mental_health", agency_other="Community Mental Health Team")
    for role in ("officer", "manager"):
        web, _ = signed_in(role)
        assert "Community Mental Health Team" in text_of(web.get(f"/clients/{ref}/referrals"))
        assert web.get(f"/referrals/{referral_id}").status_code == 200


@pytest.mark.parametrize("role", ["reviewer", "admin"])
def test_reviewer_and_admin_are_refused_everywhere(app, signed_in, make_client, make_referral, role):
    ref = make_client()
    referral_id = make_referral(ref)
    web, _ = signed_in(role)
    for path in (f"/referrals/{referral_id}", f"/referrals/{referral_id}/edit", "/housing", "/housing/releases",
                 f"/clients/{ref}/referrals/new/housing", "/referrals/agencies"):
        assert web.get(path).status_code == 403, path


def test_viewing_a_referral_is_audited_and_an_unknown_one_is_not_found(app, officer, make_client, make_referral):
    referral_id = make_referral(make_client())
    assert officer.get(f"/referrals/{referral_id}").status_code == 200
    assert officer.get("/referrals/424242").status_code == 404
    with app.app_context():
        viewed = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "referral.viewed"))
        missing = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "referral.not_found"))
    assert (viewed.subject_type, viewed.subject_id) == ("referral", str(referral_id))
    assert viewed.changes == {"client": [None, "IOM-0001"]}
    assert missing.changes == {"referral": [None, 424242]}
    assert officer.get(f"/referrals/{referral_id}/edit").status_code == 200  # the form shows it all too
    assert actions(app)[-1] == "referral.viewed"
