"""The managers' list of agencies at /referrals/agencies: add, rename, say what each takes, stop
offering one. Referrals already made keep their agency; new ones are offered only those in use."""
import pytest
from sqlalchemy import select

from iom.audit.models import AuditEntry
from iom.extensions import db
from iom.referrals.models import Agency
from tests.pages import Page, assert_field_error, post_form, text_of


@pytest.fixture
def manager(signed_in):
    return signed_in("manager")[0]


def agencies(app) -> list[tuple]:
    with app.app_context():
        return [(a.name, a.kind, a.is_active) for a in db.session.scalars(select(Agency).order_by(Agency.id))]


def test_the_list_starts_empty_and_a_manager_adds_agencies(app, manager):
    assert "No agencies yet" in text_of(manager.get("/referrals/agencies"))
    response = post_form(manager, app, "/referrals/agencies", {"name": "  Leeds   Housing Options ", "kind": "housing"})
    assert response.status_code == 302 and response.headers["Location"] == "/referrals/agencies"
    assert agencies(app) == [("Leeds Housing Options", "housing", True)]
    page = text_of(manager.get("/referrals/agencies"))
    assert "Leeds Housing Options" in page and "In use" in page
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "agency.added"))
    assert entry.subject_type == "agency" and entry.changes["name"] == [None, "Leeds Housing Options"]


@pytest.mark.parametrize("data, field, message", [
    ({"name": "", "kind": "housing"}, "name", "Enter the agency's name"),
    ({"name": "x" * 121, "kind": "housing"}, "name", "Agency name must be 120 characters or fewer"),
    ({"name": "Mind", "kind": ""}, "kind", "Select which referrals the agency takes"),
    ({"name": "shelter", "kind": "both"}, "name", "Shelter is already in the list"),
])
def test_adding_errors_save_nothing(app, manager, make_agency, data, field, message):
    make_agency("Shelter", "housing")
    response = post_form(manager, app, "/referrals/agencies", data)
    assert response.status_code == 400
    assert_field_error(response, field, message)
    assert agencies(app) == [("Shelter", "housing", True)]


def test_renaming_and_retiring_an_agency(app, manager, make_agency, make_client, make_referral):
    agency_id = make_agency("Shelter", "housing")
    ref = make_client()
    referral_id = make_referral(ref, agency_id=agency_id, agency_other=None)
    page = Page(manager.get(f"/referrals/agencies/{agency_id}/edit"))
    assert page.values["name"] == ["Shelter"] and page.values["version"] == ["1"]

    response = post_form(manager, app, f"/referrals/agencies/{agency_id}/edit",
                         {"name": "Shelter Leeds", "kind": "housing", "is_active": "no", "version": "1"})
    assert response.status_code == 302
    assert agencies(app) == [("Shelter Leeds", "housing", False)]
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "agency.updated"))
    assert entry.changes == {"is_active": [True, False], "name": ["Shelter", "Shelter Leeds"]}

    assert "No longer used" in text_of(manager.get("/referrals/agencies"))

    # no longer offered for a new referral, but kept on (and offered for) the one already made
    assert "Shelter Leeds" not in manager.get(f"/clients/{ref}/referrals/new/housing").get_data(as_text=True)
    assert "Shelter Leeds" in text_of(manager.get(f"/referrals/{referral_id}"))
    assert f'<option value="{agency_id}" selected>Shelter Leeds</option>' in \
        manager.get(f"/referrals/{referral_id}/edit").get_data(as_text=True)


def test_agencies_are_offered_by_the_kind_they_take(app, manager, make_agency, make_client):
    make_agency("Housing Only", "housing")
    make_agency("Mind", "mental_health")
    make_agency("Together Trust", "both")
    ref = make_client()
    housing_form = manager.get(f"/clients/{ref}/referrals/new/housing").get_data(as_text=True)
    mental_health_form = manager.get(f"/clients/{ref}/referrals/new/mental_health").get_data(as_text=True)
    assert "Housing Only" in housing_form and "Together Trust" in housing_form and "Mind" not in housing_form
    assert "Mind" in mental_health_form and "Together Trust" in mental_health_form
    assert "Housing Only" not in mental_health_form


def test_a_stale_agency_edit_is_refused_keeping_the_input(app, manager, make_agency):
    agency_id = make_agency("Shelter", "housing")
    with app.app_context():
        from iom.referrals import operations
        agency = db.session.get(Agency, agency_id)
        operations.update_agency(agency, name="Shelter North", kind="housing", is_active=True, version=1)
        db.session.commit()
    response = post_form(manager, app, f"/referrals/agencies/{agency_id}/edit",
                         {"name": "Shelter South", "kind": "both", "is_active": "yes", "version": "1"})
    assert response.status_code == 409
    body = text_of(response)
    assert "changed by someone else" in body and "Shelter North" in body
    assert Page(response).values["name"] == ["Shelter South"] and Page(response).values["version"] == ["2"]
    assert agencies(app) == [("Shelter North", "housing", True)]


def test_renaming_to_another_agencys_name_is_refused(app, manager, make_agency):
    make_agency("Shelter", "housing")
    other = make_agency("Mind", "mental_health")
    response = post_form(manager, app, f"/referrals/agencies/{other}/edit",
                         {"name": "SHELTER", "kind": "mental_health", "is_active": "yes", "version": "1"})
    assert response.status_code == 400
    assert_field_error(response, "name", "Shelter is already in the list")


@pytest.mark.parametrize("role", ["officer", "housing", "admin", "reviewer"])
def test_only_managers_keep_the_list(app, signed_in, make_agency, role):
    agency_id = make_agency("Shelter", "housing")
    web, _ = signed_in(role)
    assert web.get("/referrals/agencies").status_code == 403
    assert post_form(web, app, "/referrals/agencies", {"name": "Mind", "kind": "both"}).status_code == 403
    assert web.get(f"/referrals/agencies/{agency_id}/edit").status_code == 403
    assert agencies(app) == [("Shelter", "housing", True)]


def test_an_unknown_agency_is_not_found(manager):
    assert manager.get("/referrals/agencies/4242/edit").status_code == 404


@pytest.mark.parametrize("role, is_linked", [("manager", True), ("officer", False), ("housing", False)])
def test_managers_find_the_list_from_the_housing_queue(signed_in, role, is_linked):
    web, _ = signed_in(role)
    assert ('href="/referrals/agencies"' in web.get("/housing").get_data(as_text=True)) is is_linked
