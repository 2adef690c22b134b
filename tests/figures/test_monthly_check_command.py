"""`monthly-check`: the contract's JSON keys and exit codes (0 met, 3 below, 1 error)."""
import json
from datetime import date

from iom.figures.models import SacCount, SchemeRule
from iom.extensions import db
from tests.builders import client


def test_below_minimum_exits_3_with_the_contract_json(app, runner):
    with app.app_context():
        client("A", [("catch_convict", date(2011, 4, 1), None)], custody=[("remand", date(2011, 10, 31))])
        db.session.add(SacCount(month=date(2011, 10, 1), crimes=81))
        db.session.commit()
    result = runner.invoke(args=["monthly-check", "--month", "2011-10", "--json"])
    assert result.exit_code == 3
    assert json.loads(result.output) == {"month": "2011-10", "on_scheme": 1, "counted_for_minimum": 1,
                                         "in_custody_or_remand": 1, "minimum": 70, "minimum_met": False,
                                         "serious_acquisitive_crimes": 81, "cohort_serious_acquisitive_offences": 0}


def test_minimum_met_exits_0(app, runner):
    with app.app_context():
        db.session.add(SchemeRule(effective_from=date(2011, 4, 1), minimum_cohort=1,
                                  counted_strands="catch_convict,resettle_rehabilitate"))
        client("A", [("resettle_rehabilitate", date(2011, 4, 1), None)])
        db.session.commit()
    result = runner.invoke(args=["monthly-check", "--month", "2011-10", "--json"])
    assert result.exit_code == 0 and json.loads(result.output)["minimum_met"] is True
    assert json.loads(result.output)["serious_acquisitive_crimes"] is None
    text = runner.invoke(args=["monthly-check", "--month", "2011-10"])
    assert text.exit_code == 0 and "not recorded" in text.output and "Minimum met:" in text.output


def test_a_bad_month_exits_1_with_a_clear_message(app, runner):
    for bad in ("2011-13", "October", "2011/10", ""):
        result = runner.invoke(args=["monthly-check", "--month", bad])
        assert result.exit_code == 1, bad
        assert "write it as YYYY-MM" in result.output


def test_the_check_is_audited(app, runner):
    from sqlalchemy import select

    from iom.audit.models import AuditEntry
    runner.invoke(args=["monthly-check", "--month", "2011-10"])
    with app.app_context():
        assert db.session.scalar(select(AuditEntry.action)) == "figures.checked"


def test_no_month_or_a_month_not_yet_started_exits_1(app, runner):
    from iom.figures.months import add_months
    from iom.clock import today_in_london
    assert runner.invoke(args=["monthly-check"]).exit_code == 1
    next_month = add_months(today_in_london().replace(day=1), 1).strftime("%Y-%m")
    result = runner.invoke(args=["monthly-check", "--month", next_month])
    assert result.exit_code == 1 and "has not started yet" in result.output
    this_month = today_in_london().strftime("%Y-%m")
    assert runner.invoke(args=["monthly-check", "--month", this_month]).exit_code in (0, 3)
