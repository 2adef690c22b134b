"""Settings at /figures/settings: the minimum (1 or more) and the counted strands (at least one),
set by a manager or an administrator from a stated month onward; earlier months keep the rule
they were judged by; each change audited; the rule history shown."""
from datetime import date

import pytest

from iom.figures import monthly
from iom.figures.models import SchemeRule
from iom.extensions import db
from iom.years import FinancialYear
from tests.builders import DEC, NOV, OCT, add_clients, audit_entries, counts, set_rule
from tests.pages import Page, assert_field_error, plain, post_form, row_text


def rule_form(minimum="60", strands=("catch_convict", "resettle_rehabilitate"), effective_from="2011-12") -> dict:
    return {"minimum": minimum, "counted_strands": list(strands), "effective_from": effective_from}


@pytest.fixture
def manager(signed_in, today):
    client, _ = signed_in("manager")
    return client


def rules(app) -> list[tuple]:
    with app.app_context():
        return [(r.effective_from, r.minimum_cohort, r.counted_strands)
                for r in db.session.scalars(db.select(SchemeRule).order_by(SchemeRule.effective_from))]


def test_the_form_starts_from_this_months_rule(app, manager):
    page = manager.get("/figures/settings")
    assert page.status_code == 200
    values = Page(page).values
    assert values["minimum"] == ["70"] and values["effective_from"] == ["2011-11"]
    html = page.get_data(as_text=True)
    assert 'value="catch_convict" checked' in html and 'value="resettle_rehabilitate" checked' in html
    assert 'value="prevent_deter" checked' not in html
    assert "This month (November 2011) the minimum is 70 clients" in plain(page)
    assert "The start (default) 70 Catch and convict, Resettle and rehabilitate Built in" in plain(page)


def test_a_change_from_a_month_leaves_earlier_months_judged_as_they_were(app, manager, make_user):
    add_clients(app, 65, strand="catch_convict")
    add_clients(app, 5, strand="prevent_deter")
    response = post_form(manager, app, "/figures/settings",
                         rule_form(minimum="68", strands=["prevent_deter", "catch_convict"]))
    assert response.status_code == 302
    assert rules(app) == [(DEC, 68, "prevent_deter,catch_convict")]
    page = manager.get("/figures/settings")
    assert "Minimum 68 saved, applying from December 2011" in plain(page)
    assert "December 2011 68 Prevent and deter, Catch and convict" in plain(page)

    with app.app_context():
        by_month = {f.month: f for f in monthly.year_figures(FinancialYear.parse("2011-12"))}
    assert (by_month[OCT].minimum, by_month[OCT].counted_for_minimum, by_month[OCT].minimum_met) == (70, 65, False)
    assert (by_month[NOV].minimum, by_month[NOV].counted_for_minimum, by_month[NOV].minimum_met) == (70, 65, False)
    assert (by_month[DEC].minimum, by_month[DEC].counted_for_minimum, by_month[DEC].minimum_met) == (68, 70, True)
    year = manager.get("/figures?year=2011-12")
    assert row_text(year, "2011-11").startswith("November 2011 70 65 0 70 No")
    assert row_text(year, "2011-11").endswith("Catch and convict, Resettle and rehabilitate Not yet ended: figures so far")
    assert row_text(year, "2011-12").startswith("December 2011 — — — 68 —")
    assert row_text(year, "2011-12").endswith("Prevent and deter, Catch and convict Not started")

    [entry] = audit_entries(app, "scheme_rule.set")
    assert (entry.subject_type, entry.subject_id) == ("scheme_rule", "2011-12")
    assert entry.changes == {"minimum": [70, 68],
                             "counted_strands": [["catch_convict", "resettle_rehabilitate"],
                                                 ["prevent_deter", "catch_convict"]],
                             "effective_from": [None, "2011-12"]}


