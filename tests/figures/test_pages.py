"""The monthly figures page at /figures: twelve months of a financial year with every figure,
"not recorded" where no crime count was entered, two accessible server-drawn charts, links to
the years either side, a fixed number of SQL statements, and who may see what."""
import re
from datetime import date

import pytest

from iom.figures.models import MonthClosure
from iom.extensions import db
from tests.builders import APR, OCT, SEP, add_clients, audit_entries, set_rule, set_sac
from tests.pages import Page, plain, row_text


@pytest.fixture
def manager(signed_in, today):
    client, _ = signed_in("manager")
    return client


def test_the_page_shows_the_current_financial_year_by_default(app, manager):
    add_clients(app, 3, strand="catch_convict")
    add_clients(app, 1, strand="prevent_deter")
    add_clients(app, 2, strand="resettle_rehabilitate", joined_on=date(2011, 10, 31))
    add_clients(app, 1, strand="resettle_rehabilitate", joined_on=APR, left_on=date(2011, 9, 30))
    set_sac(app, OCT, 81)

    response = manager.get("/figures")

    assert response.status_code == 200
    body = plain(response)
    assert "Monthly figures 2011-12" in body and "1 April 2011 to 31 March 2012" in body
    # month, on the scheme, counted, in custody or remand, minimum, met, SAC, crimes for every 10 clients,
    # the clients' serious acquisitive offences and their share of the area's count, status
    assert row_text(response, "2011-10") == "October 2011 6 5 0 70 No 81 135.0 0 0.0% Not closed"
    assert row_text(response, "2011-09") == "September 2011 5 4 0 70 No not recorded not recorded 0 not recorded Not closed"
    assert row_text(response, "2011-11") == "November 2011 6 5 0 70 No so far not recorded not recorded 0 not recorded Not yet ended: figures so far"
    assert row_text(response, "2012-03") == "March 2012 — — — 70 — — — — — Not started"
    assert "Minimum met in 0 of 7 complete months" in body
    html = response.get_data(as_text=True)
    assert 'href="/figures?year=2010-11"' in html and 'href="/figures?year=2012-13"' in html
    assert 'href="/figures/monthly.csv?year=2011-12"' in html


def test_another_year_is_chosen_in_the_address(app, manager):
    add_clients(app, 2, joined_on=date(2010, 4, 1), left_on=date(2010, 12, 31))
    response = manager.get("/figures?year=2010-11")
    assert response.status_code == 200
    assert row_text(response, "2010-12").startswith("December 2010 2 2 0 70 No")
    assert row_text(response, "2011-01").startswith("January 2011 0 0 0 70 No")
    assert "Minimum met in 0 of 12 complete months" in plain(response)


@pytest.mark.parametrize("year", ["2011-13", "2011", "2011/12", "11-12", "abc", "2011-12-01", "1899-00", "9999-00",
                                  "x" * 300])
def test_a_badly_written_year_is_a_clear_error(app, manager, year):
    response = manager.get("/figures", query_string={"year": year})
    assert response.status_code == 400
    page = Page(response)
    assert page.title.startswith("Error: ")
    assert page.summary_errors and "is not a financial year" in page.summary_errors[0]
    assert any(words in plain(response) for words in ("write it as YYYY-YY, for example 2011-12", "the second part",
                                                     "not a financial year this service can show"))
    assert "x" * 30 not in response.get_data(as_text=True)
    assert manager.get("/figures/monthly.csv", query_string={"year": year}).status_code == 400


def test_the_counted_strands_show_per_month_only_when_they_change(app, manager):
    add_clients(app, 1, strand="prevent_deter")
    first = manager.get("/figures?year=2011-12")
    assert "Strands counted" not in plain(first)
    assert "this year: catch and convict, resettle and rehabilitate" in plain(first)

    set_rule(app, OCT, 70, "prevent_deter,catch_convict")
    second = manager.get("/figures?year=2011-12")
    assert "Strands counted" in plain(second)
    assert row_text(second, "2011-09").endswith("Catch and convict, Resettle and rehabilitate Not closed")
    assert row_text(second, "2011-10").endswith("Prevent and deter, Catch and convict Not closed")
    assert row_text(second, "2011-10").startswith("October 2011 1 1 0 70")
    assert row_text(second, "2011-09").startswith("September 2011 1 0 0 70")


def test_a_month_with_a_count_of_zero_shows_zero_and_no_ratio(app, manager):
    set_sac(app, SEP, 0)
    response = manager.get("/figures")
    assert row_text(response, "2011-09") == "September 2011 0 0 0 70 No 0 — (no clients on the scheme) 0 — (no serious acquisitive crime recorded in the area to compare with) Not closed"


def test_crimes_are_compared_with_clients_as_crimes_for_every_10_clients(app, manager):
    add_clients(app, 100, strand="catch_convict")
    set_sac(app, OCT, 81)
    set_sac(app, SEP, 0)
    response = manager.get("/figures")
    assert "Serious acquisitive crimes for every 10 clients" in plain(response)
    assert row_text(response, "2011-10") == "October 2011 100 100 0 70 Yes 81 8.1 0 0.0% Not closed"
    assert row_text(response, "2011-09") == "September 2011 100 100 0 70 Yes 0 0.0 0 — (no serious acquisitive crime recorded in the area to compare with) Not closed"
    month = plain(manager.get("/figures/months/2011-10"))
    assert "8.1 serious acquisitive crimes for every 10 clients on the scheme" in month
    assert "Clients per crime" not in month and "Clients per crime" not in plain(response)


