"""The manager's page for what the scheme cost in a year (/reports/<year>/scheme-costs): staff and other
costs in pounds and pence with their source, beside the year's approved support payments; Decimal
throughout, each change audited in its own transaction, a stale edit refused, bad input refused with
a GOV.UK message and nothing saved."""
from datetime import date
from decimal import Decimal

import pytest

from iom.extensions import db
from iom.offending.models import SchemeCost
from tests.builders import audit_entries, client, payment, stored
from tests.pages import Page, plain, post_form

YEAR = "2011-12"
URL = f"/reports/{YEAR}/scheme-costs"


@pytest.fixture
def manager(app, signed_in):
    with app.app_context():
        person = client("IOM-0001", [("catch_convict", date(2011, 4, 1), None)], given="Ottoline",
                        family="Brackenbury", pnc="11/123456H")
        payment(person, date(2011, 10, 5), "70.00")
        payment(person, date(2011, 11, 5), "30.50")
        payment(person, date(2011, 11, 6), "99.00", status="requested")  # not approved: not a cost yet
        db.session.commit()
    web, _ = signed_in("manager")
    return web


def save(web, app, **fields):
    version = Page(web.get(URL)).values.get("version", [""])[0]
    data = {"staff_costs_gbp": "185,000", "other_costs_gbp": "12500.50",
            "source": "Partnership budget report 2011-12, lines 4 to 9", "version": version}
    data.update(fields)
    return post_form(web, app, URL, data)


def test_the_page_shows_the_years_support_payments_and_nothing_entered_yet(manager):
    page = plain(manager.get(URL))
    assert "What the scheme cost in 2011-12" in page
    assert "Support payments approved in 2011-12 £100.50 (2 payments, from the payments ledger)" in page
    assert "Staff costs Not entered" in page
    assert "What the scheme cost Not known until the staff and other costs are entered" in page


def test_a_manager_enters_the_costs_exactly_and_it_is_audited(app, manager):
    response = save(manager, app)
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/reports/{YEAR}#cohort-value-for-money")
    row = stored(app, SchemeCost, YEAR)
    assert (row.staff_costs_gbp, row.other_costs_gbp) == (Decimal("185000.00"), Decimal("12500.50"))
    assert row.source == "Partnership budget report 2011-12, lines 4 to 9" and row.set_by_id is not None
    [entry] = audit_entries(app, "scheme_cost.set")
    assert (entry.subject_type, entry.subject_id) == ("scheme_cost", YEAR)
    assert entry.changes == {"staff_costs_gbp": [None, "185000.00"], "other_costs_gbp": [None, "12500.50"],
                             "source": [None, "Partnership budget report 2011-12, lines 4 to 9"]}
    page = plain(manager.get(URL))
    assert "Staff costs £185,000.00" in page and "Other costs £12,500.50" in page
    assert "What the scheme cost £197,601.00" in page


def test_saving_the_same_again_changes_and_audits_nothing(app, manager):
    save(manager, app)
    response = save(manager, app)
    assert response.status_code == 302
    assert len(audit_entries(app, "scheme_cost.set")) == 1
    assert "No changes to save" in plain(manager.get(response.headers["Location"]))


def test_a_correction_is_audited_with_what_it_replaced(app, manager):
    save(manager, app)
    save(manager, app, staff_costs_gbp="190000", other_costs_gbp="0")
    entries = audit_entries(app, "scheme_cost.set")
    assert entries[-1].changes == {"staff_costs_gbp": ["185000.00", "190000.00"],
                                   "other_costs_gbp": ["12500.50", "0.00"]}
    assert stored(app, SchemeCost, YEAR).version == 2


@pytest.mark.parametrize("field, value, message", [
    ("staff_costs_gbp", "", "Enter the staff costs"),
    ("staff_costs_gbp", "-5", "Staff costs must be £0 or more"),
    ("staff_costs_gbp", "12.345", "Staff costs must be in pounds and pence, with no more than 2 numbers after"),
    ("staff_costs_gbp", "lots", "Staff costs must be a number in pounds and pence, like 70 or 70.50"),
    ("staff_costs_gbp", "9" * 20, "Staff costs must be £100,000,000.00 or less"),
    ("other_costs_gbp", "1e5", "Other costs must be a number in pounds and pence"),
    ("source", "", "Enter where the costs come from"),
    ("source", "x" * 5_001, "Where the costs come from must be 5,000 characters or fewer"),
    ("source", "Agreed with Ottoline Brackenbury", "Where the costs come from must not identify anyone"),
    ("source", "Budget\x00report", "must not contain hidden special characters"),
])
def test_wrong_input_is_refused_with_a_clear_message_and_nothing_saved(app, manager, field, value, message):
    response = save(manager, app, **{field: value})
    assert response.status_code == 400
    page = Page(response)
    assert page.title.startswith("Error: ")
    assert any(message in error for error in page.summary_errors), page.summary_errors
    assert stored(app, SchemeCost, YEAR) is None
    assert audit_entries(app, "scheme_cost.set") == []


def test_someone_elses_save_in_between_is_not_overwritten(app, manager, signed_in):
    opened = Page(manager.get(URL)).values["version"][0]
    save(manager, app)
    response = post_form(manager, app, URL, {"staff_costs_gbp": "1", "other_costs_gbp": "1", "source": "Guess",
                                             "version": opened})
    assert response.status_code == 409
    assert "changed by someone else after you opened this page" in plain(response)
    assert stored(app, SchemeCost, YEAR).staff_costs_gbp == Decimal("185000.00")
    assert Page(response).values["version"] == ["1"]  # saving again is a deliberate choice


def test_a_year_with_no_data_is_not_found(manager):
    assert manager.get("/reports/1999-00/scheme-costs").status_code == 404
