"""offences.csv, unit_costs.csv and clients.csv's tier: each rule with its exact line, all or
nothing, offences in bulk, a unit cost replacing the type's, the one audit entry, the workbook and
the dry run (the upload page's part is in test_views.py); and imported offences give the
contract's reoffending figures."""
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from iom.audit.models import AuditEntry
from iom.clients.models import Client
from iom.clock import today_in_london
from iom.extensions import db
from iom.figures.reoffending import before_and_after
from iom.offending.models import Offence, OffenceUnitCost
from tests.builders import CLIENTS, csv_text, write_workbook

OFFENCES = "reference,offence_on,offence_type,outcome,crime_reference,alcohol_involved"
UNIT_COSTS = "offence_type,cost_gbp,price_year,source"
TIERED = CLIENTS + ",tier"
ALDER = "IOM-0001,Alder,Demo,05/04/1990,,catch_convict,ppo,2011-04-01,,,yes,North,Fixed"


def offending_rows(app) -> tuple[int, int]:
    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(Offence)),
                db.session.scalar(select(func.count()).select_from(OffenceUnitCost)))


def test_offences_unit_costs_and_tier_are_imported_with_one_audit_entry(accepts, app):
    result = accepts({
        "clients.csv": csv_text(TIERED, ALDER, "IOM-0002,Birch,Demo,,,catch_convict,,2011-04-01,,,,,"),
        "offences.csv": csv_text(OFFENCES, "IOM-0001,2011-03-02,Domestic_Burglary,convicted,CR/11/1234,yes",
                                 "IOM-0001,02/03/2011,shoplifting,,,", "IOM-0002,2012-01-05,robbery,charged,,NO"),
        "unit_costs.csv": csv_text(UNIT_COSTS, "shoplifting,£120.50,2015/16,Local retail survey",
                                   "drug_offence,300,2019-20,")})
    assert result.output.splitlines()[-2:] == ["      3 offences", "      2 unit costs of crime"]
    with app.app_context():
        assert db.session.execute(select(Client.reference, Client.tier).order_by(Client.reference)).tuples().all() \
            == [("IOM-0001", "fixed"), ("IOM-0002", None)]
        assert db.session.execute(
            select(Client.reference, Offence.offence_on, Offence.offence_type, Offence.outcome,
                   Offence.crime_reference, Offence.alcohol_involved, Offence.watch_entry_id)
            .join(Client, Client.id == Offence.client_id).order_by(Offence.id)).tuples().all() == [
            ("IOM-0001", date(2011, 3, 2), "domestic_burglary", "convicted", "CR/11/1234", "yes", None),
            ("IOM-0001", date(2011, 3, 2), "shoplifting", None, None, "unknown", None),
            ("IOM-0002", date(2012, 1, 5), "robbery", "charged", None, "no", None)]
        assert db.session.execute(select(OffenceUnitCost.offence_type, OffenceUnitCost.cost_gbp,
                                         OffenceUnitCost.price_year, OffenceUnitCost.source)
                                  .order_by(OffenceUnitCost.offence_type)).tuples().all() == [
            ("drug_offence", Decimal("300.00"), "2019-20", None),
            ("shoplifting", Decimal("120.50"), "2015-16", "Local retail survey")]
        entries = db.session.scalars(select(AuditEntry)).all()
        assert [entry.action for entry in entries] == ["caseload.imported"]
        changes = entries[0].changes
        assert changes["counts"][1]["offences"] == 3 and changes["counts"][1]["unit_costs"] == 2
        assert changes["unit_costs_gbp"][1] == {"shoplifting": [None, "120.50"], "drug_offence": [None, "300.00"]}
        assert "3 offences, 2 unit costs of crime" in entries[0].summary


def test_a_unit_cost_replaces_the_partnerships_earlier_figure(accepts, app):
    with app.app_context():
        db.session.add(OffenceUnitCost(offence_type="robbery", cost_gbp=Decimal("9000.00"), price_year="2015-16",
                                       source="Old figure"))
        db.session.commit()
    accepts({"unit_costs.csv": csv_text(UNIT_COSTS, "robbery,12000,2020-21,New survey")})
    with app.app_context():
        saved = db.session.get(OffenceUnitCost, "robbery")
        assert (saved.cost_gbp, saved.price_year, saved.source, saved.version) == (
            Decimal("12000.00"), "2020-21", "New survey", 2)
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "caseload.imported"))
        assert entry.changes["unit_costs_gbp"][1] == {"robbery": ["9000.00", "12000.00"]}


