"""The caseload's statements are built once for each shape of filters and sort (iom/clients/queries.py
_prepared, iom/pagination.prepare): what a person types or chooses is only ever a bound parameter, so a
search for another term, another officer or the next page runs the very same SQL text."""
from datetime import timedelta

from iom.clients import operations, queries
from iom.clock import today_in_london
from iom.extensions import db


def add_audited_clients(app, count: int, officer_id: int) -> None:
    with app.app_context():
        for number in range(count):
            operations.add_client({"given_name": f"Given{number}", "family_name": f"Audited{number:04d}",
                                   "programme": "ppo", "alcohol_related": "no", "offender_manager_id": officer_id},
                                  strand="catch_convict", joined_on=today_in_london() - timedelta(days=100 + number))
        db.session.commit()


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
