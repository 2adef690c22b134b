"""One keyset pagination for the caseload, the watch list and the audit trail (iom/pagination.py):
next and previous pages in every sort, a page boundary among people with the same name, rows
added meanwhile neither repeated nor skipped, a tampered or stale address is a first page (never
an error), a fixed number of statements whatever the page; and the caseload's cohort tier filter."""
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from iom.clients import queries
from iom.clients.models import Client, SchemePeriod
from iom.clock import today_in_london
from iom.extensions import db
from iom.pagination import Paging
from tests import builders
from tests.pages import pagination_link, plain

CC = "catch_convict"


def references(response) -> list[str]:
    """The caseload page's clients, in the order shown."""
    body = response.get_data(as_text=True)
    table = body[body.index('<tbody class="govuk-table__body">'):body.index("</tbody>")]
    return re.findall(r'<a class="govuk-link" href="/clients/([^"]+)">', table)


def walk(web, url, shown=references) -> tuple[list[list[str]], list]:
    """Every page from `url` on, by the next links: the rows of each page, and the responses."""
    pages, responses = [], []
    while url:
        response = web.get(url)
        assert response.status_code == 200, url
        pages.append(shown(response))
        responses.append(response)
        url = pagination_link(response, "next")
    return pages, responses


def add_people(app, names, **details) -> list[str]:
    """Clients on the scheme with these (family, given) names; their references in order."""
    with app.app_context():
        start = db.session.scalar(select(db.func.count()).select_from(Client))
        made = []
        for number, (family, given) in enumerate(names, start=start):
            person = builders.client(f"PG-{number:05d}", [(CC, date(2011, 4, 1), None)], given=given, family=family,
                                     risk=details.get("risks", [None])[number % len(details.get("risks", [None]))])
            made.append(person.reference)
        db.session.commit()
    return made


@pytest.fixture
def manager(signed_in):
    web, _ = signed_in("manager")
    return web


def test_the_caseload_pages_forward_and_back_in_its_order(app, manager):
    made = add_people(app, [(f"Family{n:03d}", "Given") for n in range(120)])
    pages, responses = walk(manager, "/clients?officer=&sort=name")
    assert [len(page) for page in pages] == [50, 50, 20]
    assert sum(pages, []) == made
    assert ["page 1 of 3" in plain(r) for r in responses] == [True, False, False]
    assert "120 clients, page 2 of 3" in plain(responses[1]) and "page 3 of 3" in plain(responses[2])
    assert pagination_link(responses[0], "prev") is None and pagination_link(responses[2], "next") is None
    # the addresses carry the filters and sort, and a row's id, never a name
    next_address = pagination_link(responses[0], "next")
    assert "sort=name" in next_address and "officer=" in next_address and "Family" not in next_address
    back = manager.get(pagination_link(responses[2], "prev"))
    assert references(back) == pages[1] and "page 2 of 3" in plain(back)
    assert references(manager.get(pagination_link(back, "prev"))) == pages[0]


@pytest.mark.parametrize("sort", ["name", "reference", "strand", "custody", "officer", "joined", "risk", "tier"])
@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_every_sort_pages_without_repeating_or_skipping_anyone(app, manager, sort, direction):
    """Many ties (one strand, one join date, a few risk levels): the id settles each, both ways."""
    add_people(app, [(f"Tied{n % 7}", f"G{n % 3}") for n in range(110)], risks=["low", None, "high", "very_high"])
    with app.app_context():
        for number, person in enumerate(db.session.scalars(select(Client).order_by(Client.id))):
            person.tier = ["fixed", "flex", "free", None][number % 4]
        db.session.commit()
    pages, _ = walk(manager, f"/clients?officer=&sort={sort}&direction={direction}")
    shown = sum(pages, [])
    assert [len(page) for page in pages] == [50, 50, 10]
    assert len(set(shown)) == 110
    backwards_too = manager.get(f"/clients?officer=&sort={sort}&direction={direction}")
    assert references(backwards_too) == pages[0]


