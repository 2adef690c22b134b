"""The scheme's own serious acquisitive offences each month (`cohort_serious_acquisitive_offences`):
the recorded offences of a serious acquisitive type committed in the month by someone on the scheme
(any strand) on the day of the offence, beside the area's count with the clients' share of it; on
the page, the month page, the chart, the CSV and `monthly-check --json`. Counted live, in one
statement for any number of months."""
import csv
import io
import json
import random
from datetime import date, timedelta
from decimal import Decimal

import pytest

from iom.extensions import db
from iom.figures import charts, monthly
from iom.figures.queries import year_page
from iom.offending.models import OFFENCE_TYPES, SERIOUS_ACQUISITIVE_TYPES
from iom.years import FinancialYear
from tests.builders import OCT, client, client_named, offence, sac, watch
from tests.pages import Page, plain, post_form, row_text

YEAR = FinancialYear.parse("2011-12")
OCT_END = date(2011, 10, 31)


def by_month() -> dict[str, monthly.MonthlyFigures]:
    return {figures.month_text: figures for figures in monthly.year_figures(YEAR)}


def test_only_serious_acquisitive_offences_on_a_day_on_the_scheme_count(ctx):
    person = client("A", [("catch_convict", date(2011, 10, 10), date(2011, 10, 20))])
    offence(person, date(2011, 10, 9), "robbery")            # the day before joining
    offence(person, date(2011, 10, 10), "domestic_burglary")  # the joining day
    offence(person, date(2011, 10, 20), "theft_of_vehicle")  # the leaving day still counts
    offence(person, date(2011, 10, 21), "theft_from_vehicle")  # the day after leaving
    offence(person, date(2011, 10, 15), "shoplifting")       # not serious acquisitive
    offence(person, date(2011, 10, 15), "theft_from_person")  # neighbourhood crime, not serious acquisitive
    assert by_month()["2011-10"].cohort_serious_acquisitive_offences == 2


def test_every_strand_counts_and_each_offence_is_counted(ctx):
    deter = client("P", [("prevent_deter", date(2011, 4, 1), None)])  # not counted for the minimum, but on the scheme
    for _ in range(3):
        offence(deter, OCT_END, "robbery")  # three on one day are three offences
    months = by_month()
    assert (months["2011-10"].counted_for_minimum, months["2011-10"].cohort_serious_acquisitive_offences) == (0, 3)
    assert months["2011-11"].cohort_serious_acquisitive_offences == 0


def test_a_gap_between_periods_and_watch_list_people_do_not_count(ctx):
    person = client("R", [("catch_convict", date(2011, 4, 1), date(2011, 6, 30)),
                          ("resettle_rehabilitate", date(2011, 8, 1), None)])
    offence(person, date(2011, 7, 15), "robbery")   # between the two periods: not on the scheme
    offence(person, date(2011, 8, 1), "robbery")    # re-adopted that day
    offence(None, date(2011, 8, 2), "robbery", watched=watch(date(2011, 5, 1)))
    months = by_month()
    assert months["2011-07"].cohort_serious_acquisitive_offences == 0
    assert months["2011-08"].cohort_serious_acquisitive_offences == 1


def test_the_share_of_the_areas_count_is_rounded_half_up_and_missing_without_a_count(ctx):
    person = client("S", [("catch_convict", date(2011, 4, 1), None)])
    for day in (1, 2, 3):
        offence(person, date(2011, 10, day), "domestic_burglary")
    offence(person, date(2011, 9, 1), "robbery")
    offence(person, date(2011, 8, 1), "robbery")
    sac(OCT, 8)                    # 3 of 8: 37.5%
    sac(date(2011, 9, 1), 0)       # none recorded in the area: nothing to compare with
    sac(date(2011, 6, 1), 40)      # 0 of 40
    months = by_month()
    assert months["2011-10"].cohort_share_of_sac_percent == Decimal("37.5")
    assert months["2011-09"].cohort_share_of_sac_percent is None
    assert months["2011-08"].cohort_share_of_sac_percent is None  # August: no count recorded
    assert months["2011-06"].cohort_share_of_sac_percent == Decimal("0.0")
    sac(date(2011, 7, 1), 3)
    offence(person, date(2011, 7, 1), "robbery")
    assert by_month()["2011-07"].cohort_share_of_sac_percent == Decimal("33.3")


def test_one_statement_counts_every_month_and_the_year_stays_at_four(app, count_queries):
    with app.app_context():
        for n in range(25):
            person = client(f"Q{n}", [("catch_convict", date(2011, 4, 1), None)])
            offence(person, date(2011, 4 + n % 9, 1 + n), "robbery")
        db.session.commit()
    with app.app_context(), count_queries() as counter:
        counts = monthly.cohort_sac_offences(YEAR.months)
    assert counter.count == 1 and sum(counts.values()) == 25
    with app.app_context(), count_queries() as counter:
        monthly.year_figures(YEAR)
    assert counter.count <= 4


