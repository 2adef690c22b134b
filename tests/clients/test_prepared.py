"""The caseload's statements are built once for each shape of filters and sort (iom/clients/queries.py
_prepared, iom/pagination.prepare): what a person types or chooses is only ever a bound parameter, so a
search for another term, another officer or the next page runs the very same SQL text."""
from iom.clients import queries
from tests.clients.test_query_counts import add_audited_clients


def caseload_sql(statements: list[str]) -> list[str]:
    """The count and the page of rows."""
    return [statement for statement in statements if "FROM client" in statement]


def test_a_search_is_a_parameter_never_part_of_the_sql(signed_in, make_user, app, count_queries):
    web, _ = signed_in("manager")
    officer_id = make_user("officer")[0]
    add_audited_clients(app, 3, officer_id)
    texts = {}
    for term in ("Audited0001", "o'brien\" OR 1=1 --", "50%_off\\"):
        with count_queries() as counter:
            response = web.get("/clients", query_string={"q": term, "officer": "", "scheme": "all"})
        assert response.status_code == 200
        sql = caseload_sql(counter.statements)
        assert sql and not any(term in statement or term.lower() in statement for statement in sql)
        texts[term] = sql
    assert texts["Audited0001"] == texts["o'brien\" OR 1=1 --"] == texts["50%_off\\"]
    assert "Audited0001" in web.get("/clients", query_string={"q": "Audited0001", "officer": "",
                                                              "scheme": "all"}).text


def test_one_shape_is_built_once_and_another_shape_apart(signed_in, make_user, app):
    web, _ = signed_in("manager")
    officer_id = make_user("officer")[0]
    add_audited_clients(app, 3, officer_id)
    queries._prepared.cache_clear()
    for officer in (str(officer_id), str(officer_id + 100)):
        assert web.get("/clients", query_string={"officer": officer, "scheme": "all"}).status_code == 200
    assert queries._prepared.cache_info().misses == 1 and queries._prepared.cache_info().hits == 1
    # another filter, another sort: statements of their own, and the right rows in each
    by_officer = web.get("/clients", query_string={"officer": str(officer_id), "scheme": "all"}).text
    nobody = web.get("/clients", query_string={"officer": str(officer_id + 100), "scheme": "all"}).text
    assert by_officer.count("Audited000") == 3 and "Audited000" not in nobody
    web.get("/clients", query_string={"officer": "none", "scheme": "all", "sort": "joined", "direction": "desc"})
    assert queries._prepared.cache_info().misses == 2
