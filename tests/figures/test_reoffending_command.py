"""`reoffending`: the contract's JSON for a cohort worked by hand (tests/figures/conftest.py), the
plain-text table with its caveats, exit 1 and nothing written for a missing or badly written date
or FROM after TO, and the run audited."""
import json
from datetime import date

import pytest

from iom.audit.models import AuditEntry
from iom.figures.reoffending_table import CAVEATS
from tests.builders import audit_entries, count
from tests.figures.conftest import CONTRACT_JSON, CONTRACT_TODAY


def run(runner, *args):
    return runner.invoke(args=["reoffending", *args])


def test_the_json_is_the_contracts_object_figure_for_figure(contract_cohort, runner, today):
    today(CONTRACT_TODAY)
    result = run(runner, "--from", "2011-04-01", "--to", "2012-03-31", "--json")
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert list(printed)[:6] == ["from", "to", "clients", "not_yet_a_year", "before", "after"]
    assert {key: printed[key] for key in CONTRACT_JSON} == CONTRACT_JSON
    assert list(printed["before"]) == list(CONTRACT_JSON["before"])  # the contract's order
    assert list(printed) == [*CONTRACT_JSON, "by"]


def test_the_breakdowns_add_up_to_the_cohort(contract_cohort, runner, today):
    today(CONTRACT_TODAY)
    by = json.loads(run(runner, "--from", "2011-04-01", "--to", "2012-03-31", "--json").output)["by"]
    for name, groups in by.items():
        for window in ("before", "after"):
            for figure in ("clients", "offences", "clients_offending", "days_at_risk"):
                assert sum(group[window][figure] for group in groups.values()) == CONTRACT_JSON[window][figure], \
                    (name, window, figure)
    # C06 was first adopted onto prevent and deter in 2009, but counts under the strand that adopted them
    # in the range; C07, adopted twice in it, counts once under the first period's strand
    assert by["strand"]["catch_convict"]["clients"] == 6 and by["strand"]["prevent_deter"]["clients"] == 2
    assert by["tier"]["fixed"]["before"] == {"clients": 3, "offences": 10, "clients_offending": 3,
                                             "serious_acquisitive": 4, "neighbourhood": 5,
                                             "days_at_risk": 895, "per_100_years_at_risk": 407.8,
                                             "cost_gbp": "25100.00"}


def test_a_client_whose_year_has_not_ended_is_left_out(contract_cohort, runner, today):
    today(date(2013, 3, 30))  # C12's year after adoption ends today: not yet over
    printed = json.loads(run(runner, "--from", "2011-04-01", "--to", "2012-03-31", "--json").output)
    assert (printed["clients"], printed["not_yet_a_year"], printed["before"]["clients"]) == (12, 1, 11)
    # C12 had 365 days at risk before adoption and none after (in custody all year)
    assert (printed["before"]["days_at_risk"], printed["after"]["days_at_risk"]) == (3650 - 365, 3285)


def test_uk_dates_are_taken_too(contract_cohort, runner, today):
    today(CONTRACT_TODAY)
    printed = json.loads(run(runner, "--from", "1/4/2011", "--to", "31/03/2012", "--json").output)
    assert {key: printed[key] for key in CONTRACT_JSON} == CONTRACT_JSON


def test_without_json_a_table_of_before_after_and_change_and_the_caveats(contract_cohort, runner, today):
    today(CONTRACT_TODAY)
    result = run(runner, "--from", "2011-04-01", "--to", "2012-03-31")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert "Clients adopted from 1 April 2011 to 31 March 2012, as recorded on 1 June 2013" in lines
    row = {line[:38].strip(): line[38:].split() for line in lines if line[:38].strip()}
    assert row["Offences"] == ["30", "13", "-17"]
    assert row["Clients who offended"] == ["9", "6", "-3"]
    assert row["Days at risk (in the community)"] == ["3,650", "3,285", "-365"]
    assert row["Offences per 100 years at risk"] == ["300.0", "144.4", "-155.6"]
    assert row["Cost of crime"] == ["£81,340.00", "£30,210.00", "-£51,130.00"]
    assert any(line.startswith("Catch and convict (small)") for line in lines)
    assert [line.split() for line in lines if line.startswith("Not set")] == [["Not", "set", "(small)", "4", "6", "->",
                                                                             "2", "169.1", "->", "78.5"]]
    for caveat in CAVEATS:
        assert f"- {caveat}" in lines
    assert "regression to the mean" in result.output and "not a controlled comparison" in result.output


def test_the_run_is_audited_without_a_name(contract_cohort, runner, today):
    today(CONTRACT_TODAY)
    run(runner, "--from", "2011-04-01", "--to", "2012-03-31", "--json")
    entry, = audit_entries(contract_cohort, "figures.checked")
    assert (entry.subject_type, entry.subject_id) == ("reoffending", "2011-04-01/2012-03-31")
    assert entry.actor_label == "system (command line)" and entry.changes["clients"] == [None, 12]


@pytest.mark.parametrize(("args", "words"), [
    ((), "give --from as a date, YYYY-MM-DD"),
    (("--from", "2011-04-01"), "give --to as a date, YYYY-MM-DD"),
    (("--to", "2012-03-31"), "give --from as a date"),
    (("--from", "", "--to", "2012-03-31"), "give --from as a date"),
    (("--from", "2011-02-30", "--to", "2012-03-31"), "--from '2011-02-30' is not a real date"),
    (("--from", "2011-04-01", "--to", "31/02/2012"), "--to '31/02/2012' is not a real date"),
    (("--from", "2011-13-01", "--to", "2012-03-31"), "is not a real date"),
    (("--from", "2011-4-1", "--to", "2012-03-31"), "--from '2011-4-1' is not a date: write it as YYYY-MM-DD"),
    (("--from", "April 2011", "--to", "2012-03-31"), "is not a date: write it as YYYY-MM-DD, for example 2011-04-01"),
    (("--from", "2011-04-01", "--to", "２０１２-03-31"), "is not a date"),  # full-width digits
    (("--from", "0001-01-01", "--to", "2012-03-31"), "use a year from 1900 to 9998"),
    (("--from", "2011-04-01\x00", "--to", "2012-03-31"), "is not a date"),
    (("--from", "9" * 5000, "--to", "2012-03-31"), "…' is not a date"),
    (("--from", "2012-04-01", "--to", "2012-03-31"),
     "--from 2012-04-01 is after --to 2012-03-31: give a first day on or before the last day"),
])
def test_bad_dates_exit_1_with_a_clear_message_and_write_nothing(app, runner, args, words):
    result = run(runner, *args, "--json")
    assert result.exit_code == 1
    assert words in result.output and result.output.startswith("Error: ")
    assert "9" * 30 not in result.output
    assert count(app, AuditEntry) == 0


def test_one_day_is_a_range(contract_cohort, runner, today):
    today(CONTRACT_TODAY)
    printed = json.loads(run(runner, "--from", "2011-04-01", "--to", "2011-04-01", "--json").output)
    assert printed["clients"] == 1 and printed["before"]["offences"] == 4 and printed["after"]["offences"] == 2
