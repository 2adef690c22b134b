"""The caseload pages: every form's errors, access by role, searching, no lost updates."""
import re
from html import unescape
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from iom.audit.models import AuditEntry
from iom.clients import operations
from iom.clients.models import CaseNote, Client, SchemePeriod
from iom.clock import today_in_london
from iom.custody.models import CustodyEvent
from iom.custody.operations import record_custody_event
from iom.extensions import db
from tests.builders import add_client, count
from tests.pages import pagination_link, post_form


def errors_in(page: str) -> list[str]:
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", m)).replace("Error:", "").strip()
            for m in re.findall(r'class="govuk-error-message"[^>]*>(.*?)</p>', page, re.S)]


VALID = {"given_name": "Jo", "family_name": "Bloggs", "date_of_birth": ["1", "2", "1990"], "pnc_id": "11/123456H",
         "ward": "Central", "programme": "ppo", "alcohol_related": "yes", "risk_level": "high",
         "offender_manager_id": "", "strand": "catch_convict", "joined_on": ["1", "4", "2011"]}


def test_signed_out_caseload_redirects_to_login(client):
    response = client.get("/clients")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_reviewer_is_refused_the_caseload(signed_in):
    client, _ = signed_in("reviewer")
    assert client.get("/clients").status_code == 403


def test_post_without_csrf_is_refused(app, signed_in):
    client, _ = signed_in("officer")
    response = client.post("/clients/new", data=VALID)
    assert response.status_code == 400
    assert count(app, Client) == 0


def test_officer_lands_on_their_own_caseload(app, signed_in, make_user):
    client, me = signed_in("officer")
    other, _ = make_user("officer")
    add_client(app, "Mine", "Person", officer_id=me)
    add_client(app, "Theirs", "Person", officer_id=other)
    page = client.get("/clients").text
    assert "Mine" in page and "Theirs" not in page
    everyone = client.get("/clients?officer=").text
    assert "Mine" in everyone and "Theirs" in everyone


def test_search_by_name_reference_and_pnc(app, signed_in):
    client, _ = signed_in("manager")
    ref = add_client(app, "Zed", "Quinn", pnc="11/123456H")
    add_client(app, "Other", "Person")
    for term in ("zed", "Quinn", "quinn, zed", ref, "11/123456H", "11/123456h"):
        page = client.get("/clients", query_string={"q": term}).text
        assert "Quinn" in page and "Person" not in page, term


def test_filters_by_custody_strand_and_leavers(app, signed_in):
    client, _ = signed_in("manager")
    ref = add_client(app, "Rem", "Anded")
    add_client(app, "Pre", "Vent", strand="prevent_deter")
    with app.app_context():
        c = db.session.scalar(select(Client).where(Client.reference == ref))
        record_custody_event(c, status="remand", from_date=date(2011, 5, 1), establishment="HMP Leeds")
        db.session.commit()
    assert "Anded" in client.get("/clients?custody=remand").text
    assert "Vent" not in client.get("/clients?custody=remand").text
    assert "Vent" in client.get("/clients?strand=prevent_deter").text
    assert "Anded" not in client.get("/clients?strand=prevent_deter").text
    assert "No clients match" in client.get("/clients?scheme=left").text


def test_the_filters_in_force_are_tags_each_removing_itself(app, signed_in):
    client, _ = signed_in("manager")
    add_client(app, "Pre", "Vent", strand="prevent_deter")
    page = client.get("/clients?strand=prevent_deter&custody=remand&officer=&scheme=on&sort=reference").text
    tags = dict((text.strip(), unescape(href)) for href, text in re.findall(
        r'<a class="moj-filter__tag" href="([^"]+)"><span class="govuk-visually-hidden">Remove this filter</span>'
        r'([^<]+)</a>', page))
    assert set(tags) == {"Prevent and deter", "On remand", "On the scheme today"}
    # each tag's address is the same list, sorted the same, without that filter
    removed = client.get(tags["On remand"]).text
    assert "Vent" in removed and "On remand</a>" not in removed and "Prevent and deter</a>" in removed
    assert "sort=reference" in tags["On remand"] and "strand=prevent_deter" in tags["On remand"]
    assert "No filters: everyone is listed." in client.get("/clients?officer=&scheme=all").text