def test_a_page_boundary_among_people_of_the_same_name(app, manager):
    made = add_people(app, [("Smith", "John")] * 53)
    pages, responses = walk(manager, "/clients?officer=")
    assert [len(page) for page in pages] == [50, 3]
    assert sum(pages, []) == made  # same name: in the order they were added (their id)
    assert references(manager.get(pagination_link(responses[1], "prev"))) == made[:50]


def test_a_client_added_meanwhile_neither_repeats_nor_skips_a_row(app, manager):
    made = add_people(app, [(f"Middle{n:03d}", "Given") for n in range(60)])
    first = manager.get("/clients?officer=")
    assert references(first) == made[:50]
    add_people(app, [("Aardvark", "Early")])  # sorts before everyone on page 1
    second = manager.get(pagination_link(first, "next"))
    assert references(second) == made[50:]  # page 2 still starts after Middle049
    assert "61 clients" in plain(second)


def test_filters_stay_on_every_page(app, manager):
    add_people(app, [(f"Kept{n:03d}", "Given") for n in range(70)])
    with app.app_context():
        builders.client("LEFT-1", [(CC, date(2011, 4, 1), date(2012, 1, 1))], family="Kept000a")
        db.session.commit()
    pages, responses = walk(manager, "/clients?officer=&q=kept&scheme=on")
    assert [len(page) for page in pages] == [50, 20] and "LEFT-1" not in sum(pages, [])
    assert "q=kept" in pagination_link(responses[0], "next")


@pytest.mark.parametrize("cursor", ["after=abc", "after=-5", "after=0", "after=" + "9" * 30, "after=1.5",
                                    "after=%EF%BC%95", "before=abc", "before=" + "9" * 19, "after=&before=",
                                    "after=999999", "before=999999", "page=2", "after=1&before=2"])
def test_a_tampered_or_stale_address_is_a_sensible_page_not_an_error(app, manager, cursor):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    made = add_people(app, [(f"Family{n:03d}", "Given") for n in range(60)])
    response = manager.get(f"/clients?officer=&{cursor}")
    assert response.status_code == 200
    shown = references(response)
    assert shown in (made[:50], made[1:51])  # the first page (after=1: the page after the first client)
    for path in ("/watch-list", "/audit"):
        assert manager.get(f"{path}?{cursor}").status_code == 200


def test_an_address_after_someone_no_longer_matching_still_follows_them(app, manager):
    """The anchor's place in the order is looked up whatever the filters, so a client who left the
    scheme between two pages does not send the reader back to the start."""
    made = add_people(app, [(f"Family{n:03d}", "Given") for n in range(60)])
    first = manager.get("/clients?officer=&scheme=on")
    with app.app_context():
        period = db.session.scalar(select(SchemePeriod).join(Client).where(Client.reference == made[49]))
        period.left_on, period.exit_reason = today_in_london() - timedelta(days=1), "completed"
        db.session.commit()
    assert references(manager.get(pagination_link(first, "next"))) == made[50:]


def statements(web, count_queries, url) -> tuple[int, object]:
    # each page as if its statements were not built yet (count_queries starts with no page kept)
    queries._prepared.cache_clear()
    with count_queries() as counter:
        response = web.get(url)
    assert response.status_code == 200, url
    return counter.count, response


def assert_same_statements_on_every_page(web, count_queries, url) -> None:
    """The first page, the next, and back to the first by the previous link: the same statements."""
    web.get(url)  # settles the session touch
    on_first, first = statements(web, count_queries, url)
    on_next, second = statements(web, count_queries, pagination_link(first, "next"))
    on_back, _ = statements(web, count_queries, pagination_link(second, "prev"))
    assert on_first == on_next == on_back


def test_every_page_runs_the_same_statements_as_the_first(app, manager, count_queries):
    add_people(app, [(f"Family{n:03d}", "Given") for n in range(160)])
    assert_same_statements_on_every_page(manager, count_queries, "/clients?officer=&sort=custody&direction=desc")
    assert_same_statements_on_every_page(manager, count_queries, "/clients?officer=&q=family1&tier=none")


