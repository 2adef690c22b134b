"""One record per person: a person already recorded is caught when added or adopted from the
watch list, listed for managers as a possible duplicate, and two records of one person merged."""
import re
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, strategies as st
from sqlalchemy import func, select

from iom.audit.models import AuditEntry
from iom.auth.models import User
from iom.clients import operations, queries
from iom.clients.models import CaseNote, Client, DistinctPeople, SchemePeriod, match_key
from iom.custody.models import CustodyEvent
from iom.custody.operations import record_custody_event
from iom.extensions import db
from iom.offending.models import Offence
from iom.payments.models import SupportPayment
from iom.referrals.models import Referral
from iom.watch.models import WatchEntry
from iom.years import FinancialYear
from tests.pages import Page, post_form

BORN = date(1990, 2, 1)
PNC = "11/123456H"
PERSON = {"given_name": "Seán", "family_name": "O'Brien-Smith", "date_of_birth": BORN}
FORM = {"given_name": "sean", "family_name": "obriensmith", "date_of_birth": ["1", "2", "1990"], "pnc_id": "",
        "ward": "Central", "programme": "ppo", "alcohol_related": "yes", "risk_level": "", "offender_manager_id": "",
        "strand": "catch_convict", "joined_on": ["1", "4", "2011"]}


def add(app, details=PERSON, *, joined=date(2011, 4, 1), strand="catch_convict", **kwargs) -> str:
    with app.app_context():
        client = operations.add_client(dict(details), strand=strand, joined_on=joined, **kwargs)
        db.session.commit()
        return client.reference


def clients_named(app) -> list[str]:
    with app.app_context():
        return db.session.scalars(select(Client.reference).order_by(Client.reference)).all()


def actions(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)).all()
        db.session.expunge_all()
        return entries


@pytest.mark.parametrize("given, family", [("sean", "obriensmith"), ("SEAN", "O BRIEN SMITH"),
                                           ("Sean O'Brien", "Smith"), ("Seán", "O’Brien-Smith"),
                                           ("Se\u0301an", "O'Brien-Smith")])
def test_the_match_key_ignores_case_accents_hyphens_apostrophes_and_spaces(given, family):
    assert match_key(given, family) == match_key("Seán", "O'Brien-Smith") == "seanobriensmith"


@given(st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyzéèüñç", min_size=1, max_size=8), min_size=1, max_size=4),
       st.lists(st.sampled_from(["-", "'", " ", "’", ""]), min_size=4, max_size=4))
def test_any_punctuation_and_case_give_the_same_key(parts, marks):
    plain = "".join(parts)
    written = "".join((part.upper() if number % 2 else part) + marks[number] for number, part in enumerate(parts))
    assert match_key(written, "") == match_key(plain, "") == match_key("", plain)


def test_the_match_key_keeps_letters_apart_that_differ():
    assert match_key("Sean", "OBrien") != match_key("Sian", "OBrien")
    assert match_key("Straße", "X") == "strassex"
    assert len(match_key("A" * 100, "\ufdfa" * 100)) == 200   # a 100-character name cannot overflow the column


def test_the_key_follows_a_change_of_name(app):
    reference = add(app)
    with app.app_context():
        client = queries.client_by_reference(reference)
        operations.update_client(client, {"family_name": "Brien"}, version=client.version)
        db.session.commit()
        assert db.session.scalar(select(Client.match_key)) == "seanbrien"


# --- the add form ---------------------------------------------------------------------------

def test_the_same_name_and_birthday_is_warned_linked_and_not_saved(app, signed_in):
    existing = add(app)
    browser, _ = signed_in("officer")
    response = post_form(browser, app, "/clients/new", FORM)
    assert response.status_code == 400
    page = Page(response)
    assert page.summary_errors == [f"This person may already be client {existing}: same name and date of birth. "
                                   "Check the record before you add them. If this is someone else, select ‘These are "
                                   "different people’ and add the client again"]
    assert f'href="/clients/{existing}"' in response.text
    assert page.input_values["given_name"] == "sean" and page.input_values["ward"] == "Central"   # input kept
    assert 'name="different_people"' in response.text
    assert clients_named(app) == [existing]
    [warning] = actions(app, "client.duplicate_warned")
    assert warning.changes["possible_duplicates"] == [None, [existing]]