def test_list_is_sortable_and_paged(app, signed_in):
    client, _ = signed_in("manager")
    for n in range(53):
        with app.app_context():
            operations.add_client({"given_name": f"G{n:02d}", "family_name": f"F{n:02d}"}, strand="catch_convict",
                                  joined_on=date(2011, 4, 1))
            db.session.commit()
    first = client.get("/clients?sort=name").text
    assert "F00" in first and "F52" not in first and "page 1 of 2" in first
    reverse = client.get("/clients?sort=name&direction=desc").text
    assert "F52" in reverse and "F00" not in reverse
    second = client.get(pagination_link(client.get("/clients?sort=name"), "next")).text
    assert "F52" in second


def test_adding_a_client_creates_the_first_period_and_is_audited(app, signed_in):
    client, _ = signed_in("officer")
    response = post_form(client, app, "/clients/new", VALID)
    assert response.status_code == 302 and response.headers["Location"] == "/clients/IOM-0001"
    with app.app_context():
        saved = db.session.scalar(select(Client))
        assert (saved.given_name, saved.date_of_birth, saved.pnc_id) == ("Jo", date(1990, 2, 1), "11/123456H")
        period = db.session.scalar(select(SchemePeriod))
        assert (period.strand, period.joined_on) == ("catch_convict", date(2011, 4, 1))
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "client.added"))
        assert entry.changes["pnc_id"] == [None, "11/123456H"]


@pytest.mark.parametrize("change, message", [
    ({"given_name": ""}, "Enter their given name"),
    ({"family_name": "  "}, "Enter their family name"),
    ({"date_of_birth": ["31", "2", "1990"]}, "Date of birth must be a real date"),
    ({"date_of_birth": ["1", "", "1990"]}, "Date of birth must include a month"),
    ({"date_of_birth": ["1", "2", "90"]}, "Year must include 4 numbers"),
    ({"date_of_birth": ["1", "2", "2090"]}, "Date of birth must be in the past"),
    ({"date_of_birth": ["1"]}, "Date of birth must include a month and a year"),
    ({"pnc_id": "11-123456H"}, "Enter a PNC ID in the correct format"),
    ({"pnc_id": "11/123456A"}, "check letter does not match"),
    ({"strand": ""}, "Select the strand they are joining"),
    ({"programme": "borstal"}, "Not a valid choice"),
    ({"joined_on": ["", "", ""]}, "Enter date adopted onto the scheme"),
    ({"joined_on": ["1", "1", str(today_in_london().year + 1)]}, "must be today or in the past"),
])
def test_add_client_errors_save_nothing(app, signed_in, change, message):
    client, _ = signed_in("officer")
    response = post_form(client, app, "/clients/new", {**VALID, **change})
    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert any(message in error for error in errors_in(response.text)), errors_in(response.text)
    assert count(app, Client) == 0 and count(app, SchemePeriod) == 0


def test_missing_date_fields_are_an_error_not_a_crash(app, signed_in):
    client, _ = signed_in("officer")
    data = {k: v for k, v in VALID.items() if k != "joined_on"}
    response = post_form(client, app, "/clients/new", data)
    assert response.status_code == 400
    assert "Enter date adopted onto the scheme" in response.text


def test_unknown_reference_is_404_and_audited(app, signed_in):
    client, _ = signed_in("officer")
    assert client.get("/clients/IOM-9999").status_code == 404
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "client.not_found"))
        assert entry.changes == {"reference": [None, "IOM-9999"]}


def test_viewing_a_client_is_audited(app, signed_in):
    client, _ = signed_in("officer")
    ref = add_client(app)
    assert client.get(f"/clients/{ref}").status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.action == "client.viewed")) == 1