def svgs(html: str) -> list[str]:
    return [svg for svg in re.findall(r"<svg\b.*?</svg>", html, flags=re.S) if 'role="img"' in svg[:svg.index(">")]]


def test_two_accessible_charts_are_drawn_on_the_server(app, manager):
    set_rule(app, APR, 3)
    add_clients(app, 3)
    add_clients(app, 2, joined_on=date(2011, 8, 1))
    set_sac(app, APR, 12)
    set_sac(app, OCT, 6)
    html = manager.get("/figures").get_data(as_text=True)

    charts = svgs(html)
    assert len(charts) == 2
    for svg in charts:
        opening = svg[:svg.index(">")]
        assert 'role="img"' in opening
        chart_id = re.search(r'id="([^"]+)"', opening).group(1)
        assert f'aria-labelledby="{chart_id}-title {chart_id}-desc"' in opening
        assert re.search(rf'<title id="{chart_id}-title">[^<]+</title>', svg)
        assert re.search(rf'<desc id="{chart_id}-desc">[^<]+</desc>', svg)
        assert f'id="{chart_id}-summary"' in html  # the text summary beside it
    # the content security policy allows no inline style or script, in or out of the charts
    assert "style=" not in html and "<script>" not in html and "<style" not in html
    minimum_chart, sac_chart = charts
    assert minimum_chart.count("<rect") >= 8          # eight started months, plus the legend swatches
    assert 'stroke-dasharray="5 3"' in minimum_chart   # the minimum line
    # cohort against crime: two panels with their own scales, not one chart with two axes
    assert "Clients on the scheme</text>" in sac_chart and "Serious acquisitive crimes</text>" in sac_chart
    assert sac_chart.count(">n/r</text>") == 6          # months started without a count (May-Sep, Nov)
    body = plain(manager.get("/figures"))
    assert "The minimum was met in 7 of 7 complete months of 2011-12." in body
    assert "November 2011 so far, on what is known today: 5 counted against a minimum of 3, met." in body
    assert "Serious acquisitive crime ranged from 6 (October 2011) to 12 (April 2011)." in body
    assert "6 months with no count recorded." in body


def test_viewing_is_audited(app, manager):
    manager.get("/figures?year=2010-11")
    [entry] = audit_entries(app, "figures.viewed")
    assert (entry.subject_type, entry.subject_id) == ("financial_year", "2010-11")


def statements_for(web, count_queries, url):
    assert web.get(url).status_code == 200  # settle the session touch
    with count_queries() as counter:
        assert web.get(url).status_code == 200
    return counter.count, counter.statements


def test_the_page_runs_a_fixed_number_of_statements_whatever_the_caseload(app, manager, count_queries):
    set_rule(app, APR, 5)
    for month in range(4, 10):
        set_sac(app, date(2011, month, 1), 50 + month)
    with app.app_context():
        db.session.add(MonthClosure(month=APR, on_scheme=1, counted_for_minimum=1, in_custody_or_remand=0,
                                    minimum=70, minimum_met=False, serious_acquisitive_crimes=None))
        db.session.commit()
    add_clients(app, 10)
    small = statements_for(manager, count_queries, "/figures?year=2011-12")
    add_clients(app, 150, strand="resettle_rehabilitate", joined_on=date(2011, 6, 1))
    add_clients(app, 140, strand="prevent_deter", left_on=date(2011, 10, 31))
    large = statements_for(manager, count_queries, "/figures?year=2011-12")
    assert small[0] == large[0], "\n".join(small[1]) + "\n---\n" + "\n".join(large[1])
    assert large[0] <= 15, "\n".join(large[1])


@pytest.mark.parametrize("role", ["officer", "housing", "admin"])
def test_other_staff_may_read_the_figures_but_change_nothing(app, signed_in, today, role):
    web, _ = signed_in(role)
    year = web.get("/figures")
    assert year.status_code == 200
    month = web.get("/figures/months/2011-10")
    assert month.status_code == 200
    html = month.get_data(as_text=True)
    assert "/figures/months/2011-10/sac" not in html and "/figures/months/2011-10/close" not in html
    assert ('href="/figures/settings"' in year.get_data(as_text=True)) == (role == "admin")
    assert web.get("/figures/monthly.csv").status_code == 200


def test_the_reviewer_is_refused(app, signed_in, today):
    web, _ = signed_in("reviewer")
    for url in ("/figures", "/figures/monthly.csv", "/figures/months/2011-10", "/figures/settings"):
        assert web.get(url).status_code == 403, url


def test_the_navigation_offers_the_page_to_those_who_may_see_it(app, signed_in, today):
    web, _ = signed_in("manager")
    assert 'href="/figures"' in web.get("/").get_data(as_text=True)
