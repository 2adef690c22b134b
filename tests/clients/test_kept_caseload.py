"""A worker keeps a caseload page whole (iom/kept_pages.py) while nothing it shows has changed: it is made again
whenever any change to a client, an offence, the scoring or an account, made any way, replaces the caseload's
generation (migrations 0017 and 0018, iom/generations.py), and for each account, day and address on its own. A change
rolled back leaves it kept; every view is audited, kept or not."""
import re
from datetime import timedelta

from sqlalchemy import delete, func, insert, select, text, update

from iom.auth.models import User
from iom.clients import operations, views
from iom.clients.models import Client, SchemePeriod
from iom.clock import today_in_london
from iom.extensions import db
from iom.generations import CaseloadGeneration
from iom.kept_pages import KeptPages
from iom.offending.models import GravityWeight, Offence, ScoreSettings

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
    """The total the page says, whether it was made (read clients) rather than kept, and the page."""
    with count_queries(fresh=False) as counter:
        response = web.get(url)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    total = int(re.search(r'id="caseload-count" role="status">(\d+) client', page).group(1))
    return total, any("FROM client" in statement for statement in counter.statements), page


def run(app, *statements) -> None:
    with app.app_context():
        for statement in statements:
            db.session.execute(statement)
        db.session.commit()


def test_a_kept_page_reads_nothing_but_the_session_and_writes_its_audit_entry(signed_in, app, count_queries):
    web, _ = signed_in("manager")
    add(app, "Alpha", "Bravo")
    made = web.get(LIST).get_data(as_text=True)
    with count_queries(fresh=False) as counter:
        kept = web.get(LIST).get_data(as_text=True)
    assert kept == made
    # the session (with the generations), then the audit entry: the head claimed, the entry, the head moved
    # (on PostgreSQL the entry and the head's move are one statement)
    with app.app_context():
        audit_statements = 2 if db.engine.dialect.name == "postgresql" else 3
    assert len(counter.statements) == 1 + audit_statements, counter.statements
    assert "user_session" in counter.statements[0] and "caseload_generation" in counter.statements[0]
    with app.app_context():
        viewed = db.session.scalar(select(func.count()).select_from(text("audit_entry"))
                                   .where(text("action = 'clients.listed'")))
    assert viewed == 2


def test_a_page_is_made_again_after_any_change_to_a_client_row(signed_in, app, count_queries):
    web, _ = signed_in("manager")
    add(app, "Alpha", "Bravo")
    web.get(LIST)
    assert shown(web, count_queries)[:2] == (2, False)   # kept
    before = token(app)

    add(app, "Charlie")                                    # through the operations (the ORM)
    assert token(app) != before
    total, made, page = shown(web, count_queries)
    assert (total, made) == (3, True) and "Charlie" in page
    assert shown(web, count_queries)[:2] == (3, False)

    # by a statement, as a merge or disposal does
    run(app, update(Client).where(Client.family_name == "Charlie").values(merged_into_id=1))
    assert shown(web, count_queries)[:2] == (2, True)
    # SQL typed by hand, as an operator might
    run(app, text("UPDATE client SET merged_into_id = NULL WHERE family_name = 'Charlie'"))
    assert shown(web, count_queries)[:2] == (3, True)
    run(app, update(Client).where(Client.family_name == "Bravo").values(pnc_id="11/123456A"))
    assert "11/123456A" in shown(web, count_queries)[2]

    with app.app_context():                                # periods removed and added by statement
        charlie = db.session.scalar(select(Client.id).where(Client.family_name == "Charlie"))
    run(app, delete(SchemePeriod).where(SchemePeriod.client_id == charlie))
    assert shown(web, count_queries)[:2] == (2, True)      # no period: in no list
    run(app, insert(SchemePeriod).values(client_id=charlie, strand="prevent_deter",
                                         joined_on=today_in_london() - timedelta(days=3)))
    assert shown(web, count_queries)[:2] == (3, True)


