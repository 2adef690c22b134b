"""The home page alert: everyone (every role) is warned when the latest complete month, or the
current month on what is known today (leavers already dated taken off), is under the minimum.
Exactly the minimum is met. The reviewer's page carries counts only, no personal data."""
from datetime import date

import pytest

from tests.builders import add_clients, set_rule
from tests.pages import plain

ROLES = ["admin", "manager", "officer", "housing", "reviewer"]


def home(web) -> str:
    response = web.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.fixture
def minimum_of_three(app, today):
    set_rule(app, date(2011, 4, 1), 3)


@pytest.mark.parametrize("role", ROLES)
def test_every_role_is_warned_when_last_month_was_under_the_minimum(app, signed_in, minimum_of_three, role):
    add_clients(app, 2, strand="catch_convict", joined_on=date(2011, 4, 1))
    add_clients(app, 5, strand="prevent_deter", joined_on=date(2011, 4, 1))  # on the scheme, not counted
    add_clients(app, 1, strand="resettle_rehabilitate", joined_on=date(2011, 11, 1))
    web, _ = signed_in(role)
    html = home(web)
    text = plain(web.get("/"))
    assert 'id="minimum-alert-2011-10"' in html and 'class="govuk-warning-text"' in html
    assert "October 2011 ended under the minimum: 2 clients counted against a minimum of 3." in text
    assert 'id="minimum-alert-2011-11"' not in html  # November has 3 counted: exactly the minimum is met
    assert ('href="/figures/months/2011-10"' in html) == (role != "reviewer")
    assert "Family" not in html and "C-0000" not in html  # counts only: no names or references


@pytest.mark.parametrize("role", ROLES)
def test_no_warning_at_exactly_the_minimum(app, signed_in, minimum_of_three, role):
    add_clients(app, 3, strand="catch_convict", joined_on=date(2011, 4, 1))
    web, _ = signed_in(role)
    assert "minimum-alert" not in home(web)


def test_one_under_the_minimum_is_warned(app, signed_in, minimum_of_three):
    add_clients(app, 2, strand="catch_convict", joined_on=date(2011, 4, 1))
    web, _ = signed_in("officer")
    html = home(web)
    assert 'id="minimum-alert-2011-10"' in html and 'id="minimum-alert-2011-11"' in html


def test_this_month_is_warned_on_leavers_already_dated(app, signed_in, minimum_of_three):
    add_clients(app, 2, strand="catch_convict", joined_on=date(2011, 4, 1))
    add_clients(app, 1, strand="resettle_rehabilitate", joined_on=date(2011, 4, 1), left_on=date(2011, 11, 29))
    web, _ = signed_in("manager")
    text = plain(web.get("/"))
    assert "October 2011 ended under" not in text  # 3 counted on 31 October
    assert ("On what is known today, November 2011 will end under the minimum: 2 clients counted against a "
            "minimum of 3 (leavers already dated are taken off).") in text
    assert 'href="/figures/months/2011-11"' in home(web)


def test_leaving_on_the_last_day_still_counts(app, signed_in, minimum_of_three):
    add_clients(app, 2, strand="catch_convict", joined_on=date(2011, 4, 1))
    add_clients(app, 1, strand="catch_convict", joined_on=date(2011, 4, 1), left_on=date(2011, 11, 30))
    web, _ = signed_in("manager")
    assert "minimum-alert" not in home(web)


def test_the_alert_follows_the_rule_of_each_month(app, signed_in, today):
    set_rule(app, date(2011, 4, 1), 3)
    set_rule(app, date(2011, 11, 1), 2)
    add_clients(app, 2, strand="catch_convict", joined_on=date(2011, 4, 1))
    web, _ = signed_in("manager")
    html = home(web)
    assert 'id="minimum-alert-2011-10"' in html and 'id="minimum-alert-2011-11"' not in html


def test_with_nobody_on_the_scheme_the_default_minimum_warns(app, signed_in, today):
    web, _ = signed_in("reviewer")
    text = plain(web.get("/"))
    assert "October 2011 ended under the minimum: 0 clients counted against a minimum of 70." in text
    assert "November 2011 will end under the minimum: 0 clients counted" in text