def names_shown(response) -> list[str]:
    return re.findall(r'href="/watch-list/\d+">([^<]+)</a>', response.get_data(as_text=True))


def test_the_watch_list_pages_across_its_groups(app, signed_in, count_queries):
    web, _ = signed_in("officer")
    today = today_in_london()
    for number in range(30):
        builders.make_entry(app, given_name=f"Due{number:02d}", family_name="Watched",
                            next_review_on=today - timedelta(days=number % 5))
    for number in range(30):
        builders.make_entry(app, given_name=f"Later{number:02d}", family_name="Watched",
                            next_review_on=today + timedelta(days=1 + number % 4))
    for number in range(10):
        builders.make_entry(app, given_name=f"Unplanned{number:02d}", family_name="Watched", next_review_on=None)
    with app.app_context():
        for number in range(15):
            builders.watch(today - timedelta(days=200), closed_on=today - timedelta(days=number % 6),
                           outcome="moved_away", given=f"Closed{number:02d}", family="Watched")
        db.session.commit()
    pages, responses = walk(web, "/watch-list?status=all", shown=names_shown)
    assert [len(page) for page in pages] == [50, 35]
    shown = [name.split(", ")[1] for name in sum(pages, [])]
    assert len(set(shown)) == 85
    groups = [name.rstrip("0123456789") for name in shown]
    assert groups == ["Due"] * 30 + ["Later"] * 30 + ["Unplanned"] * 10 + ["Closed"] * 15
    assert "Page 2 of 2" in plain(responses[1]) and "status=all" in pagination_link(responses[0], "next")
    assert names_shown(web.get(pagination_link(responses[1], "prev"))) == pages[0]
    assert_same_statements_on_every_page(web, count_queries, "/watch-list?status=all")


def test_the_audit_trail_keeps_its_entry_number_addresses():
    assert Paging(next_name="before", previous_name="after").cursor({"before": "12"}).forward is True
    assert Paging().cursor({"before": "12"}).forward is False
    assert Paging().cursor({"after": "١٢"}) is None  # digits, but not ASCII ones


# --- the cohort tier ---------------------------------------------------------------------------

def test_the_caseload_filters_and_shows_the_cohort_tier(app, manager):
    with app.app_context():
        for reference, tier in (("T-FIX", "fixed"), ("T-FLEX", "flex"), ("T-FREE", "free"), ("T-NONE", None)):
            builders.client(reference, [(CC, date(2011, 4, 1), None)], family=f"Tier{reference}").tier = tier
        db.session.commit()
    everyone = manager.get("/clients?officer=")
    assert set(references(everyone)) == {"T-FIX", "T-FLEX", "T-FREE", "T-NONE"}
    assert '<option value="">Any tier</option>' in everyone.text
    assert re.search(r'<label class="govuk-label" for="tier">Cohort tier</label>', everyone.text)
    row = re.search(r'<tr class="govuk-table__row">(?:(?!</tr>).)*?/clients/T-FLEX".*?</tr>', everyone.text, re.S)
    assert "<tdclass=\"govuk-table__cell\">Flex</td>" in row.group(0).replace(" ", "")  # the Tier column (the Score column follows)
    assert references(manager.get("/clients?officer=&tier=fixed")) == ["T-FIX"]
    assert references(manager.get("/clients?officer=&tier=none")) == ["T-NONE"]
    assert 'value="flex" selected' in manager.get("/clients?officer=&tier=flex").text
    assert len(references(manager.get("/clients?officer=&tier=nonsense"))) == 4  # unknown: any tier
    by_tier = references(manager.get("/clients?officer=&sort=tier"))
    assert by_tier == ["T-NONE", "T-FIX", "T-FLEX", "T-FREE"]
    assert references(manager.get("/clients?officer=&sort=tier&direction=desc")) == by_tier[::-1]
