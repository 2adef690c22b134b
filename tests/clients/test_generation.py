"""The caseload's count is kept by the worker under the clients' generation (migration 0017, iom/pagination.py
Prepared.page) and worked out again whenever any change to a client row, made any way, replaces the token;
a change rolled back leaves the count as it was. The rows of a page are always read afresh."""
import re
from datetime import timedelta

from sqlalchemy import delete, insert, select, text, update

from iom.clients import operations
from iom.clients.models import CaseloadGeneration, Client, SchemePeriod
from iom.clock import today_in_london
from iom.extensions import db

LIST = "/clients?officer=&scheme=all"


def add(app, *families: str) -> None:
    with app.app_context():
        for family in families:
            operations.add_client({"given_name": "Kept", "family_name": family, "programme": "ppo",
                                   "alcohol_related": "no"}, strand="catch_convict",
                                  joined_on=today_in_london() - timedelta(days=30))
        db.session.commit()


def token(app) -> int:
    with app.app_context():
        return db.session.scalar(select(CaseloadGeneration.token))


def shown(web, count_queries, url=LIST) -> tuple[int, bool, str]:
    """The total the page says, whether it counted, and the page."""
    with count_queries() as counter:
        response = web.get(url)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    total = int(re.search(r'id="caseload-count" role="status">(\d+) client', page).group(1))
    return total, any("count(" in statement for statement in counter.statements), page


def test_a_count_is_kept_until_a_client_row_changes(signed_in, app, count_queries):
    web, _ = signed_in("manager")
    add(app, "Alpha", "Bravo")
    web.get(LIST)
    assert shown(web, count_queries) [:2] == (2, False)   # kept: no count run
    before = token(app)

    add(app, "Charlie")                                    # through the operations (the ORM)
    assert token(app) != before
    total, counted, page = shown(web, count_queries)
    assert (total, counted) == (3, True) and "Charlie" in page
    assert shown(web, count_queries)[:2] == (3, False)

    with app.app_context():                                # by a statement, as a merge or disposal does
        db.session.execute(update(Client).where(Client.family_name == "Charlie").values(merged_into_id=1))
        db.session.commit()
    assert shown(web, count_queries)[:2] == (2, True)

    with app.app_context():                                # SQL typed by hand, as an operator might
        db.session.execute(text("UPDATE client SET merged_into_id = NULL WHERE family_name = 'Charlie'"))
        db.session.commit()
    assert shown(web, count_queries)[:2] == (3, True)

    with app.app_context():                                # rows added and removed by statement
        charlie = db.session.scalar(select(Client.id).where(Client.family_name == "Charlie"))
        db.session.execute(delete(SchemePeriod).where(SchemePeriod.client_id == charlie))
        db.session.commit()
    assert shown(web, count_queries)[:2] == (2, True)      # no period: in no list
    with app.app_context():
        db.session.execute(insert(SchemePeriod), [{"client_id": charlie, "strand": "prevent_deter",
                                                   "joined_on": today_in_london() - timedelta(days=3)}])
        db.session.commit()
    assert shown(web, count_queries)[:2] == (3, True)


def test_a_change_rolled_back_leaves_the_count_as_it_was(signed_in, app, count_queries):
    web, _ = signed_in("manager")
    add(app, "Alpha", "Bravo")
    assert shown(web, count_queries)[0] == 2
    before = token(app)
    with app.app_context():
        operations.add_client({"given_name": "Never", "family_name": "Saved", "programme": "ppo",
                               "alcohol_related": "no"}, strand="catch_convict",
                              joined_on=today_in_london() - timedelta(days=1))
        db.session.flush()
        assert db.session.scalar(select(CaseloadGeneration.token)) != before   # seen inside the transaction
        db.session.rollback()
    assert token(app) == before
    assert shown(web, count_queries)[:2] == (2, False)


def test_the_rows_of_a_page_are_read_afresh_even_when_its_count_is_kept(signed_in, app, count_queries):
    web, _ = signed_in("manager")
    add(app, "Alpha", "Bravo")
    web.get(LIST)
    with app.app_context():
        db.session.execute(update(Client).where(Client.family_name == "Bravo").values(pnc_id="11/123456A"))
        db.session.commit()
    assert "11/123456A" in shown(web, count_queries)[2]


def test_a_count_by_score_or_officer_is_never_kept(signed_in, app, count_queries):
    web, _ = signed_in("manager")
    add(app, "Alpha")
    for sort in ("score", "officer"):
        url = f"{LIST}&sort={sort}"
        web.get(url)
        assert shown(web, count_queries, url)[:2] == (1, True)


def test_the_triggers_are_there_at_head(app):
    # A migration that rebuilds the client table on SQLite (batch_alter_table) drops its triggers: then no
    # change would replace the token and kept counts would go stale. This fails first.
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            names = set(db.session.scalars(text(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'client'::regclass AND NOT tgisinternal")))
            assert "caseload_generation_bump" in names
        else:
            names = set(db.session.scalars(text(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'client'")))
            assert {"caseload_generation_insert", "caseload_generation_update",
                    "caseload_generation_delete"} <= names
        assert db.session.scalar(select(CaseloadGeneration.id)) == 1
