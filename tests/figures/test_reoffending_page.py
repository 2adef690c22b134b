"""The managers' page of offending before and after adoption (/figures/reoffending), its CSV and
workbook: the same numbers as `reoffending --json`, the caveats, the chart with its table, the
default range, clear errors for a wrong range, audit entries, and a fixed number of queries."""
import csv
import io
import json
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import insert, select

from iom.clients.models import Client, SchemePeriod
from iom.extensions import db
from iom.figures.reoffending_table import CAVEATS, FIGURES, change, change_text, figure_text
from iom.offending.models import Offence, OffenceUnitCost
from tests.builders import audit_entries
from tests.figures.conftest import CONTRACT_JSON, CONTRACT_TODAY
from tests.pages import Page, csrf_token, plain, text_of_fragment

CONTRACT_RANGE = {"from": "2011-04-01", "to": "2012-03-31"}


@pytest.fixture
def manager(signed_in, today):
    today(CONTRACT_TODAY)
    browser, _ = signed_in("manager")
    return browser


def cells(response, row_id: str) -> list[str]:
    """The texts of a table row's cells (its heading first), found by the row's id."""
    body = response.get_data(as_text=True)
    start = body.index(f'id="{row_id}"')
    row = body[body.index(">", start) + 1:body.index("</tr>", start)]
    return [text_of_fragment(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]


def the_json(runner, first="2011-04-01", last="2012-03-31") -> dict:
    result = runner.invoke(args=["reoffending", "--from", first, "--to", last, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def expected_cells(group: dict) -> list[str]:
    """A JSON group's row as the page writes it, after its name: adopted, counted, then offences, rate
    and cost, each before, after and the change."""
    counted = group["before"]["clients"]
    expected = [f"{group['clients']:,}", f"{counted:,}"]
    if not counted:
        return expected + ["Nobody counted"]
    for figure, kind in (("offences", "count"), ("per_100_years_at_risk", "rate"), ("cost_gbp", "money")):
        before, after = (group[window][figure] for window in ("before", "after"))
        if kind != "count":
            before, after = (None if value is None else Decimal(str(value)) for value in (before, after))
        expected += [figure_text(before, kind), figure_text(after, kind), change_text(change(before, after), kind)]
    return expected


def test_the_page_shows_the_contracts_figures(contract_cohort, manager):
    response = manager.get("/figures/reoffending", query_string=CONTRACT_RANGE)
    assert response.status_code == 200
    assert cells(response, "all-offences") == ["Offences", "30", "13", "-17"]
    assert cells(response, "all-clients_offending") == ["Clients who offended", "9", "6", "-3"]
    assert cells(response, "all-serious_acquisitive") == ["Serious acquisitive offences", "11", "4", "-7"]
    assert cells(response, "all-neighbourhood") == ["Neighbourhood offences", "14", "5", "-9"]
    assert cells(response, "all-days_at_risk") == ["Days at risk (in the community)", "3,650", "3,285", "-365"]
    assert cells(response, "all-per_100_years_at_risk") == ["Offences per 100 years at risk", "300.0", "144.4",
                                                            "-155.6"]
    assert cells(response, "all-cost_gbp") == ["Cost of crime", "£81,340.00", "£30,210.00", "-£51,130.00"]
    assert cells(response, "all-clients") == ["Clients counted", "12", "12", ""]
    body = plain(response)
    assert "Clients adopted from 1 April 2011 to 31 March 2012" in body
    assert "12 clients were adopted in this period. 12 are counted." in body


def test_every_group_shows_what_the_json_says(contract_cohort, manager, runner):
    by = the_json(runner)["by"]
    response = manager.get("/figures/reoffending", query_string=CONTRACT_RANGE)
    for name, groups in by.items():
        for code, group in groups.items():
            row = cells(response, f"{name}-{code or 'not_set'}")
            assert row[1:] == expected_cells(group), (name, code)
            assert ("small group" in row[0]) == (0 < group["before"]["clients"] < 20)
    assert cells(response, "tier-fixed")[1:] == ["3", "3", "10", "4", "-6", "407.8", "133.3", "-274.5",
                                                 "£25,100.00", "£2,610.00", "-£22,490.00"]


def test_the_chart_is_accessible_and_the_table_beside_it_has_its_numbers(contract_cohort, manager):
    response = manager.get("/figures/reoffending", query_string=CONTRACT_RANGE)
    html = response.get_data(as_text=True)
    for name in ("strand", "programme", "tier"):
        svg = re.search(rf'<svg[^>]*id="chart-{name}".*?</svg>', html, re.S).group(0)
        assert 'role="img"' in svg and f'aria-labelledby="chart-{name}-title chart-{name}-desc"' in svg
        assert f'<title id="chart-{name}-title">Offences per 100 years at risk before and after adoption' in svg
        desc = re.search(r"<desc[^>]*>(.*?)</desc>", svg).group(1)
        assert desc.startswith("All clients adopted: 300.0 before, 144.4 after.")
        assert "Year before adoption" in svg and "Year after adoption" in svg
        assert "<script" not in svg and "style=" not in svg
    # every rate in a chart's description is in the table beside it
    strand_desc = re.search(r'<desc id="chart-strand-desc">(.*?)</desc>', html).group(1)
    table = plain(response)
    for rate in re.findall(r"(\d[\d,]*\.\d) (?:before|after)", strand_desc):
        assert rate in table


def test_the_caveats_and_the_rules_are_in_plain_words(contract_cohort, manager):
    body = plain(manager.get("/figures/reoffending", query_string=CONTRACT_RANGE))
    for caveat in CAVEATS:
        assert caveat in body
    assert "Read these figures with care" in body and "How these figures are worked out" in body


def set_unit_cost(app, offence_type: str, cost_gbp: str, price_year: str, source: str) -> None:
    """The partnership's own unit cost for a type, straight into its table."""
    with app.app_context():
        db.session.add(OffenceUnitCost(offence_type=offence_type, cost_gbp=Decimal(cost_gbp), price_year=price_year,
                                       source=source))
        db.session.commit()


def test_the_unit_costs_used_are_shown_with_the_offences_they_priced(contract_cohort, manager):
    set_unit_cost(contract_cohort, "shoplifting", "95.00", "2019-20", "Local retail crime survey")
    response = manager.get("/figures/reoffending", query_string=CONTRACT_RANGE)
    assert cells(response, "unit-cost-domestic_burglary") == ["Domestic burglary", "£5,930.00", "2015-16",
                                                              "Published", "8", "0"]
    assert cells(response, "unit-cost-shoplifting") == ["Shoplifting", "£95.00", "2019-20",
                                                        "The partnership's own: Local retail crime survey", "8", "1"]
    assert cells(response, "unit-cost-drug_offence")[3] == "Published: not costed in the source"
    assert cells(response, "all-cost_gbp")[1] == "£82,100.00"  # 81,340 + 8 shoplifting x 95


@pytest.mark.parametrize("query", ["from=1&from=4&from=2011&to=31&to=3&to=2012", "from=01/04/2011&to=31/3/2012",
                                   "from=%202011-04-01%20&to=2012-03-31"])
def test_the_three_boxes_and_uk_dates_give_the_same_page_as_iso_dates(contract_cohort, manager, query):
    boxes = manager.get("/figures/reoffending?" + query)
    assert boxes.status_code == 200
    assert cells(boxes, "all-offences") == ["Offences", "30", "13", "-17"]
    page = Page(boxes)
    assert page.values["from"] == ["1", "4", "2011"] and page.values["to"] == ["31", "3", "2012"]


def test_by_default_the_latest_financial_year_whose_adoptions_have_all_had_a_year(contract_cohort, manager):
    # on 1 June 2013, 2011-12's last adoptions (31 March 2012) had their year on 30 March 2013
    response = manager.get("/figures/reoffending")
    assert response.status_code == 200
    assert cells(response, "all-offences") == ["Offences", "30", "13", "-17"]
    assert Page(response).values["from"] == ["1", "4", "2011"]


def test_a_scheme_too_new_for_a_whole_year_shows_the_current_year(app, signed_in, today):
    today(date(2011, 11, 15))
    browser, _ = signed_in("manager")
    response = browser.get("/figures/reoffending")
    assert response.status_code == 200
    assert "Clients adopted from 1 April 2011 to 31 March 2012" in plain(response)
    assert "Nobody adopted in this period has had a year since adoption yet" in plain(response)


@pytest.mark.parametrize(("query", "field", "message"), [
    ({"from": "2012-04-01", "to": "2012-03-31"}, "to",
     "Last adoption date must be the same as or after the first adoption date"),
    ({"from": ["30", "2", "2011"], "to": "2012-03-31"}, "from", "First adoption date must be a real date"),
    ({"from": ["1", "", "2011"], "to": "2012-03-31"}, "from", "First adoption date must include a month"),
    ({"from": "2011-04-01"}, "to", "Enter last adoption date"),
    ({"to": "2012-03-31"}, "from", "Enter first adoption date"),
    ({"from": "2011-04-01", "to": "31-3-2012"}, "to", "Last adoption date must include a month and a year"),
    ({"from": "2011-04-01", "to": "31/13/2012"}, "to", "Last adoption date must be a real date"),
    ({"from": ["1", "4", "1850"], "to": "2012-03-31"}, "from", "First adoption date must be after 1900"),
    ({"from": ["1", "4", "20111"], "to": "2012-03-31"}, "from", "Year must include 4 numbers"),
    ({"from": ["1", "4", "9" * 30], "to": "2012-03-31"}, "from", "Year must include 4 numbers"),
    ({"from": ["99999999999999999999", "4", "2011"], "to": "2012-03-31"}, "from",
     "First adoption date must be a real date"),
])
def test_a_wrong_range_is_a_clear_error_and_shows_no_figures(contract_cohort, manager, query, field, message):
    for path in ("/figures/reoffending", "/figures/reoffending.csv", "/figures/reoffending.xlsx"):
        response = manager.get(path, query_string=query)
        assert response.status_code == 400, path
        page = Page(response)
        assert page.title.startswith("Error: ")
        assert page.summary_errors == [message]
        assert page.field_errors[f"{field}-error"] == message
        assert 'id="figures-all"' not in response.get_data(as_text=True)
    assert audit_entries(contract_cohort, "figures.viewed") == []
    assert audit_entries(contract_cohort, "figures.exported") == []


def test_the_page_and_downloads_are_audited_as_figures(contract_cohort, manager):
    manager.get("/figures/reoffending", query_string=CONTRACT_RANGE)
    manager.get("/figures/reoffending.csv", query_string=CONTRACT_RANGE)
    manager.get("/figures/reoffending.xlsx", query_string=CONTRACT_RANGE)
    viewed, = audit_entries(contract_cohort, "figures.viewed")
    assert (viewed.subject_type, viewed.subject_id) == ("reoffending", "2011-04-01/2012-03-31")
    assert viewed.summary == ("Viewed offending before and after adoption for adoptions from 1 April 2011 to "
                              "31 March 2012")
    exported = audit_entries(contract_cohort, "figures.exported")
    assert [entry.changes["format"] for entry in exported] == [[None, "csv"], [None, "xlsx"]]
    assert all(entry.subject_id == "2011-04-01/2012-03-31" for entry in exported)


def test_the_page_links_its_downloads_and_shows_no_names(contract_cohort, manager):
    response = manager.get("/figures/reoffending", query_string=CONTRACT_RANGE)
    html = response.get_data(as_text=True)
    assert 'href="/figures/reoffending.csv?from=2011-04-01&amp;to=2012-03-31"' in html
    assert 'href="/figures/reoffending.xlsx?from=2011-04-01&amp;to=2012-03-31"' in html
    assert "FamilyC01" not in html and "C01" not in plain(response)


def test_the_monthly_figures_link_here_for_managers_only(app, client, make_user, today):
    from tests.pages import sign_in
    for role, linked in (("manager", True), ("officer", False), ("housing", False), ("admin", False)):
        _, username = make_user(role)
        assert sign_in(client, app, username).status_code == 302
        assert ('href="/figures/reoffending"' in client.get("/figures").get_data(as_text=True)) is linked, role
        client.post("/logout", data={"csrf_token": csrf_token(client, app)})


# --- the CSV and the workbook ---------------------------------------------------------------------

def csv_rows(response) -> tuple[list[dict], list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    lines = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    blank = lines.index([])
    header, rows = lines[0], lines[1:blank]
    return [dict(zip(header, row)) for row in rows], [row[0] for row in lines[blank + 1:]]


def window_from(row: dict, window: str) -> dict:
    """A CSV or workbook row's window, in the JSON's form."""
    result = {}
    for name, _, kind in FIGURES:
        value = row[f"{window}_{name}"]
        if kind == "count":
            result[name] = int(value)
        elif kind == "rate":
            result[name] = None if value in ("", None) else float(value)
        else:
            result[name] = f"{float(value):.2f}"
    return result


def test_the_csv_has_the_same_numbers_as_the_json(contract_cohort, manager, runner):
    printed = the_json(runner)
    response = manager.get("/figures/reoffending.csv", query_string=CONTRACT_RANGE)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == \
        'attachment; filename="offending-before-and-after-2011-04-01-to-2012-03-31.csv"'
    rows, notes = csv_rows(response)
    everyone = rows[0]
    assert (everyone["from"], everyone["to"], everyone["breakdown"], everyone["group"]) == \
        ("2011-04-01", "2012-03-31", "all", "all")
    assert window_from(everyone, "before") == CONTRACT_JSON["before"]
    assert window_from(everyone, "after") == CONTRACT_JSON["after"]
    assert (everyone["change_offences"], everyone["change_per_100_years_at_risk"], everyone["change_cost_gbp"]) == \
        ("-17", "-155.6", "-51130.00")
    assert "change_clients" not in everyone
    for row in rows[1:]:
        group = printed["by"][row["breakdown"]]["" if row["group"] == "not_set" else row["group"]]
        assert int(row["clients_adopted"]) == group["clients"]
        assert window_from(row, "before") == group["before"] and window_from(row, "after") == group["after"]
        assert row["small_group"] == ("yes" if group["before"]["clients"] < 20 else "no")
    assert len(rows) == 1 + sum(len(groups) for groups in printed["by"].values())
    assert notes[0] == "Read these figures with care:" and notes[1:1 + len(CAVEATS)] == list(CAVEATS)


def test_the_workbook_has_the_same_numbers_the_unit_costs_and_the_caveats(contract_cohort, manager):
    set_unit_cost(contract_cohort, "breach", "10.00", "2020-21", '=HYPERLINK("http://example.invalid","x")')
    response = manager.get("/figures/reoffending.xlsx", query_string=CONTRACT_RANGE)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Figures", "Unit costs", "Notes"]
    figures = list(book["Figures"].values)
    everyone = dict(zip(figures[0], figures[1]))
    assert everyone["from"].date() == date(2011, 4, 1) and book["Figures"]["A2"].number_format == "yyyy-mm-dd"
    assert window_from(everyone, "before") == {**CONTRACT_JSON["before"], "cost_gbp": "81370.00"}  # 3 breaches
    assert window_from(everyone, "after") == CONTRACT_JSON["after"]
    costs = {row[0]: row for row in book["Unit costs"].values}
    assert costs["breach"][2:] == (10, "2020-21", "the partnership's own figure",
                                   '=HYPERLINK("http://example.invalid","x")', 3, 0)
    assert book["Unit costs"]["F" + str(list(costs).index("breach") + 1)].data_type == "s"
    notes = [row[0] for row in book["Notes"].values]
    assert notes[1:1 + len(CAVEATS)] == list(CAVEATS)


def test_money_and_rates_are_never_floats_in_the_csv(contract_cohort, manager):
    rows, _ = csv_rows(manager.get("/figures/reoffending.csv", query_string=CONTRACT_RANGE))
    assert rows[0]["before_cost_gbp"] == "81340.00" and rows[0]["after_per_100_years_at_risk"] == "144.4"
    assert all(re.fullmatch(r"-?\d+\.\d{2}", row[name]) for row in rows for name in row if name.endswith("cost_gbp"))


# --- a fixed number of queries --------------------------------------------------------------------

def add_cohort(app, first: int, count: int) -> None:
    """`count` clients adopted in 2011-12, each with three offences and a spell in custody."""
    from iom.custody.models import CustodyEvent
    with app.app_context():
        rows = [{"reference": f"Q-{number:05d}", "given_name": "Q", "family_name": f"Q{number:05d}",
                 "programme": ("ppo", "dip", "youth")[number % 3], "alcohol_related": "unknown",
                 "tier": ("fixed", "flex", None)[number % 3]} for number in range(first, first + count)]
        ids = db.session.scalars(insert(Client).returning(Client.id, sort_by_parameter_order=True), rows).all()
        joined = [date(2011, 4, 1) + timedelta(days=number % 366) for number in ids]
        db.session.execute(insert(SchemePeriod), [{"client_id": client_id, "strand": "catch_convict", "joined_on": day}
                                                  for client_id, day in zip(ids, joined)])
        db.session.execute(insert(Offence), [
            {"client_id": client_id, "offence_type": kind, "offence_on": day - timedelta(days=100 + n)}
            for client_id, day in zip(ids, joined) for n, kind in enumerate(("robbery", "shoplifting", "other"))])
        db.session.execute(insert(CustodyEvent), [
            {"client_id": client_id, "status": "custody", "from_date": day - timedelta(days=300),
             "establishment": "HMP Q"} for client_id, day in zip(ids, joined)])
        db.session.commit()


def test_the_page_runs_the_same_queries_whatever_the_cohorts_size(app, manager, count_queries):
    add_cohort(app, 1, 3)
    manager.get("/figures/reoffending", query_string=CONTRACT_RANGE)  # warm: the first request loads more
    with count_queries() as small:
        assert manager.get("/figures/reoffending", query_string=CONTRACT_RANGE).status_code == 200
    add_cohort(app, 100, 60)
    with count_queries() as large:
        response = manager.get("/figures/reoffending", query_string=CONTRACT_RANGE)
    assert response.status_code == 200 and "63 clients were adopted" in plain(response)
    assert large.count == small.count, large.statements
    with count_queries() as default:
        assert manager.get("/figures/reoffending").status_code == 200
    assert default.count == small.count + 1  # the default range asks whether anyone was adopted by then
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Offence)) == 189
