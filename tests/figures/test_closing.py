"""Closing a month: a manager closes a finished month once checked; its figures are kept as they
stood; later corrections show beside them ("closed at 71, now 70"), never over them."""
from datetime import date

import pytest
from sqlalchemy import update

from iom.figures.models import MonthClosure
from iom.clients.models import SchemePeriod
from iom.extensions import db
from tests.builders import OCT, SEP, add_clients, audit_entries, counts, set_rule, set_sac, stored
from tests.pages import Page, plain, post_form, row_text


@pytest.fixture
def manager(signed_in, today):
    client, _ = signed_in("manager")
    return client


def close(web, app, month: str, seen: str | None = None):
    if seen is None:
        seen = Page(web.get(f"/figures/months/{month}")).values["close-seen"][0]
    return post_form(web, app, f"/figures/months/{month}/close", {"close-seen": seen})


def test_closing_keeps_the_figures_and_later_corrections_show_both(app, manager):
    set_rule(app, date(2011, 4, 1), 3)
    add_clients(app, 3, strand="catch_convict")
    add_clients(app, 1, strand="prevent_deter")
    set_sac(app, OCT, 81)

    response = close(manager, app, "2011-10")
    assert response.status_code == 302
    closure = stored(app, MonthClosure, OCT)
    assert (closure.on_scheme, closure.counted_for_minimum, closure.in_custody_or_remand, closure.minimum,
            closure.minimum_met, closure.serious_acquisitive_crimes) == (4, 3, 0, 3, True, 81)
    [entry] = audit_entries(app, "month.closed")
    assert (entry.subject_type, entry.subject_id) == ("month_closure", "2011-10")
    assert entry.changes["counted_for_minimum"] == [None, 3] and entry.changes["minimum_met"] == [None, True]
    page = plain(manager.get("/figures/months/2011-10"))
    assert "October 2011 closed: its figures are kept as they stand today" in page
    assert "Closed on" in page and "Close October 2011" not in page

    # later: one counted client turns out to have left in September, and the count is corrected
    with app.app_context():
        first = db.session.scalar(db.select(SchemePeriod).where(SchemePeriod.strand == "catch_convict")
                                  .order_by(SchemePeriod.id))
        db.session.execute(update(SchemePeriod).where(SchemePeriod.id == first.id)
                           .values(left_on=date(2011, 9, 20), exit_reason="completed"))
        db.session.commit()
    version = Page(manager.get("/figures/months/2011-10")).values["sac-version"][0]
    assert post_form(manager, app, "/figures/months/2011-10/sac",
                     {"sac-crimes": "79", "sac-version": version}).status_code == 302

    year = manager.get("/figures?year=2011-12")
    assert row_text(year, "2011-10") == ("October 2011 closed at 4, now 3 closed at 3, now 2 0 3 "
                                         "closed as met, now not met closed at 81, now 79 263.3 0 0.0% "
                                         "Closed, changed since")
    assert "1 closed month has changed since it was closed (October 2011)" in plain(year)
    month = plain(manager.get("/figures/months/2011-10"))
    assert "Counted for the minimum closed at 3, now 2" in month
    assert "Serious acquisitive crimes closed at 81, now 79" in month
    assert "What was reported is kept: both are shown below" in month
    # what was reported is untouched
    assert stored(app, MonthClosure, OCT).counted_for_minimum == 3


def test_a_closed_month_whose_figures_stay_the_same_shows_them_once(app, manager):
    add_clients(app, 2)
    assert close(manager, app, "2011-09").status_code == 302
    row = row_text(manager.get("/figures?year=2011-12"), "2011-09")
    assert row == "September 2011 2 2 0 70 No not recorded not recorded 0 not recorded Closed"


@pytest.mark.parametrize("month, message", [
    ("2011-11", "November 2011 has not ended yet. A month can be closed once it is over"),
    ("2012-01", "January 2012 has not ended yet. A month can be closed once it is over"),
])
def test_the_current_month_and_later_cannot_be_closed(app, manager, month, message):
    response = post_form(manager, app, f"/figures/months/{month}/close", {"close-seen": "0.0.0.70.none"})
    assert response.status_code == 400
    assert message in plain(response)
    assert counts(app)["month_closure"] == 0
    assert "Close this month" not in plain(manager.get(f"/figures/months/{month}"))


def test_a_month_is_closed_once(app, manager):
    assert close(manager, app, "2011-09").status_code == 302
    response = post_form(manager, app, "/figures/months/2011-09/close", {"close-seen": "0.0.0.70.none"})
    assert response.status_code == 400
    assert "September 2011 was already closed on" in plain(response)
    assert len(audit_entries(app, "month.closed")) == 1


def test_figures_that_moved_since_the_page_was_opened_are_not_closed(app, manager):
    seen = Page(manager.get("/figures/months/2011-09")).values["close-seen"][0]
    add_clients(app, 1)  # someone adds a client meanwhile
    response = close(manager, app, "2011-09", seen=seen)
    assert response.status_code == 409
    assert "The figures for September 2011 changed after you opened this page" in plain(response)
    assert stored(app, MonthClosure, SEP) is None
    # the re-shown page carries the new figures: closing now keeps them
    assert close(manager, app, "2011-09", seen=Page(response).values["close-seen"][0]).status_code == 302
    assert stored(app, MonthClosure, SEP).on_scheme == 1


def test_a_close_without_the_checked_figures_is_an_error(app, manager):
    response = post_form(manager, app, "/figures/months/2011-09/close", {})
    assert response.status_code == 400
    assert "This page is out of date. Reload it and try again" in plain(response)
    assert counts(app)["month_closure"] == 0


def test_a_badly_written_month_cannot_be_closed(app, manager):
    response = post_form(manager, app, "/figures/months/2011-9/close", {"close-seen": "x"})
    assert response.status_code == 400
    assert "'2011-9' is not a month: write it as YYYY-MM, for example 2011-10" in plain(response)


@pytest.mark.parametrize("role", ["officer", "housing", "admin", "reviewer"])
def test_only_a_manager_may_close_a_month(app, signed_in, today, role):
    web, _ = signed_in(role)
    assert post_form(web, app, "/figures/months/2011-09/close", {"close-seen": "0.0.0.70.none"}).status_code == 403
    assert counts(app)["month_closure"] == 0