def test_a_confirm_post_without_the_confirmation_saves_nothing(app, signed_in):
    existing = add(app)
    browser, _ = signed_in("officer")
    with app.app_context():
        existing_id = db.session.scalar(select(Client.id))
    response = post_form(browser, app, "/clients/new", {**FORM, "duplicate_ids": str(existing_id)})
    assert response.status_code == 400
    assert clients_named(app) == [existing]


def test_confirming_different_people_saves_and_is_audited(app, signed_in):
    existing = add(app)
    browser, _ = signed_in("officer")
    first = Page(post_form(browser, app, "/clients/new", FORM))
    response = post_form(browser, app, "/clients/new", {**FORM, "duplicate_ids": first.input_values["duplicate_ids"],
                                                        "different_people": "y"})
    assert response.status_code == 302
    assert len(clients_named(app)) == 2
    [added] = [e for e in actions(app, "client.added") if e.changes.get("confirmed_different_from")]
    assert added.changes["confirmed_different_from"] == [None, [existing]]


def test_a_confirmation_covers_only_the_records_shown(app, signed_in):
    add(app)
    browser, _ = signed_in("officer")
    first = Page(post_form(browser, app, "/clients/new", FORM))
    add(app, different_from=[1])   # someone else adds a second one meanwhile, after confirming
    response = post_form(browser, app, "/clients/new", {**FORM, "duplicate_ids": first.input_values["duplicate_ids"],
                                                        "different_people": "y"})
    assert response.status_code == 400
    assert "IOM-0002" in Page(response).summary_errors[0]
    assert len(clients_named(app)) == 2


def test_a_different_birthday_or_none_is_no_match(app, signed_in):
    add(app)
    add(app, {**PERSON, "date_of_birth": None})
    browser, _ = signed_in("officer")
    assert post_form(browser, app, "/clients/new", {**FORM, "date_of_birth": ["2", "2", "1990"]}).status_code == 302
    assert post_form(browser, app, "/clients/new", {**FORM, "date_of_birth": ["", "", ""]}).status_code == 302
    assert len(clients_named(app)) == 4


def test_the_same_pnc_id_is_never_saved(app, signed_in):
    existing = add(app, {"given_name": "Other", "family_name": "Name", "pnc_id": PNC})
    browser, _ = signed_in("officer")
    response = post_form(browser, app, "/clients/new", {**FORM, "pnc_id": PNC, "different_people": "y",
                                                        "duplicate_ids": "1"})
    assert response.status_code == 400
    page = Page(response)
    assert page.field_errors["pnc_id-error"] == (f"PNC ID {PNC} is already recorded for client {existing}. A PNC ID belongs "
                                           "to one person, so this person is already a client: open their record "
                                           "instead of adding them again")
    assert f'href="/clients/{existing}"' in response.text
    assert 'name="different_people"' not in response.text
    assert clients_named(app) == [existing]


def test_adopting_from_the_watch_list_catches_a_client_already_recorded(app, signed_in):
    from iom.watch import operations as watch_operations
    existing = add(app)
    with app.app_context():
        entry = watch_operations.add_watch_entry({"given_name": "SEAN", "family_name": "O Brien Smith",
                                                  "date_of_birth": BORN, "partner_agency": "Probation",
                                                  "reason": "Prolific", "added_on": date(2011, 3, 1)})
        db.session.commit()
        entry_id = entry.id
    browser, _ = signed_in("officer")
    form = Page(browser.get(f"/clients/new?watch={entry_id}"))
    assert form.input_values["given_name"] == "SEAN"
    response = post_form(browser, app, "/clients/new", {**FORM, "given_name": "SEAN", "family_name": "O Brien Smith",
                                                        "watch_entry": str(entry_id)})
    assert response.status_code == 400
    assert f'href="/clients/{existing}/adopt?watch={entry_id}"' in response.text   # adopt the existing record instead
    assert clients_named(app) == [existing]
    with app.app_context():
        assert db.session.get(WatchEntry, entry_id).is_open


# --- the possible duplicates page -----------------------------------------------------------