def test_every_offending_rule_has_its_line_and_nothing_is_written(refuses, existing_client, app):
    existing_client("SAVED-1")
    with app.app_context():
        db.session.execute(db.update(Client).where(Client.reference == "SAVED-1")
                           .values(date_of_birth=date(1995, 6, 1)))
        db.session.commit()
    tomorrow = (today_in_london() + timedelta(days=1)).isoformat()
    lines = refuses({
        "clients.csv": csv_text(TIERED, ALDER, "IOM-0002,Birch,Demo,,,catch_convict,,2011-04-01,,,,,gold"),
        "offences.csv": csv_text(
            OFFENCES,
            f"IOM-0001,{tomorrow},robbery,,,",
            "IOM-0001,1990-04-04,robbery,,,",
            "SAVED-1,1995-05-31,robbery,,,",
            "IOM-0001,2011-05-01,burglary,jailed,,maybe",
            f"IOM-0001,2011-05-01,robbery,,{'X' * 41},",
            "NOPE-1,2011-05-01,robbery,,,",
            "IOM-0001,,,,,",
            "IOM-0002,31/02/2011,other,other,,"),
        "unit_costs.csv": csv_text(
            UNIT_COSTS, "robbery,0,2015-16,", "burglary,-5,2015-16,", "shoplifting,abc,15-16,",
            "other,1.234,2015-17,", "criminal_damage,20000000,1989-90,", "robbery,10,2015-16,", ",,,Someone's figure")})
    assert lines == [
        "clients.csv:3: tier: 'gold' is not a cohort tier: use fixed, flex or free",
        f"offences.csv:2: offence_on: '{tomorrow}' is in the future: the date an offence was committed must be "
        "today or earlier",
        "offences.csv:3: offence_on: '1990-04-04' is before IOM-0001's date of birth (1990-04-05): check the date "
        "the offence was committed, or the date of birth",
        "offences.csv:4: offence_on: '1995-05-31' is before SAVED-1's date of birth (1995-06-01): check the date "
        "the offence was committed, or the date of birth",
        "offences.csv:5: offence_type: 'burglary' is not an offence type: use domestic_burglary, "
        "non_domestic_burglary, robbery, theft_of_vehicle, theft_from_vehicle, vehicle_interference, "
        "theft_from_person, shoplifting, other_theft, violence_with_injury, violence_without_injury, "
        "criminal_damage, drug_offence, public_order, breach or other",
        "offences.csv:5: outcome: 'jailed' is not an outcome: use convicted, cautioned, charged or other",
        "offences.csv:5: alcohol_involved: 'maybe' is not an answer the service knows: use yes, no or unknown",
        "offences.csv:6: crime_reference: is 41 characters long: it can be at most 40 characters",
        "offences.csv:7: reference: 'NOPE-1' is not a client in the database or in clients.csv of this import: "
        "check the reference, or add the client's rows to clients.csv",
        "offences.csv:8: offence_on: is empty: enter the date the offence was committed",
        "offences.csv:8: offence_type: is empty: enter the type of offence (one of the codes listed in the help)",
        "offences.csv:9: offence_on: '31/02/2011' is not a real date",
        "unit_costs.csv:2: cost_gbp: '0' is not more than £0: the cost of one offence must be more than £0",
        "unit_costs.csv:3: offence_type: 'burglary' is not an offence type: use domestic_burglary, "
        "non_domestic_burglary, robbery, theft_of_vehicle, theft_from_vehicle, vehicle_interference, "
        "theft_from_person, shoplifting, other_theft, violence_with_injury, violence_without_injury, "
        "criminal_damage, drug_offence, public_order, breach or other",
        "unit_costs.csv:3: cost_gbp: '-5' is not more than £0: the cost of one offence must be more than £0",
        "unit_costs.csv:4: cost_gbp: 'abc' is not an amount of money: write pounds and pence, like 70 or 70.50",
        "unit_costs.csv:4: price_year: '15-16' is not a price year: write the financial year the cost is priced "
        "in as YYYY-YY, for example 2015-16",
        "unit_costs.csv:5: cost_gbp: '1.234' has more than 2 numbers after the decimal point: give pounds and "
        "pence, like 70.50",
        "unit_costs.csv:5: price_year: '2015-17' is not a price year: write the financial year the cost is priced "
        "in as YYYY-YY, for example 2015-16",
        "unit_costs.csv:6: cost_gbp: '20000000' is more than £10,000,000.00, the most the service accepts for the "
        "cost of one offence: check the amount",
        "unit_costs.csv:6: price_year: '1989-90' is not a price year: write the financial year the cost is priced "
        "in as YYYY-YY, for example 2015-16",
        "unit_costs.csv:7: offence_type: 'robbery' is also on row 2: an offence type has one cost, so keep one of "
        "the rows",
        "unit_costs.csv:8: offence_type: is empty: enter the type of offence (one of the codes listed in the help)",
        "unit_costs.csv:8: cost_gbp: is empty: enter the cost of one offence of this type, in pounds and pence",
        "unit_costs.csv:8: price_year: is empty: enter the financial year the cost is priced in, as YYYY-YY (for "
        "example 2015-16)",
    ]
    assert offending_rows(app) == (0, 0)