def test_housing_sees_core_details_and_custody_but_not_notes_or_payments(app, signed_in):
    client, housing_id = signed_in("housing")
    ref = add_client(app)
    with app.app_context():
        from iom.auth.models import User
        operations.add_case_note(db.session.scalar(select(Client)), db.session.get(User, housing_id),
                                 "Disclosed a health condition")
        db.session.commit()
    page = client.get(f"/clients/{ref}").text
    assert "Disclosed a health condition" not in page and "Details" in page
    # the record's parts offered to them: summary, custody and referrals, nothing else
    offered = re.findall(r'class="moj-sub-navigation__link" (?:aria-current="page" )?href="([^"]+)"', page)
    assert offered == [f"/clients/{ref}", f"/clients/{ref}/custody", f"/clients/{ref}/referrals"]
    assert "Custody history" in client.get(f"/clients/{ref}/custody").text
    assert "Case notes" not in page and "Support payments" not in page and "Change history" not in page
    for path in (f"/clients/{ref}/edit", f"/clients/{ref}/custody/new", "/clients/new", f"/clients/{ref}/notes",
                 f"/clients/{ref}/history", f"/clients/{ref}/payments", f"/clients/{ref}/offending"):
        assert client.get(path).status_code == 403


def test_stale_edit_is_refused_showing_what_changed_and_keeping_input(app, signed_in, make_user):
    client, _ = signed_in("officer")
    ref = add_client(app)
    form_page = client.get(f"/clients/{ref}/edit").text
    version = re.search(r'name="version" value="(\d+)"', form_page).group(1)
    with app.app_context():  # someone else saves first
        c = db.session.scalar(select(Client))
        operations.update_client(c, {"ward": "Saved Ward"}, version=c.version)
        db.session.commit()
    mine = {**VALID, "given_name": "Ann", "family_name": "Example", "ward": "My Ward", "pnc_id": "",
            "date_of_birth": ["", "", ""], "version": version}
    del mine["strand"], mine["joined_on"]
    response = post_form(client, app, f"/clients/{ref}/edit", mine)
    assert response.status_code == 409
    assert "changed by someone else" in response.text
    assert "Saved Ward" in response.text and 'value="My Ward"' in response.text
    with app.app_context():
        assert db.session.scalar(select(Client.ward)) == "Saved Ward"
    # having seen the difference, saving again is a deliberate choice and goes through
    new_version = re.search(r'name="version" value="(\d+)"', response.text).group(1)
    again = post_form(client, app, f"/clients/{ref}/edit", {**mine, "version": new_version})
    assert again.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Client.ward)) == "My Ward"


@pytest.mark.parametrize("data, message", [
    ({"status": "remand", "from_date": ["1", "5", "2011"], "establishment": ""}, "Enter the prison or establishment"),
    ({"status": "", "from_date": ["1", "5", "2011"]}, "Select where they are now"),
    ({"status": "custody", "from_date": ["31", "2", "2011"], "establishment": "HMP Leeds"}, "must be a real date"),
    ({"status": "custody", "from_date": "tomorrow", "establishment": "HMP Leeds"}, "must be today or in the past"),
    ({"status": "custody", "from_date": ["2", "5", "2011"], "establishment": "HMP Leeds",
      "expected_release_on": ["1", "5", "2011"]}, "on or after the date of the change"),
    ({"status": "custody", "from_date": ["3", "5", "2011"], "establishment": "HMP Leeds"}, "Only one change"),
])
def test_custody_form_errors_save_nothing(app, signed_in, data, message):
    client, _ = signed_in("officer")
    ref = add_client(app)
    with app.app_context():
        record_custody_event(db.session.scalar(select(Client)), status="remand", from_date=date(2011, 5, 3),
                             establishment="HMP Hull")
        db.session.commit()
    if data["from_date"] == "tomorrow":
        tomorrow = today_in_london() + timedelta(days=1)
        data = {**data, "from_date": [str(tomorrow.day), str(tomorrow.month), str(tomorrow.year)]}
    response = post_form(client, app, f"/clients/{ref}/custody/new", data)
    assert response.status_code == 400
    assert any(message in error for error in errors_in(response.text)), errors_in(response.text)
    assert count(app, CustodyEvent) == 1