def test_a_page_is_made_again_after_a_change_to_the_offending_or_its_scoring(signed_in, app, count_queries):
    web, _ = signed_in("manager")
    add(app, "Alpha")
    url = f"{LIST}&sort=score&direction=desc"
    web.get(url)
    assert shown(web, count_queries, url)[1] is False
    with app.app_context():
        alpha = db.session.scalar(select(Client.id))
    # an offence of this week: Alpha gets a score
    run(app, insert(Offence).values(client_id=alpha, offence_type="domestic_burglary", offence_on=today_in_london()))
    _, made, page = shown(web, count_queries, url)
    assert made and "No offences recorded" not in page
    assert shown(web, count_queries, url)[1] is False
    score = re.search(r'govuk-table__cell--numeric">(\d+)</td>', page).group(1)

    # a gravity weight set by hand moves the score
    run(app, insert(GravityWeight).values(offence_type="domestic_burglary", weight=0))
    _, made, page = shown(web, count_queries, url)
    assert made and re.search(r'govuk-table__cell--numeric">(\d+)</td>', page).group(1) != score
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ScoreSettings)) == 0
    before = token(app)
    run(app, delete(GravityWeight))
    assert token(app) != before and shown(web, count_queries, url)[1] is True


def test_a_page_is_made_again_after_a_change_to_an_account(signed_in, app, count_queries, make_user):
    web, _ = signed_in("manager")
    officer_id, _ = make_user("officer", display_name="Olive Officer")
    add(app, "Alpha")
    run(app, update(Client).values(offender_manager_id=officer_id))
    assert "Olive Officer" in web.get(LIST).get_data(as_text=True)
    assert shown(web, count_queries)[1] is False
    run(app, update(User).where(User.id == officer_id).values(display_name="Olive Renamed"))
    _, made, page = shown(web, count_queries)
    assert made and "Olive Renamed" in page and "Olive Officer" not in page


def test_a_change_rolled_back_leaves_the_page_kept(signed_in, app, count_queries):
    web, _ = signed_in("manager")
    add(app, "Alpha", "Bravo")
    web.get(LIST)
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


def test_each_account_address_and_day_has_a_page_of_its_own(app, signed_in, count_queries, monkeypatch):
    web, manager_id = signed_in("manager", display_name="First Manager")
    add(app, "Alpha")
    run(app, update(Client).values(offender_manager_id=manager_id))
    mine = web.get(LIST).get_data(as_text=True)
    assert "(you)" in mine

    # another manager's page says "(you)" of them, not of the first
    other, _ = signed_in("manager", display_name="Second Manager")
    theirs = other.get(LIST).get_data(as_text=True)
    assert "Second Manager (you)" in theirs and "First Manager (you)" not in theirs
    assert "First Manager (you)" in mine and "Second Manager (you)" not in mine

    # another address is another page, even one the filters read the same
    assert shown(web, count_queries, LIST + "&unused=1")[1] is True
    # (the second sign-in changed an account, so the first manager's page was made again: kept since)
    web.get(LIST)
    assert shown(web, count_queries)[1] is False
    # tomorrow's page is made on the day
    monkeypatch.setattr(views, "today_in_london", lambda: today_in_london() + timedelta(days=1))
    assert shown(web, count_queries)[1] is True


def test_pages_kept_under_an_old_generation_are_dropped_when_a_new_one_is_seen():
    kept = KeptPages(size=2)
    kept.put(1, "a", "page a")
    kept.put(1, "b", "page b")
    assert kept.get(1, "a") == "page a"
    kept.put(1, "c", "page c")                           # over the size: the least recently used goes
    assert list(kept.pages) == ["a", "c"]
    assert kept.get(2, "a") is None                       # a new generation: nothing of the old is kept
    assert kept.pages == {}
    kept.put(2, "a", "new a")
    assert kept.get(1, "a") is None and kept.pages == {}