def test_a_change_before_a_later_rule_says_where_it_stops(app, manager):
    set_rule(app, date(2012, 2, 1), 50)
    assert post_form(manager, app, "/figures/settings", rule_form(minimum="60")).status_code == 302
    assert ("applying from December 2011 until the rule already set from February 2012 takes over"
            in plain(manager.get("/figures/settings")))
    with app.app_context():
        minimums = [f.minimum for f in monthly.year_figures(FinancialYear.parse("2011-12"))]
    assert minimums == [70] * 8 + [60, 60, 50, 50]


def test_a_change_for_a_month_with_a_rule_replaces_it_and_audits_the_old_one(app, manager):
    set_rule(app, DEC, 60)
    assert post_form(manager, app, "/figures/settings", rule_form(minimum="55")).status_code == 302
    assert rules(app) == [(DEC, 55, "catch_convict,resettle_rehabilitate")]
    [entry] = audit_entries(app, "scheme_rule.set")
    assert entry.changes == {"minimum": [60, 55], "effective_from": [None, "2011-12"]}


@pytest.mark.parametrize("form, field_id, message", [
    (rule_form(minimum=""), "minimum", "Enter the minimum number of clients"),
    (rule_form(minimum="0"), "minimum", "Minimum must be 1 or more"),
    (rule_form(minimum="-5"), "minimum", "Minimum must be 1 or more"),
    (rule_form(minimum="69.5"), "minimum", "Minimum must be a whole number, like 70"),
    (rule_form(minimum="seventy"), "minimum", "Minimum must be a whole number, like 70"),
    (rule_form(minimum="1000000"), "minimum", "Minimum must be 100,000 or fewer"),
    (rule_form(strands=[]), "counted_strands", "Select at least one strand to count towards the minimum"),
    (rule_form(strands=["catch_convict", "made_up"]), "counted_strands", "Select strands from the list"),
    (rule_form(effective_from=""), "effective_from", "Enter the month the change applies from"),
    (rule_form(effective_from="2011-13"), "effective_from",
     "Month the change applies from must be written as YYYY-MM, for example 2011-10"),
    (rule_form(effective_from="12/2011"), "effective_from",
     "Month the change applies from must be written as YYYY-MM, for example 2011-10"),
    (rule_form(effective_from="December 2011"), "effective_from",
     "Month the change applies from must be written as YYYY-MM, for example 2011-10"),
    (rule_form(effective_from="2011-10"), "effective_from",
     "Month the change applies from must be this month (2011-11) or later: earlier months keep the rule they "
     "were judged by"),
    (rule_form(minimum="70", effective_from="2011-11"), "minimum",
     "From November 2011 the minimum is already 70, counting catch and convict, resettle and rehabilitate. "
     "Change the minimum or the strands counted"),
])
def test_wrong_input_is_a_clear_error_and_changes_nothing(app, manager, form, field_id, message):
    before = counts(app), len(audit_entries(app))
    response = post_form(manager, app, "/figures/settings", form)
    assert response.status_code == 400
    assert_field_error(response, field_id, message)
    assert counts(app) == before[0]
    assert audit_entries(app, "scheme_rule.set") == []


def test_an_administrator_may_change_the_settings(app, signed_in, today):
    web, admin_id = signed_in("admin")
    assert web.get("/figures/settings").status_code == 200
    assert post_form(web, app, "/figures/settings", rule_form(minimum="75")).status_code == 302
    with app.app_context():
        rule = db.session.scalar(db.select(SchemeRule))
        assert (rule.minimum_cohort, rule.set_by_id) == (75, admin_id)
    assert "December 2011 75 Catch and convict, Resettle and rehabilitate" in plain(web.get("/figures/settings"))


@pytest.mark.parametrize("role", ["officer", "housing", "reviewer"])
def test_other_roles_may_not_change_the_settings(app, signed_in, today, role):
    web, _ = signed_in(role)
    assert web.get("/figures/settings").status_code == 403
    assert post_form(web, app, "/figures/settings", rule_form()).status_code == 403
    assert rules(app) == []