def test_recording_a_remand_shows_on_the_timeline(app, signed_in):
    client, _ = signed_in("officer")
    ref = add_client(app)
    response = post_form(client, app, f"/clients/{ref}/custody/new",
                         {"status": "remand", "from_date": ["3", "5", "2011"], "establishment": "HMP Leeds",
                          "expected_release_on": ["1", "6", "2011"]})
    assert response.status_code == 302
    page = client.get(f"/clients/{ref}/custody").text
    assert "On remand: HMP Leeds" in page and "From 3 May 2011" in page


@pytest.mark.parametrize("data, message", [
    ({"left_on": ["31", "3", "2011"], "exit_reason": "completed"}, "same as or after the date they joined"),
    ({"left_on": ["31", "2", "2012"], "exit_reason": "completed"}, "must be a real date"),
    ({"left_on": ["1", "5", "2012"], "exit_reason": ""}, "Select why they left"),
    ({"left_on": ["", "", ""], "exit_reason": "completed"}, "Enter date they left the scheme"),
])
def test_leave_form_errors_save_nothing(app, signed_in, data, message):
    client, _ = signed_in("officer")
    ref = add_client(app)
    with app.app_context():
        period_id = db.session.scalar(select(SchemePeriod.id))
    response = post_form(client, app, f"/clients/{ref}/periods/{period_id}/leave", {**data, "version": "1"})
    assert response.status_code == 400
    assert any(message in error for error in errors_in(response.text)), errors_in(response.text)
    with app.app_context():
        assert db.session.scalar(select(SchemePeriod.left_on)) is None


def test_leave_and_readopt_through_the_pages(app, signed_in):
    client, _ = signed_in("officer")
    ref = add_client(app)
    with app.app_context():
        period_id = db.session.scalar(select(SchemePeriod.id))
    assert post_form(client, app, f"/clients/{ref}/periods/{period_id}/leave",
                     {"left_on": ["30", "9", "2011"], "exit_reason": "desisted", "version": "1"}).status_code == 302
    overlap = post_form(client, app, f"/clients/{ref}/adopt", {"strand": "catch_convict",
                                                               "joined_on": ["30", "9", "2011"]})
    assert overlap.status_code == 400 and "after 30 September 2011" in overlap.text
    assert post_form(client, app, f"/clients/{ref}/adopt", {"strand": "resettle_rehabilitate",
                                                            "joined_on": ["1", "10", "2011"]}).status_code == 302
    assert count(app, SchemePeriod) == 2


def test_case_note_errors_and_success(app, signed_in):
    client, _ = signed_in("officer")
    ref = add_client(app)
    empty = post_form(client, app, f"/clients/{ref}/notes", {"body": "   "})
    assert empty.status_code == 400 and "Enter the note" in empty.text
    assert count(app, CaseNote) == 0
    saved = post_form(client, app, f"/clients/{ref}/notes", {"body": "Met at the hostel"})
    # no jump to the notes: the success banner at the top is where the eye and the focus land
    assert saved.status_code == 302 and saved.headers["Location"].endswith(f"/clients/{ref}/notes")
    page = client.get(f"/clients/{ref}/notes").text
    assert "Met at the hostel" in page
    banner = page.split('class="govuk-notification-banner govuk-notification-banner--success"', 1)[1].split(">", 1)[0]
    assert 'role="alert"' in banner and 'data-disable-auto-focus="true"' not in banner