def test_the_triggers_are_there_at_head(app):
    # A migration that rebuilds one of these tables on SQLite (batch_alter_table) drops its triggers: then no
    # change would replace a token and kept pages would go stale. This fails first.
    watched = ("client", "offence", "score_settings", "gravity_weight", "user_account")
    with app.app_context():
        for table in watched:
            if db.engine.dialect.name == "postgresql":
                names = set(db.session.scalars(text(
                    f"SELECT tgname FROM pg_trigger WHERE tgrelid = '{table}'::regclass AND NOT tgisinternal")))
                assert "caseload_generation_bump" in names, table
            else:
                names = set(db.session.scalars(text(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :table"), {"table": table}))
                prefix = "caseload_generation" if table == "client" else f"caseload_generation_{table}"
                assert {f"{prefix}_insert", f"{prefix}_update", f"{prefix}_delete"} <= names, table
        assert list(db.session.scalars(select(CaseloadGeneration.id))) == [1]   # one row for all (0018)


def test_with_keeping_off_every_page_is_made_afresh(signed_in, app, count_queries):
    app.config["KEEP_PAGES"] = False     # IOM_KEEP_PAGES=0
    web, _ = signed_in("manager")
    add(app, "Alpha")
    web.get(LIST)
    assert shown(web, count_queries)[:2] == (1, True)
    assert shown(web, count_queries)[:2] == (1, True)


def test_any_signed_in_request_drops_pages_kept_under_old_generations(signed_in, app):
    web, _ = signed_in("manager")
    add(app, "Alpha")
    web.get(LIST)
    with app.app_context():
        kept = app.extensions["iom.kept_pages"]["caseload"]
        assert len(kept.pages) == 1
    run(app, update(Client).values(family_name="Disposed record"))   # as a disposal does
    assert web.get("/").status_code == 200                            # not the caseload
    assert kept.pages == {}


def test_the_scoring_and_the_officers_are_kept_until_the_generation_changes(signed_in, app, count_queries):
    web, _ = signed_in("manager")
    add(app, "Alpha")
    web.get(LIST)

    def read(url=LIST) -> set[str]:
        with count_queries(fresh=False) as counter:
            assert web.get(url).status_code == 200
        tables = {"score_settings": "FROM score_settings", "gravity_weight": "FROM gravity_weight",
                  "officers": "user_account.role IN", "client": "FROM client"}
        return {name for name, text_ in tables.items() if any(text_ in s for s in counter.statements)}

    everything = {"client", "score_settings", "gravity_weight", "officers"}
    assert read() == set()                 # nothing changed: the page and all it is made of kept
    assert read("/watch-list") == set()    # the watch list reads the same kept scoring
    for change in (insert(Client).values(reference="IOM-BY-HAND", given_name="By", family_name="Hand",
                                         programme="ppo", alcohol_related="no", match_key="byhand"),
                   insert(GravityWeight).values(offence_type="robbery", weight=9),
                   update(User).values(display_name=User.display_name + " (renamed)")):
        run(app, change)                   # any change at all: all made again, then kept
        assert read() == everything
        assert read() == set()


def test_the_kept_template_reads_nothing_the_key_does_not_name(app):
    # The kept content is keyed by the day, the account and its role, the address's root and its arguments
    # (iom/clients/views.py list_clients). A template change that reads anything else of the request, the
    # session or the account (a CSRF token, a flash, the account's name) would be kept for others: fails here.
    from pathlib import Path

    from jinja2 import meta
    source = (Path(app.root_path).parent / "templates/clients/_caseload.html").read_text()
    names = meta.find_undeclared_variables(app.jinja_env.parse(source))
    given = {"page", "filters", "officers", "selected", "headers", "rows", "can_add", "shows_scores", "is_manager"}
    constants = {"strands", "custody_statuses", "cohort_tiers", "dict", "none", "url_for"}
    assert names <= given | constants | {"current_user", "request"}, names - given - constants
    assert set(re.findall(r"current_user\.(\w+)", source)) <= {"id"}
    assert set(re.findall(r"request\.(\w+)", source)) <= {"args"}
    assert not re.search(r"csrf|session|get_flashed_messages|\bg\.", source)
