"""No cell of any size or character makes the offending files (or clients.csv's tier) crash the
check: each is either read or refused with a FILE:ROW: column: line."""
import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iom.extensions import db
from iom.imports.operations import check_import
from iom.imports.reading import read_named_files
from tests.builders import CLIENTS

NASTY = ["", " ", "\x00", "\x1b[2J", "\r\n", "a\tb", "\u202e\ufeff", "9" * 20, "-" + "9" * 30,
         "99999999999999999999.99", "-1", "0", "1e400", "NaN", "Infinity", "１２", "٣", "2015-16", "2015/16",
         "31/02/2011", "2011-04-01", "x" * 5_000, "'; DROP TABLE offence; --", "=1+1", "robbery", "£-0.00"]
cells = st.one_of(st.sampled_from(NASTY), st.text(max_size=60))


def as_csv(header: str, row: list[str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header.split(","))
    writer.writerow(row)
    return buffer.getvalue().encode("utf-8", "surrogatepass")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(offence=st.lists(cells, min_size=6, max_size=6), cost=st.lists(cells, min_size=4, max_size=4),
       tier=cells)
def test_no_offending_cell_breaks_the_check(app, offence, cost, tier):
    files = [
        ("clients.csv", as_csv(CLIENTS + ",tier", ["IOM-0001", "Alder", "Demo", "1990-04-05", "", "catch_convict", "",
                                                   "2011-04-01", "", "", "", "", tier])),
        ("offences.csv", as_csv("reference,offence_on,offence_type,outcome,crime_reference,alcohol_involved",
                                ["IOM-0001", *offence[1:]])),
        ("unit_costs.csv", as_csv("offence_type,cost_gbp,price_year,source", cost)),
    ]
    with app.app_context():
        plan = check_import(read_named_files(files))
        db.session.rollback()
    for fault in plan.faults:
        assert str(fault).startswith(fault.file + ":")
    if plan.is_valid:
        assert len(plan.offences) == 1 and len(plan.unit_costs) == 1