def test_adopting_an_existing_client_from_the_watch_list_closes_the_entry(app, signed_in):
    from iom.watch.models import WatchEntry
    client, _ = signed_in("officer")
    ref = add_client(app, pnc="11/123456H")
    with app.app_context():
        period = db.session.scalar(select(SchemePeriod))
        operations.leave_scheme(db.session.scalar(select(Client)), period, left_on=date(2011, 9, 30),
                                exit_reason="desisted", version=period.version)
        entry = WatchEntry(given_name="Ann", family_name="Example", pnc_id="11/123456H", partner_agency="Police",
                           reason="Back in the area", added_on=date(2012, 1, 1))
        db.session.add(entry)
        db.session.commit()
        entry_id = entry.id
    page = client.get(f"/watch-list/{entry_id}").text
    assert f"/clients/{ref}/adopt?watch={entry_id}" in page
    response = post_form(client, app, f"/clients/{ref}/adopt?watch={entry_id}",
                         {"strand": "catch_convict", "joined_on": ["1", "2", "2012"]})
    assert response.status_code == 302
    with app.app_context():
        entry = db.session.get(WatchEntry, entry_id)
        assert (entry.outcome, entry.client_id is not None) == ("adopted", True)
    closed_page = client.get(f"/watch-list/{entry_id}").text
    assert f'<a class="govuk-link" href="/clients/{ref}">{ref}</a>' in closed_page


def test_enormous_ids_in_addresses_and_forms_are_not_a_crash(app, signed_in):
    client, _ = signed_in("manager")
    ref = add_client(app)
    huge = "9" * 20
    assert client.get(f"/clients/new?watch={huge}").status_code == 200
    assert client.get(f"/clients/{ref}/adopt?watch={huge}").status_code == 200
    assert client.get(f"/watch-list?page={huge}").status_code == 200
    response = post_form(client, app, "/clients/new", {**VALID, "watch_entry": huge})
    assert response.status_code == 302
    response = post_form(client, app, f"/clients/{ref}/referrals/new/housing",
                         {"referred_on": ["1", "5", "2011"], "agency_id": huge, "need": "Housing", "status": "open",
                          "duty_to_refer_made": "no"})
    assert response.status_code == 400


def test_the_cohort_tier_is_optional_set_on_the_forms_and_shown(app, signed_in):
    client, _ = signed_in("officer")
    form_page = client.get("/clients/new").text
    assert "2020 national IOM strategy" in form_page
    assert post_form(client, app, "/clients/new", {**VALID, "tier": "flex"}).status_code == 302
    with app.app_context():
        saved = db.session.scalar(select(Client))
        reference, version = saved.reference, saved.version
        assert saved.tier == "flex"
    assert "Cohort tier Flex" in " ".join(re.sub(r"<[^>]+>", " ", client.get(f"/clients/{reference}").text).split())
    edit = {**VALID, "tier": "", "version": str(version)}
    del edit["strand"], edit["joined_on"]
    assert post_form(client, app, f"/clients/{reference}/edit", edit).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Client.tier)) is None
    refused = post_form(client, app, f"/clients/{reference}/edit", {**edit, "tier": "gold", "version": str(version + 1)})
    assert refused.status_code == 400
    assert "Select the cohort tier: fixed, flex or free, or not set" in errors_in(refused.text)


def test_each_caseload_row_links_to_the_record_as_url_for_builds_it(app, signed_in):
    """The list builds its links from one path, not url_for a row: the same addresses, whatever the reference."""
    with app.app_context():
        db.session.execute(Client.__table__.insert(), [
            {"reference": reference, "given_name": "Link", "family_name": f"Row{index}", "programme": "ppo",
             "alcohol_related": "no", "match_key": f"linkrow{index}"}
            for index, reference in enumerate(["IOM-7", "A.b_c-9", "DISPOSED-3", "z"])])
        for client in db.session.scalars(select(Client).where(Client.given_name == "Link")):
            db.session.add(SchemePeriod(client_id=client.id, strand="catch_convict", joined_on=date(2011, 4, 1)))
        db.session.commit()
    browser, _ = signed_in("manager")
    html = browser.get("/clients?officer=&scheme=all").text
    with app.test_request_context():
        from flask import url_for
        for reference in ["IOM-7", "A.b_c-9", "DISPOSED-3", "z"]:
            assert f'href="{url_for("clients.show_client", reference=reference)}"' in html
            assert browser.get(url_for("clients.show_client", reference=reference)).status_code == 200