def test_managers_see_pairs_with_both_records_linked(app, signed_in):
    first = add(app)
    second = add(app, {"given_name": "SEAN", "family_name": "O'BRIEN SMITH", "date_of_birth": BORN},
                 different_from=[1])
    add(app, {"given_name": "Sean", "family_name": "Other", "date_of_birth": BORN})
    browser, _ = signed_in("manager")
    response = browser.get("/clients/duplicates")
    assert response.status_code == 200
    page = Page(response)
    assert len(page.rows) == 1
    assert page.rows[0][:2] == ["Seán O'Brien-Smith / SEAN O'BRIEN SMITH", "1 February 1990"]
    assert f'href="/clients/{first}"' in response.text and f'href="/clients/{second}"' in response.text
    assert f'href="/clients/merge?first={first}&amp;second={second}"' in response.text
    assert actions(app, "clients.duplicates_listed")[0].changes["pairs"] == [None, [[first, second]]]


def test_marking_not_the_same_person_drops_the_pair_and_is_audited(app, signed_in):
    first = add(app)
    second = add(app, PERSON, different_from=[1])
    browser, _ = signed_in("manager")
    response = post_form(browser, app, "/clients/duplicates/different", {"first": second, "second": first})
    assert response.status_code == 302
    assert "no-duplicates" in browser.get("/clients/duplicates").text
    [entry] = actions(app, "client.different_people")
    assert first in entry.summary and second in entry.summary
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DistinctPeople)) == 1


@pytest.mark.parametrize("data, message", [
    ({}, "Choose the two records"),
    ({"first": "IOM-0001", "second": "IOM-9999"}, "One of these records does not exist"),
    ({"first": "IOM-0001", "second": "IOM-0001"}, "Choose two different records"),
])
def test_marking_a_bad_pair_changes_nothing(app, signed_in, data, message):
    add(app)
    browser, _ = signed_in("manager")
    response = post_form(browser, app, "/clients/duplicates/different", data)
    assert response.status_code == 400
    assert message in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DistinctPeople)) == 0


def test_the_duplicates_page_runs_a_fixed_number_of_queries(app, signed_in, count_queries):
    browser, _ = signed_in("manager")

    def pairs(count):
        for number in range(count):
            person = {"given_name": f"Twin{number:03d}", "family_name": "Pair", "date_of_birth": BORN}
            add(app, person, different_from=range(1, 10_000))
            add(app, person, different_from=range(1, 10_000))
        with count_queries() as counter:
            assert browser.get("/clients/duplicates").status_code == 200
        return counter.count
    assert pairs(2) == pairs(20)


# --- merging --------------------------------------------------------------------------------

@pytest.fixture
def two_records(app, make_user):
    return lambda: build_two_records(app, make_user("officer")[0])


def build_two_records(app, officer_id) -> tuple[str, str]:
    """The same person twice, each with something of everything that hangs off a client."""
    from iom.referrals import operations as referral_operations
    from iom.payments import operations as payment_operations
    from iom.watch import operations as watch_operations
    kept = add(app, {**PERSON, "ward": "Central", "alcohol_related": "yes"}, joined=date(2011, 4, 1))
    duplicate = add(app, {**PERSON, "pnc_id": PNC, "ward": "North", "alcohol_related": "yes"}, joined=date(2011, 4, 1),
                    different_from=[1])
    with app.app_context():
        officer = db.session.get(User, officer_id)
        first, second = (queries.client_by_reference(ref) for ref in (kept, duplicate))
        operations.leave_scheme(first, db.session.scalar(select(SchemePeriod).where(SchemePeriod.client_id == first.id)),
                                left_on=date(2011, 6, 30), exit_reason="moved_away", version=1)
        db.session.execute(db.update(SchemePeriod).where(SchemePeriod.client_id == second.id)
                           .values(joined_on=date(2011, 8, 1)))
        for client, day in ((first, date(2011, 5, 1)), (second, date(2011, 9, 1))):
            record_custody_event(client, status="remand", from_date=day, establishment="HMP Test", recorded_by=officer)
            operations.add_case_note(client, officer, f"Note on {client.reference}")
            agency = referral_operations.add_agency(f"Agency for {client.reference}", "both")
            referral_operations.make_referral(client, "housing", {"referred_on": day, "agency_id": agency.id,
                                                                  "need": "A home", "status": "open",
                                                                  "duty_to_refer_made": False})
            payment_operations.request_payment(client, amount=Decimal("10.00"), paid_on=day, purpose="travel_to_interview",
                                               detail="Bus fare", requested_by=officer)
            entry = watch_operations.add_watch_entry({"given_name": "Seán", "family_name": "O'Brien-Smith",
                                                      "partner_agency": "Police", "reason": "Watched",
                                                      "added_on": date(2011, 3, 1)})
            watch_operations.mark_adopted(entry, client)
            db.session.add(Offence(client_id=client.id, offence_on=day, offence_type="shoplifting"))
        db.session.commit()
    return kept, duplicate


