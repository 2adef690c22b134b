"""Serious acquisitive crime counts on a month's page: a manager enters or corrects a month's count
(a whole number, 0 or more), audited with the old and new value; a month with none shows
"not recorded", never 0; wrong input is a GOV.UK error, status 400, and changes nothing."""
import pytest

from iom.figures.models import SacCount
from tests.builders import NOV, OCT, audit_entries, counts, set_sac, stored
from tests.pages import Page, assert_field_error, plain, post_form, row_text


@pytest.fixture
def manager(signed_in, today):
    client, _ = signed_in("manager")
    return client


def save_count(web, app, month: str, crimes: str, version: str = "0"):
    return post_form(web, app, f"/figures/months/{month}/sac", {"sac-crimes": crimes, "sac-version": version})


def test_a_month_without_a_count_says_not_recorded(app, manager):
    page = manager.get("/figures/months/2011-10")
    assert page.status_code == 200
    body = plain(page)
    assert "Serious acquisitive crimes not recorded" in body
    assert "Record the serious acquisitive crime count" in body
    assert Page(page).values["sac-version"] == ["0"]


def test_a_manager_records_then_corrects_a_count_and_both_are_audited_with_old_and_new(app, manager):
    response = save_count(manager, app, "2011-10", "81")
    assert response.status_code == 302 and response.headers["Location"].endswith("/figures/months/2011-10")
    assert stored(app, SacCount, OCT).crimes == 81

    page = manager.get("/figures/months/2011-10")
    assert "Serious acquisitive crimes for October 2011 saved: 81" in plain(page)
    assert Page(page).values["sac-version"] == ["1"] and Page(page).values["sac-crimes"] == ["81"]

    response = save_count(manager, app, "2011-10", " 1,079 ", version="1")
    assert response.status_code == 302
    assert stored(app, SacCount, OCT).crimes == 1079

    recorded, corrected = audit_entries(app, "sac_count.recorded"), audit_entries(app, "sac_count.corrected")
    assert [(e.subject_type, e.subject_id, e.changes) for e in recorded] == \
        [("sac_count", "2011-10", {"crimes": [None, 81]})]
    assert [(e.subject_type, e.subject_id, e.changes) for e in corrected] == \
        [("sac_count", "2011-10", {"crimes": [81, 1079]})]
    history = plain(manager.get("/figures/months/2011-10"))
    assert "Serious acquisitive crimes for October 2011: not recorded → 81" in history
    assert "Serious acquisitive crimes for October 2011: 81 → 1079" in history
    assert row_text(manager.get("/figures?year=2011-12"), "2011-10").startswith("October 2011 0 0 0 70 No 1,079")


def test_saving_the_same_count_again_changes_and_audits_nothing(app, manager):
    set_sac(app, OCT, 81)
    response = save_count(manager, app, "2011-10", "81", version="1")
    assert response.status_code == 302
    assert "No change: the count for October 2011 was already 81" in plain(manager.get("/figures/months/2011-10"))
    assert audit_entries(app, "sac_count.corrected") == []


def test_zero_is_a_count_not_a_missing_one(app, manager):
    assert save_count(manager, app, "2011-10", "0").status_code == 302
    assert stored(app, SacCount, OCT).crimes == 0
    assert "Serious acquisitive crimes 0 " in plain(manager.get("/figures/months/2011-10"))


@pytest.mark.parametrize("crimes, message", [
    ("", "Enter the number of serious acquisitive crimes"),
    ("   ", "Enter the number of serious acquisitive crimes"),
    ("-1", "Number of serious acquisitive crimes must be 0 or more"),
    ("1.5", "Number of serious acquisitive crimes must be a whole number, like 81"),
    ("81.0", "Number of serious acquisitive crimes must be a whole number, like 81"),
    ("eighty", "Number of serious acquisitive crimes must be a whole number, like 81"),
    ("1e3", "Number of serious acquisitive crimes must be a whole number, like 81"),
    ("99999999999999999999", "Number of serious acquisitive crimes must be 1,000,000 or fewer"),
])
def test_a_wrong_count_is_a_clear_error_and_changes_nothing(app, manager, crimes, message):
    set_sac(app, OCT, 81)
    before = counts(app), len(audit_entries(app))
    response = save_count(manager, app, "2011-10", crimes, version="1")
    assert response.status_code == 400
    assert_field_error(response, "sac-crimes", message)
    assert Page(response).values["sac-crimes"] == [crimes.strip()]
    assert stored(app, SacCount, OCT).crimes == 81
    after = counts(app), [e.action for e in audit_entries(app)]
    assert after[0] == before[0]
    assert [a for a in after[1] if a.startswith("sac_count")] == []


def test_a_missing_version_is_an_error(app, manager):
    response = post_form(manager, app, "/figures/months/2011-10/sac", {"sac-crimes": "5"})
    assert response.status_code == 400
    assert "This page is out of date" in plain(response)
    assert stored(app, SacCount, OCT) is None


def test_a_correction_over_someone_elses_newer_count_is_refused(app, manager):
    form_version = Page(manager.get("/figures/months/2011-10")).values["sac-version"][0]
    set_sac(app, OCT, 90)  # someone else, meanwhile
    response = save_count(manager, app, "2011-10", "81", version=form_version)
    assert response.status_code == 409
    body = plain(response)
    assert "changed by someone else after you opened this page: it is now 90" in body
    assert stored(app, SacCount, OCT).crimes == 90
    page = Page(response)
    assert page.values["sac-crimes"] == ["81"] and page.values["sac-version"] == ["1"]
    # having seen it, saving again goes through
    assert save_count(manager, app, "2011-10", "81", version="1").status_code == 302
    assert stored(app, SacCount, OCT).crimes == 81


def test_a_month_not_started_cannot_have_a_count(app, manager):
    response = save_count(manager, app, "2011-12", "4")
    assert response.status_code == 400
    assert "December 2011 has not started yet" in plain(response)
    assert counts(app)["sac_count"] == 0
    assert "/figures/months/2011-12/sac" not in manager.get("/figures/months/2011-12").get_data(as_text=True)
    # the current month may have one
    assert save_count(manager, app, "2011-11", "4").status_code == 302
    assert stored(app, SacCount, NOV).crimes == 4


@pytest.mark.parametrize("month", ["2011-13", "2011-1", "201110", "October", "2011-10-01", "1899-12", "x" * 100])
def test_a_badly_written_month_in_the_address_is_a_clear_error(app, manager, month):
    for response in (manager.get(f"/figures/months/{month}"), save_count(manager, app, month, "5")):
        assert response.status_code == 400
        page = Page(response)
        assert page.title.startswith("Error: Month not recognised")
        assert page.summary_errors and "write it as YYYY-MM, for example 2011-10" in page.summary_errors[0]
    assert counts(app)["sac_count"] == 0


@pytest.mark.parametrize("role", ["officer", "housing", "admin", "reviewer"])
def test_only_a_manager_may_record_a_count(app, signed_in, today, role):
    web, _ = signed_in(role)
    assert save_count(web, app, "2011-10", "81").status_code == 403
    assert counts(app)["sac_count"] == 0
