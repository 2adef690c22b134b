"""The rules the import shares with the pages: one pure function each, in the area that owns it,
answering the same for both; and what sharing them put right in the import."""
from datetime import date, timedelta
from decimal import Decimal

import pytest

from iom.clients.rules import (REASON_MISSING, REASON_UNKNOWN, REASON_WITHOUT_LEAVING, exit_reason_problem,
                               left_before_joined, periods_overlap)
from iom.clock import today_in_london
from iom.custody.rules import change_on_day
from iom.extensions import db
from iom.money import amount_problems
from iom.offending.rules import OFFENCE_BEFORE_BIRTH, OFFENCE_IN_FUTURE, offence_date_problem
from iom.payments.models import SupportPayment
from iom.payments.rules import budget_covers, goes_over_budget
from iom.referrals.rules import (CLOSED_BEFORE_REFERRED, CLOSED_ON_FUTURE, CLOSED_ON_MISSING, CLOSED_ON_NOT_CLOSED,
                                 closing_problem)
from tests.builders import CLIENTS, PAYMENTS, REFERRALS, csv_text

DAY = date(2011, 6, 1)


@pytest.mark.parametrize("reason, has_left, problem", [
    (None, False, None), ("completed", True, None), (None, True, REASON_MISSING), ("", True, REASON_MISSING),
    ("completed", False, REASON_WITHOUT_LEAVING), ("bored", False, REASON_WITHOUT_LEAVING),
    ("bored", True, REASON_UNKNOWN)])
def test_an_exit_reason_is_given_exactly_with_a_leaving_day(reason, has_left, problem):
    assert exit_reason_problem(reason, has_left=has_left) == problem


def test_periods_and_their_days():
    assert left_before_joined(DAY, DAY - timedelta(days=1))
    assert not left_before_joined(DAY, DAY) and not left_before_joined(DAY, None) and not left_before_joined(None, DAY)
    june = (date(2011, 6, 1), date(2011, 6, 30))
    assert periods_overlap(*june, date(2011, 6, 30), None)          # the leaving day counts
    assert not periods_overlap(*june, date(2011, 7, 1), None)
    assert periods_overlap(date(2011, 1, 1), None, *june)           # an open period runs on
    assert periods_overlap(date(2011, 7, 1), None, date(2011, 5, 1), None)


@pytest.mark.parametrize("status, closed_on, given, problem", [
    ("completed", None, None, CLOSED_ON_MISSING), ("open", DAY, None, CLOSED_ON_NOT_CLOSED),
    ("open", None, True, CLOSED_ON_NOT_CLOSED), ("declined", DAY - timedelta(days=1), None, CLOSED_BEFORE_REFERRED),
    ("withdrawn", date(2999, 1, 1), None, CLOSED_ON_FUTURE), ("completed", DAY, None, None), ("open", None, None, None),
    ("completed", None, True, None), (None, DAY - timedelta(days=1), None, CLOSED_BEFORE_REFERRED)])
def test_a_date_closed_goes_with_a_closing_status(status, closed_on, given, problem):
    assert closing_problem(status, closed_on, DAY, today=date(2012, 1, 1), closed_given=given) == problem


def test_one_custody_change_a_day_and_the_budget():
    assert change_on_day({DAY: "remand"}, DAY) == "remand" and change_on_day({DAY: "remand"}, date(2011, 6, 2)) is None
    assert goes_over_budget(Decimal("1000"), Decimal("999.99"), Decimal("0.02"))
    assert not goes_over_budget(Decimal("1000"), Decimal("999.99"), Decimal("0.01"))
    assert budget_covers(Decimal("10"), Decimal("10")) and not budget_covers(Decimal("9.99"), Decimal("10"))


@pytest.mark.parametrize("amount, problems", [
    ("70.500", []), ("70.5", []), ("0", ["too_small"]), ("-1.234", ["too_small", "too_precise"]),
    ("100000.01", ["too_large"]), ("1" + "0" * 40, ["too_large"]), ("1." + "0" * 40 + "1", ["too_precise"])])
def test_amount_problems_are_exact_for_any_length(amount, problems):
    assert amount_problems(Decimal(amount)) == problems


def test_an_offence_day_is_not_ahead_nor_before_birth():
    born = date(1990, 4, 5)
    assert offence_date_problem(date(2999, 1, 1), today=DAY, date_of_birth=born) == OFFENCE_IN_FUTURE
    assert offence_date_problem(date(1990, 4, 4), today=DAY, date_of_birth=born) == OFFENCE_BEFORE_BIRTH
    assert offence_date_problem(born, today=DAY, date_of_birth=born) is None
    assert offence_date_problem(date(1900, 1, 1), today=DAY, date_of_birth=None) is None


# --- what the import gained from sharing them -------------------------------------------------------------

def test_an_unknown_exit_reason_without_a_leaving_day_is_two_lines_not_a_crash(refuses):
    lines = refuses({"clients.csv": csv_text(CLIENTS, "IOM-0007,Gorse,Demo,,,prevent_deter,,2011-04-01,,bored,,")})
    assert lines == [
        "clients.csv:2: exit_reason: 'bored' is not an exit reason: use completed, desisted, moved_away, deselected, "
        "transferred, deceased or other",
        "clients.csv:2: exit_reason: 'bored' is given, but left_on is empty: enter the day the client left, or "
        "empty this cell if they are still on the scheme",
    ]


def test_a_referral_cannot_be_made_or_closed_in_the_future(refuses):
    ahead = (today_in_london() + timedelta(days=1)).isoformat()
    lines = refuses({"clients.csv": csv_text(CLIENTS, "IOM-0001,Alder,Demo,,,catch_convict,,2011-04-01,,,,"),
                     "referrals.csv": csv_text(REFERRALS, f"IOM-0001,housing,{ahead},,open,",
                                               f"IOM-0001,housing,2011-05-01,,completed,{ahead}")})
    assert lines == [
        f"referrals.csv:2: referred_on: '{ahead}' is in the future: the date a referral was made must be today or "
        "earlier",
        f"referrals.csv:3: closed_on: '{ahead}' is in the future: the date a referral closed must be today or "
        "earlier",
    ]


def test_an_amount_is_judged_by_its_value_as_the_pages_judge_it(accepts, app):
    accepts({"clients.csv": csv_text(CLIENTS, "IOM-0001,Alder,Demo,,,catch_convict,,2011-04-01,,,,"),
             "payments.csv": csv_text(PAYMENTS, "IOM-0001,2011-06-01,70.500,Bus fare")})
    with app.app_context():
        assert db.session.scalar(db.select(SupportPayment.amount_gbp)) == Decimal("70.50")
