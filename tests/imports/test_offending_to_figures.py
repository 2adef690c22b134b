"""Issue 12's "done when": an import with offences.csv and unit_costs.csv, then `reoffending --json`
and `monthly-check --json` give the contract's figures to the day (windows, days at risk, rounding).
Worked by hand in the comments; runs on SQLite and PostgreSQL."""
import json

CLIENTS = """\
    reference,given_name,family_name,date_of_birth,pnc_id,strand,programme,joined_on,left_on,exit_reason,alcohol_related,ward
    R1,Ann,One,1980-01-01,,catch_convict,ppo,2011-06-01,,,yes,
    R2,Bob,Two,,,prevent_deter,dip,2010-01-01,2010-06-30,other,unknown,
    R2,Bob,Two,,,resettle_rehabilitate,dip,01/09/2011,31/10/2011,completed,unknown,
    R2,Bob,Two,,,catch_convict,dip,2011-12-01,,,unknown,
    R3,Cat,Three,1990-05-05,,catch_convict,other,2012-03-31,,,no,
    R4,Dan,Four,,,catch_convict,other,2012-04-01,,,no,
    """
CUSTODY = """\
    reference,status,from_date
    R1,custody,2011-01-01
    R1,community,2011-03-01
    R1,remand,2012-05-20
    R2,custody,2009-01-01
    R2,community,2010-09-02
    """
# R1 is adopted on 1 June 2011: before = 1 June 2010 to 31 May 2011, after = 1 June 2011 to 30 May 2012.
# R2 on 1 September 2011 (the earliest joined_on in the range, not 1 December); R3 on 31 March 2012.
OFFENCES = """\
    reference,offence_on,offence_type,outcome,crime_reference
    R1,2010-05-31,robbery,convicted,CR/1
    R1,2010-06-01,domestic_burglary,convicted,CR/2
    R1,2011-05-31,shoplifting,cautioned,
    R1,2011-06-01,robbery,charged,CR/4
    R1,2011-10-05,robbery,,
    R1,06/10/2011,shoplifting,other,
    R1,2012-05-30,theft_from_person,,
    R1,2012-05-31,other,,
    R2,2011-10-31,domestic_burglary,convicted,
    R3,2011-10-10,theft_of_vehicle,convicted,
    """
UNIT_COSTS = """\
    offence_type,cost_gbp,price_year
    shoplifting,150.00,2015-16
    """
SAC = """\
    month,serious_acquisitive_crimes
    2011-04,122
    2011-10,81
    """


def test_import_then_the_contracts_figures(write_files, run_import, runner):
    folder = write_files({"clients.csv": CLIENTS, "custody.csv": CUSTODY, "offences.csv": OFFENCES,
                          "unit_costs.csv": UNIT_COSTS, "sac.csv": SAC})
    imported = run_import(folder)
    assert imported.exit_code == 0, imported.output

    result = runner.invoke(args=["reoffending", "--from", "2011-04-01", "--to", "2012-03-31", "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert {key: figures[key] for key in ("from", "to", "clients", "not_yet_a_year")} == {
        "from": "2011-04-01", "to": "2012-03-31", "clients": 3, "not_yet_a_year": 0}
    # before: R1 burglary and shoplifting (£5,930 + the partnership's £150), 306 days at risk (59 in custody);
    # R2 none, 364 days (in custody on 1 September 2010); R3 a vehicle theft (£10,290), 365 days
    assert figures["before"] == {"clients": 3, "offences": 3, "clients_offending": 2, "serious_acquisitive": 2,
                                 "neighbourhood": 2, "days_at_risk": 1035, "per_100_years_at_risk": 105.8,
                                 "cost_gbp": "16370.00"}
    # after: R1 two robberies, a shoplifting and a theft from the person, 354 days (11 on remand);
    # R2 a burglary, 365 days; R3 none, 365 days. 5 x 36,500 / 1,084 = 168.36
    assert figures["after"] == {"clients": 3, "offences": 5, "clients_offending": 2, "serious_acquisitive": 3,
                                "neighbourhood": 4, "days_at_risk": 1084, "per_100_years_at_risk": 168.4,
                                "cost_gbp": "30100.00"}

    month = runner.invoke(args=["monthly-check", "--month", "2011-10", "--json"])
    assert month.exit_code == 3, month.output
    # on 31 October 2011: R1, and R2 on their leaving day. Serious acquisitive offences in October by
    # someone on the scheme that day: R1's robbery on the 5th and R2's burglary on the 31st (not R3's
    # vehicle theft: R3 was not yet on the scheme; not R1's shoplifting: not serious acquisitive)
    assert json.loads(month.output) == {"month": "2011-10", "on_scheme": 2, "counted_for_minimum": 2,
                                        "in_custody_or_remand": 0, "minimum": 70, "minimum_met": False,
                                        "serious_acquisitive_crimes": 81, "cohort_serious_acquisitive_offences": 2}