def test_matches_a_plain_count_on_random_histories(ctx):
    rng = random.Random(20111015)
    types = list(OFFENCE_TYPES)
    recorded = []
    for n in range(60):
        start = date(2010, 10, 1) + timedelta(days=rng.randrange(0, 400))
        left = start + timedelta(days=rng.randrange(0, 200)) if rng.random() < 0.6 else None
        periods = [(rng.choice(["prevent_deter", "catch_convict"]), start, left)]
        person = client(f"X{n}", periods)
        for _ in range(rng.randrange(0, 8)):
            day, kind = date(2011, 1, 1) + timedelta(days=rng.randrange(0, 600)), rng.choice(types)
            offence(person, day, kind)
            recorded.append((periods, day, kind))
    for figures in monthly.year_figures(YEAR):
        expected = sum(1 for periods, day, kind in recorded
                       if kind in SERIOUS_ACQUISITIVE_TYPES and (day.year, day.month) == (figures.month.year,
                                                                                        figures.month.month)
                       and any(p[1] <= day and (p[2] is None or day <= p[2]) for p in periods))
        assert figures.cohort_serious_acquisitive_offences == expected, figures.month_text


def test_monthly_check_prints_the_contracts_key(app, runner):
    with app.app_context():
        person = client("M", [("catch_convict", date(2011, 4, 1), None)])
        for kind in ("domestic_burglary", "robbery", "criminal_damage"):
            offence(person, date(2011, 10, 5), kind)
        sac(OCT, 81)
        db.session.commit()
    result = runner.invoke(args=["monthly-check", "--month", "2011-10", "--json"])
    data = json.loads(result.output)
    assert list(data)[-2:] == ["serious_acquisitive_crimes", "cohort_serious_acquisitive_offences"]
    assert (data["serious_acquisitive_crimes"], data["cohort_serious_acquisitive_offences"]) == (81, 2)
    words = runner.invoke(args=["monthly-check", "--month", "2011-10"]).output
    assert "By clients on the scheme:    2 serious acquisitive offences recorded (2.5% of the area's count)" in words


@pytest.fixture
def manager(signed_in, today):
    web, _ = signed_in("manager")
    return web


def a_year_of_offences(app):
    with app.app_context():
        person = client("W", [("catch_convict", date(2011, 4, 1), None)])
        for day in (3, 4, 5, 6, 7, 8, 9, 10, 11):
            offence(person, date(2011, 10, day), "theft_from_vehicle")
        offence(person, date(2011, 11, 2), "robbery")
        sac(OCT, 81)
        db.session.commit()


def test_the_page_shows_the_clients_offences_and_share_beside_the_areas_count(app, manager):
    a_year_of_offences(app)
    response = manager.get("/figures?year=2011-12")
    assert row_text(response, "2011-10") == "October 2011 1 1 0 70 No 81 810.0 9 11.1% Not closed"
    assert row_text(response, "2011-11") == ("November 2011 1 1 0 70 No so far not recorded not recorded 1 "
                                             "not recorded Not yet ended: figures so far")
    body = plain(response)
    assert "Serious acquisitive offences by clients on the scheme" in body
    assert "Serious acquisitive offences recorded against clients on the scheme (hatched): 10" in body
    month = plain(manager.get("/figures/months/2011-10"))
    assert "Serious acquisitive offences by clients on the scheme 9" in month
    assert "11.1% of the serious acquisitive crimes recorded in the area" in month


def test_the_csv_carries_both_new_columns(app, manager):
    a_year_of_offences(app)
    raw = manager.get("/figures/monthly.csv?year=2011-12").get_data().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(raw)))
    assert list(rows[0])[-2:] == ["cohort_serious_acquisitive_offences", "cohort_share_of_sac_percent"]
    october, november, december = rows[6], rows[7], rows[8]
    assert (october["cohort_serious_acquisitive_offences"], october["cohort_share_of_sac_percent"]) == ("9", "11.1")
    assert (november["cohort_serious_acquisitive_offences"], november["cohort_share_of_sac_percent"]) == ("1", "")
    assert (december["cohort_serious_acquisitive_offences"], december["cohort_share_of_sac_percent"]) == ("", "")


def test_a_closed_month_keeps_counting_offences_recorded_late(app, manager):
    a_year_of_offences(app)
    seen = Page(manager.get("/figures/months/2011-10")).values["close-seen"][0]
    assert post_form(manager, app, "/figures/months/2011-10/close", {"close-seen": seen}).status_code == 302
    with app.app_context():
        offence(client_named("W"), date(2011, 10, 20), "robbery")
        db.session.commit()
    response = manager.get("/figures?year=2011-12")
    assert row_text(response, "2011-10") == "October 2011 1 1 0 70 No 81 810.0 10 12.3% Closed"
    assert "closing the month did not keep it" in plain(manager.get("/figures/months/2011-10"))


def test_the_chart_draws_the_clients_part_as_the_hatched_foot_of_the_column(app, manager):
    a_year_of_offences(app)
    with app.app_context():
        rows = year_page(YEAR, date(2011, 11, 15)).rows
    chart = charts.cohort_against_sac(rows, "2011-12")
    svg = str(chart.svg)
    # the legend's swatch and two months' feet (October under its column, November with no count yet)
    assert svg.count('fill="url(#chart-sac-ours)"') == 3
    assert ">Hatched: by clients on the scheme</text>" in svg
    assert chart.summary.endswith("Serious acquisitive offences recorded against clients on the scheme (hatched): "
                                  "10, 11.1% of the area's count in the months with a count.")