MOVED = {"periods": SchemePeriod, "custody": CustodyEvent, "notes": CaseNote, "referrals": Referral,
         "payments": SupportPayment, "watch": WatchEntry, "offences": Offence}


def rows_by_client(app) -> dict:
    with app.app_context():
        return {name: dict(db.session.execute(select(Client.reference, func.count()).select_from(model)
                                              .join(Client, Client.id == model.client_id).group_by(Client.reference))
                           .tuples().all()) for name, model in MOVED.items()}


def merge(browser, app, kept, duplicate, first=None, second=None):
    return post_form(browser, app, "/clients/merge", {"first": first or kept, "second": second or duplicate,
                                                      "keep": kept})


def test_a_merge_keeps_every_row_of_both_records(app, signed_in, two_records):
    kept, duplicate = two_records()
    before = rows_by_client(app)
    assert all(counts == {kept: counts[kept], duplicate: counts[duplicate]} for counts in before.values())
    browser, _ = signed_in("manager")
    confirm = browser.get(f"/clients/merge?first={kept}&second={duplicate}")
    assert confirm.status_code == 200
    assert f'id="record-{kept}"' in confirm.text and f'id="record-{duplicate}"' in confirm.text
    assert Page(confirm).input_values["first"] == kept
    response = merge(browser, app, kept, duplicate)
    assert response.status_code == 302 and response.headers["Location"] == f"/clients/{kept}"
    after = rows_by_client(app)
    assert after == {name: {kept: sum(counts.values())} for name, counts in before.items()}
    with app.app_context():
        record = queries.client_by_reference(kept)
        assert record.pnc_id == PNC and record.ward == "Central"   # a blank filled from the duplicate; not overwritten
        assert queries.client_by_reference(duplicate).merged_into_id == record.id
    [entry] = actions(app, "client.merged")
    assert kept in entry.summary and duplicate in entry.summary
    assert entry.changes["merged_from"] == [duplicate, None]
    assert entry.changes["moved"][1] == {"case_note": 1, "custody_event": 1, "offence": 1, "referral": 1,
                                         "scheme_period": 1, "support_payment": 1, "watch_entry": 1}


def test_the_old_reference_leads_to_the_kept_record(app, signed_in, two_records):
    kept, duplicate = two_records()
    browser, _ = signed_in("manager")
    assert merge(browser, app, kept, duplicate).status_code == 302
    response = browser.get(f"/clients/{duplicate}")
    assert response.status_code == 302 and response.headers["Location"] == f"/clients/{kept}"
    assert browser.get(f"/clients/{duplicate}/edit").headers["Location"] == f"/clients/{kept}/edit"
    browser.get(f"/clients/{kept}")   # the page the merge led to, with its banner
    assert re.search(rf"Merged records\s*</dt>\s*<dd[^>]*>\s*{duplicate}\s*</dd>", browser.get(f"/clients/{kept}").text)
    found = Page(browser.get(f"/clients?q={duplicate}&officer=&scheme=all"))
    assert [row[1] for row in found.rows] == [kept]
    listed = browser.get("/clients?officer=&scheme=all").text
    assert f">{duplicate}<" not in listed and kept in listed
    assert "no-duplicates" in browser.get("/clients/duplicates").text


