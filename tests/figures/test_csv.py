"""The CSV download of the year's table: UTF-8 with a byte-order mark, ISO months and dates, empty
cells for counts not recorded, cells that could run as spreadsheet formulas defused, audited."""
import csv
import io
from datetime import date, datetime, timezone

import pytest

from iom.auth.models import User
from iom.figures.exports import HEADER, safe_cell
from iom.figures.models import MonthClosure
from iom.extensions import db
from tests.builders import APR, OCT, SEP, add_clients, audit_entries, set_rule, set_sac


@pytest.fixture
def manager(signed_in, today):
    return signed_in("manager")


def download(web, year="2011-12"):
    response = web.get("/figures/monthly.csv", query_string={"year": year})
    assert response.status_code == 200
    return response


def read(response) -> list[dict]:
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert "\r\n" in text
    return list(csv.DictReader(io.StringIO(text)))


def test_the_download_is_the_years_table(app, manager):
    web, _ = manager
    set_rule(app, date(2011, 10, 1), 3, "catch_convict")
    add_clients(app, 3, strand="catch_convict")
    add_clients(app, 2, strand="prevent_deter", joined_on=date(2011, 9, 1))
    set_sac(app, OCT, 81)
    set_sac(app, SEP, 0)

    response = download(web)
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="monthly-figures-2011-12.csv"'
    assert response.headers["Cache-Control"] == "no-store"
    rows = read(response)
    assert list(rows[0]) == HEADER
    assert [row["month"] for row in rows] == ["2011-04", "2011-05", "2011-06", "2011-07", "2011-08", "2011-09",
                                              "2011-10", "2011-11", "2011-12", "2012-01", "2012-02", "2012-03"]
    october = rows[6]
    assert october == {
        "month": "2011-10", "taken_on": "2011-10-31", "status": "open", "on_scheme": "5",
        "counted_for_minimum": "3", "in_custody_or_remand": "0", "minimum": "3", "minimum_met": "yes",
        "serious_acquisitive_crimes": "81", "clients_per_sac": "0.06", "sac_per_10_clients": "162.0", "counted_strands": "catch_convict",
        "closed_on": "", "closed_by": "", "closed_on_scheme": "", "closed_counted_for_minimum": "",
        "closed_in_custody_or_remand": "", "closed_minimum": "", "closed_minimum_met": "",
        "closed_serious_acquisitive_crimes": "", "cohort_serious_acquisitive_offences": "0",
        "cohort_share_of_sac_percent": "0.0"}
    september = rows[5]
    assert (september["serious_acquisitive_crimes"], september["clients_per_sac"]) == ("0", "")
    assert (september["minimum"], september["minimum_met"]) == ("70", "no")
    assert september["counted_strands"] == "catch_convict;resettle_rehabilitate"
    assert rows[4]["serious_acquisitive_crimes"] == ""  # August: not recorded is empty, never 0
    assert rows[7]["status"] == "in_progress" and rows[7]["on_scheme"] == "5"
    assert rows[8]["status"] == "not_started" and rows[8]["on_scheme"] == "" and rows[8]["minimum"] == "3"
    assert rows[11]["taken_on"] == "2012-03-31"


def test_the_download_is_audited_as_an_export(app, manager):
    web, user_id = manager
    download(web, "2010-11")
    [entry] = audit_entries(app, "figures.exported")
    assert (entry.subject_type, entry.subject_id, entry.actor_id) == ("financial_year", "2010-11", user_id)
    assert entry.changes == {"format": [None, "csv"], "rows": [None, 12]}


def test_closed_months_carry_what_was_reported_and_formula_text_is_defused(app, manager):
    web, _ = manager
    with app.app_context():
        closer = User(username="eq", display_name="=HYPERLINK(\"http://x\",\"y\")", role="manager",
                      password_hash="x")
        db.session.add(closer)
        db.session.flush()
        db.session.add(MonthClosure(month=APR, on_scheme=4, counted_for_minimum=3, in_custody_or_remand=1,
                                    minimum=70, minimum_met=False, serious_acquisitive_crimes=None,
                                    closed_at=datetime(2011, 5, 31, 23, 30, tzinfo=timezone.utc),
                                    closed_by_id=closer.id))
        db.session.commit()
    april = read(download(web))[0]
    assert april["status"] == "closed"
    assert april["closed_on"] == "2011-06-01"  # 00:30 on 1 June in London (BST)
    assert april["closed_by"] == "'=HYPERLINK(\"http://x\",\"y\")"
    assert (april["closed_on_scheme"], april["closed_counted_for_minimum"], april["closed_in_custody_or_remand"],
            april["closed_minimum"], april["closed_minimum_met"], april["closed_serious_acquisitive_crimes"]) == \
        ("4", "3", "1", "70", "no", "")
    assert april["on_scheme"] == "0"  # and what the records say now


@pytest.mark.parametrize("value, cell", [
    ("=1+2", "'=1+2"), ("+44 1632", "'+44 1632"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("plain", "plain"), ("a=b", "a=b"),
    (None, ""), (True, "yes"), (False, "no"), (0, "0"), (81, "81"),
])
def test_cells_are_written_safely(value, cell):
    assert safe_cell(value) == cell