def test_offences_as_workbook_sheets_with_date_cells(tmp_path, run_import, app):
    write_workbook(tmp_path / "book.xlsx", {
        "clients": [CLIENTS.split(","), ["IOM-0001", "Alder", "Demo", date(1990, 4, 5), "", "catch_convict", "",
                                         date(2011, 4, 1)]],
        "Offences": [OFFENCES.split(","), ["IOM-0001", date(2011, 3, 2), "robbery", "", 20110302, "No"]],
        "unit_costs.csv": [UNIT_COSTS.split(","), ["robbery", 11320, "2015-16", "Home Office"]],
    })
    result = run_import(tmp_path / "book.xlsx")
    assert result.exit_code == 0, result.output
    with app.app_context():
        offence = db.session.scalar(select(Offence))
        assert (offence.offence_on, offence.crime_reference, offence.alcohol_involved) == (
            date(2011, 3, 2), "20110302", "no")
        # Excel turns a typed 2015-12 into 1 December 2015; read back as it was typed: not a price year
    write_workbook(tmp_path / "bad.xlsx", {"unit_costs": [UNIT_COSTS.split(","), ["robbery", 5, date(2015, 12, 1)]]})
    refused = run_import(tmp_path / "bad.xlsx")
    assert refused.exit_code == 1
    assert "unit_costs:2: price_year: '2015-12' is not a price year" in refused.stderr


def test_a_dry_run_names_the_offences_and_writes_nothing(write_files, run_import, app):
    folder = write_files({"clients.csv": csv_text(TIERED, ALDER),
                          "offences.csv": csv_text(OFFENCES, "IOM-0001,2011-03-02,robbery,,,")})
    result = run_import(folder, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "      1 offence" in result.output.splitlines()
    assert "unit cost" not in result.output          # named only when the import has some
    assert offending_rows(app) == (0, 0)


def test_offences_are_written_in_bulk(write_files, run_import, count_queries, app):
    clients = [f"IOM-{n:04d},Given{n},Demo,,,catch_convict,,2011-04-01,,,," for n in range(1, 301)]
    offences = [f"IOM-{n % 300 + 1:04d},2011-{n % 12 + 1:02d}-01,shoplifting,,," for n in range(3000)]
    folder = write_files({"clients.csv": csv_text(CLIENTS, *clients), "offences.csv": csv_text(OFFENCES, *offences)})
    with count_queries() as counter:
        result = run_import(folder)
    assert result.exit_code == 0, result.output
    inserts = [s for s in counter.statements if "INSERT INTO OFFENCE " in s.upper().replace('"', "")]
    assert 1 <= len(inserts) <= 6, len(inserts)      # 3,000 offences: a few multi-row statements
    assert offending_rows(app) == (3000, 0)


def test_imported_offences_give_the_contracts_reoffending_figures(accepts, app):
    """The cohort of tests/figures/test_reoffending.py, brought in as files: the same figures to the
    day, and the imported unit cost in the cost of crime."""
    accepts({
        "clients.csv": csv_text(TIERED, "R1,Test,R1,,,catch_convict,ppo,2011-06-01,,,,,fixed",
                                "R2,Test,R2,,,prevent_deter,dip,2010-01-01,2010-06-30,other,,,",
                                "R2,Test,R2,,,resettle_rehabilitate,dip,2011-09-01,2011-10-31,other,,,",
                                "R2,Test,R2,,,catch_convict,dip,2011-12-01,,,,,",
                                "R3,Test,R3,,,catch_convict,ppo,2012-03-31,,,,,",
                                "R4,Test,R4,,,catch_convict,ppo,2012-04-01,,,,,"),
        "custody.csv": csv_text("reference,status,from_date", "R1,custody,2011-01-01", "R1,community,2011-03-01",
                                "R1,remand,2012-05-20", "R2,custody,2009-01-01", "R2,community,2010-09-02"),
        "offences.csv": csv_text(OFFENCES, "R1,2010-05-31,robbery,,,", "R1,2010-06-01,domestic_burglary,,,",
                                 "R1,2011-05-31,shoplifting,,,", "R1,2011-06-01,robbery,,,",
                                 "R1,2012-05-30,theft_from_person,,,", "R1,2012-05-31,other,,,"),
        "unit_costs.csv": csv_text(UNIT_COSTS, "shoplifting,120.50,2015-16,Local retail survey")})
    with app.app_context():
        result = before_and_after(date(2011, 4, 1), date(2012, 3, 31), today=date(2012, 9, 1)).as_json()
    assert (result["clients"], result["not_yet_a_year"]) == (3, 1)
    assert result["before"] == {"clients": 2, "offences": 2, "clients_offending": 1, "serious_acquisitive": 1,
                                "neighbourhood": 1, "days_at_risk": 670, "per_100_years_at_risk": 109.0,
                                "cost_gbp": "6050.50"}
    assert result["after"] == {"clients": 2, "offences": 2, "clients_offending": 1, "serious_acquisitive": 1,
                               "neighbourhood": 2, "days_at_risk": 719, "per_100_years_at_risk": 101.5,
                               "cost_gbp": "12700.00"}