def test_the_merged_away_record_no_longer_counts(app, signed_in, two_records):
    from iom.figures import monthly
    kept, duplicate = two_records()
    with app.app_context():
        assert monthly.alcohol_related(FinancialYear.parse("2011-12")) == {"clients": 2, "of": 2}
        month = monthly.month_figures(date(2011, 9, 1))
        assert (month.on_scheme, month.in_custody_or_remand) == (1, 1)
    browser, _ = signed_in("manager")
    assert merge(browser, app, kept, duplicate).status_code == 302
    with app.app_context():
        assert monthly.alcohol_related(FinancialYear.parse("2011-12")) == {"clients": 1, "of": 1}
        month = monthly.month_figures(date(2011, 9, 1))
        assert (month.on_scheme, month.in_custody_or_remand) == (1, 1)
        assert [m.on_scheme for m in monthly.year_figures(FinancialYear.parse("2011-12"))][:6] == [1, 1, 1, 0, 1, 1]


def refused(app, browser, kept, duplicate, message, **kwargs):
    before = rows_by_client(app)
    response = merge(browser, app, kept, duplicate, **kwargs)
    assert response.status_code == 400, response.status_code
    assert message in " ".join(Page(response).summary_errors)
    assert rows_by_client(app) == before
    assert actions(app, "client.merged") == []


def test_a_record_cannot_be_merged_with_itself(app, signed_in, two_records):
    kept, _ = two_records()
    browser, _ = signed_in("manager")
    assert browser.get(f"/clients/merge?first={kept}&second={kept}").status_code == 400
    refused(app, browser, kept, kept, "a record cannot be merged with itself")


def test_overlapping_periods_are_refused_naming_them(app, signed_in):
    kept = add(app)
    duplicate = add(app, joined=date(2011, 5, 1), different_from=[1])
    browser, _ = signed_in("manager")
    refused(app, browser, kept, duplicate, f"their periods on the scheme overlap ({duplicate} from 1 May 2011 with no "
            f"leaving date overlaps {kept} from 1 April 2011 with no leaving date)")


def test_two_custody_changes_on_one_day_are_refused(app, signed_in, two_records):
    kept, duplicate = two_records()
    with app.app_context():
        officer = db.session.scalar(select(User))
        record_custody_event(queries.client_by_reference(duplicate), status="custody", from_date=date(2011, 5, 1),
                             establishment="HMP Test", recorded_by=officer)
        db.session.commit()
    browser, _ = signed_in("manager")
    refused(app, browser, kept, duplicate, "both have a custody change recorded on 1 May 2011")


def test_two_pnc_ids_are_two_people(app, signed_in):
    kept = add(app, {**PERSON, "pnc_id": "11/123457J"}, joined=date(2012, 4, 1))
    duplicate = add(app, {**PERSON, "pnc_id": PNC}, joined=date(2011, 4, 1), strand="prevent_deter",
                    different_from=[1])
    with app.app_context():
        client = queries.client_by_reference(duplicate)
        period = db.session.scalar(select(SchemePeriod).where(SchemePeriod.client_id == client.id))
        operations.leave_scheme(client, period, left_on=date(2011, 5, 1), exit_reason="other", version=1)
        db.session.commit()
    browser, _ = signed_in("manager")
    refused(app, browser, kept, duplicate, "these are two people and cannot be merged")


@pytest.mark.parametrize("role", ["officer", "housing", "admin", "reviewer"])
def test_only_a_manager_may_merge(app, signed_in, role, two_records):
    kept, duplicate = two_records()
    browser, _ = signed_in(role)
    before = rows_by_client(app)
    assert merge(browser, app, kept, duplicate).status_code == 403
    assert browser.get(f"/clients/merge?first={kept}&second={duplicate}").status_code == 403
    assert rows_by_client(app) == before


def test_a_merge_without_choosing_which_to_keep_changes_nothing(app, signed_in, two_records):
    kept, duplicate = two_records()
    browser, _ = signed_in("manager")
    before = rows_by_client(app)
    response = post_form(browser, app, "/clients/merge", {"first": kept, "second": duplicate})
    assert response.status_code == 400
    assert Page(response).field_errors["keep-error"] == "Select the record to keep"
    assert rows_by_client(app) == before


def test_the_caseload_search_ignores_accents_and_punctuation(app, signed_in):
    reference = add(app)
    browser, _ = signed_in("officer")
    for term in ("sean", "OBrien", "obrien smith", "Seán O'Brien"):
        assert [row[1] for row in Page(browser.get(f"/clients?q={term}&officer=&scheme=all")).rows] == [reference], term
