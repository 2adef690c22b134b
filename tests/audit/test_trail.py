"""The audit trail: record() chains entries by hash, the database refuses edits, verification
finds tampering, a failed audit write fails the change, and /audit lets managers read it."""
from datetime import datetime, timezone

import pytest
import sqlalchemy.exc
from sqlalchemy import func, select, text

import iom.audit
from iom.audit import entry_digest, record, verify_chain
from iom.audit.models import GENESIS_HASH, AuditChainHead, AuditEntry
from iom.auth.models import User, UserSession
from iom.extensions import db
from tests.conftest import ON_POSTGRES
from tests.pages import Page as _Page, pagination_link, post_form, sign_in

# What the append-only triggers raise, as SQLAlchemy wraps it: SQLite's RAISE(ABORT, ...) is a
# constraint failure (sqlite3.IntegrityError -> IntegrityError); PL/pgSQL's RAISE EXCEPTION is
# SQLSTATE P0001 (psycopg.errors.RaiseException, a ProgrammingError). Both are DBAPIErrors.
APPEND_ONLY_ERROR = sqlalchemy.exc.ProgrammingError if ON_POSTGRES else sqlalchemy.exc.IntegrityError



# --- helpers ----------------------------------------------------------------------------------

class Page(_Page):
    @property
    def seqs(self) -> list[int]:
        """The entry numbers listed, in page order (a lone 'no entries' cell gives [])."""
        return [int(row[0]) for row in self.rows if len(row) == 6]


def entries(app, **where) -> list[AuditEntry]:
    """Audit entries (detached, fully loaded) in chain order, optionally filtered by column."""
    with app.app_context():
        query = select(AuditEntry).order_by(AuditEntry.seq)
        for column, value in where.items():
            query = query.where(getattr(AuditEntry, column) == value)
        rows = db.session.scalars(query).unique().all()
        db.session.expunge_all()
        return rows


def seqs(app, **where) -> list[int]:
    return [entry.seq for entry in entries(app, **where)]


def record_entries(app, count, *, action="test.entry", actor_id=None, subject=None, at=None):
    """Write `count` entries with record() and commit; `at` fixes their occurred_at."""
    with app.app_context():
        actor = db.session.get(User, actor_id) if actor_id else None
        for number in range(count):
            record(action, f"Test entry {number + 1}", subject=subject, actor=actor,
                   changes={"number": [None, number + 1]})
        db.session.commit()


def verify(app):
    with app.app_context():
        return verify_chain()


def execute(app, statement: str) -> None:
    with app.app_context():
        db.session.execute(text(statement))
        db.session.commit()


# --- the chain --------------------------------------------------------------------------------

def test_record_chains_each_entry_to_the_one_before(app, make_user):
    user_id, username = make_user("officer")  # account.created is entry 1
    with app.app_context():
        user = db.session.get(User, user_id)
        record("test.one", "First", subject=user, actor=user, changes={"x": [1, 2]})
        record("test.two", "Second", subject=("client", 42))
        record("test.three", "Third — “quoted”, £5", changes={"when": [None, datetime(2011, 4, 1, tzinfo=timezone.utc)]})
        db.session.commit()

    chain = entries(app)
    assert [entry.seq for entry in chain] == [1, 2, 3, 4]
    assert chain[0].prev_hash == GENESIS_HASH
    for before, after in zip(chain, chain[1:]):
        assert after.prev_hash == before.entry_hash
    with app.app_context():
        for entry in chain:
            assert entry.entry_hash == entry_digest(entry)  # hashes survive the round trip
    assert len({entry.entry_hash for entry in chain}) == 4
    second, third, fourth = chain[1:]
    assert (second.action, second.actor_id, second.actor_label) == ("test.one", user_id, username)
    assert (second.subject_type, second.subject_id) == ("user_account", str(user_id))
    assert (third.subject_type, third.subject_id, third.actor_label) == ("client", "42", "system")
    assert fourth.changes == {"when": [None, "2011-04-01 00:00:00+00:00"]}
    with app.app_context():
        head = db.session.get(AuditChainHead, 1)
        assert (head.last_seq, head.last_hash) == (4, chain[-1].entry_hash)
    report = verify(app)
    assert report.is_intact and report.entries_checked == 4


def test_the_chain_is_intact_after_real_activity(app, signed_in, make_user, runner):
    admin_client, admin_id = signed_in("admin")
    officer_id, officer_name = make_user("officer")
    post_form(admin_client, app, "/admin/users/new", {"username": "new.person", "display_name": "New Person",
                                                      "role": "housing", "password": "copper kettle meadow 17"})
    post_form(admin_client, app, f"/admin/users/{officer_id}/role", {"role": "manager", "version": "1"})
    sign_in(app.test_client(), app, officer_name, "wrong password entirely")
    manager = app.test_client()
    assert sign_in(manager, app, officer_name).status_code == 302
    assert manager.get("/audit").status_code == 200
    post_form(manager, app, "/logout")
    post_form(admin_client, app, f"/admin/users/{officer_id}/deactivate", {"version": "2"})

    actions = [entry.action for entry in entries(app)]
    for action in ("account.created", "sign_in.succeeded", "sign_in.failed", "account.role_changed",
                   "audit.viewed", "sign_out", "account.deactivated"):
        assert action in actions
    report = verify(app)
    assert report.is_intact, report
    assert report.entries_checked == len(actions)

    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 0, result.output
    assert f"Audit trail intact: {len(actions)} entries checked." in result.output


# --- the database refuses changes -------------------------------------------------------------

@pytest.mark.parametrize("statement", [
    "UPDATE audit_entry SET summary = 'nothing to see here' WHERE seq = 2",
    "DELETE FROM audit_entry WHERE seq = 2",
    "DELETE FROM audit_entry",
])
def test_the_database_refuses_to_change_or_remove_entries(app, statement):
    record_entries(app, 3)
    before = [(e.seq, e.summary, e.entry_hash) for e in entries(app)]
    with app.app_context():
        with pytest.raises(sqlalchemy.exc.DBAPIError) as raised:
            db.session.execute(text(statement))
        db.session.rollback()
    assert isinstance(raised.value, APPEND_ONLY_ERROR), type(raised.value)
    assert "audit entries are append-only" in str(raised.value)
    assert [(e.seq, e.summary, e.entry_hash) for e in entries(app)] == before
    assert verify(app).is_intact


def test_the_orm_cannot_edit_an_entry_either(app):
    record_entries(app, 2)
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.seq == 1))
        entry.summary = "rewritten"
        with pytest.raises(APPEND_ONLY_ERROR, match="append-only"):
            db.session.commit()
        db.session.rollback()
    assert entries(app)[0].summary == "Test entry 1"


# --- verification finds tampering -------------------------------------------------------------

def tampered(app, runner, statement: str):
    """Five entries, the statement run behind the app's back, then verified both ways:
    (the report, audit-verify's output); both must say the trail is broken."""
    record_entries(app, 5)
    execute(app, statement)
    report = verify(app)
    assert not report.is_intact
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 1
    return report, result.output


def test_an_edited_entry_is_found(app, runner, without_append_only_triggers):
    report, output = tampered(app, runner, "UPDATE audit_entry SET summary = 'Test entry three, edited' WHERE seq = 3")
    assert (report.first_bad_seq, report.entries_checked) == (3, 2)
    assert report.problem == "entry 3 was changed after it was written, or forged (its hash does not match under the audit key)"
    assert "Audit trail BROKEN at entry 3: entry 3 was changed after it was written" in output
    assert "Audit trail intact" not in output


def test_an_edit_with_a_recomputed_hash_is_found_at_the_next_entry(app, without_append_only_triggers):
    record_entries(app, 5)
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.seq == 3))
        entry.summary = "Test entry three, edited carefully"
        entry.entry_hash = entry_digest(entry)
        db.session.commit()
    report = verify(app)
    assert not report.is_intact
    assert report.first_bad_seq == 4
    assert report.problem == "entry 4 does not follow entry 3"


def test_a_removed_middle_entry_is_found(app, runner, without_append_only_triggers):
    report, output = tampered(app, runner, "DELETE FROM audit_entry WHERE seq = 3")
    assert (report.first_bad_seq, report.entries_checked) == (3, 2)
    assert report.problem == "entry 3 is missing (next found is 4)"
    assert "BROKEN at entry 3" in output


def test_a_removed_last_entry_is_found(app, runner, without_append_only_triggers):
    report, output = tampered(app, runner, "DELETE FROM audit_entry WHERE seq = 5")
    assert (report.first_bad_seq, report.entries_checked) == (5, 4)
    assert report.problem == "the trail should end at entry 5 but ends at entry 4"
    assert "BROKEN at entry 5" in output


def test_audit_verify_exits_0_on_an_empty_or_intact_trail(app, runner):
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 0 and "0 entries checked" in result.output
    record_entries(app, 3)
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 0 and "3 entries checked" in result.output


# --- fail closed ------------------------------------------------------------------------------

def _audit_is_down(*args, **kwargs):
    raise RuntimeError("the audit trail cannot be written")


def test_a_user_is_not_added_when_the_audit_entry_cannot_be_written(app, signed_in, monkeypatch):
    client, _ = signed_in("admin")
    before_entries = seqs(app)
    with app.app_context():
        before_users = db.session.scalar(select(func.count()).select_from(User))
    app.config["PROPAGATE_EXCEPTIONS"] = False
    monkeypatch.setattr(iom.audit, "record", _audit_is_down)

    response = post_form(client, app, "/admin/users/new", {
        "username": "not.audited", "display_name": "Not Audited", "role": "officer",
        "password": "copper kettle meadow 17"})

    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in Page(response).title
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "not.audited")) is None
        assert db.session.scalar(select(func.count()).select_from(User)) == before_users
    assert seqs(app) == before_entries
    monkeypatch.setattr(iom.audit, "record", record)
    assert verify(app).is_intact


def test_a_role_is_not_changed_when_the_audit_entry_cannot_be_written(app, signed_in, make_user, monkeypatch):
    client, _ = signed_in("admin")
    officer_id, officer_name = make_user("officer")
    officer_client = app.test_client()
    assert sign_in(officer_client, app, officer_name).status_code == 302
    app.config["PROPAGATE_EXCEPTIONS"] = False
    monkeypatch.setattr(iom.audit, "record", _audit_is_down)

    response = post_form(client, app, f"/admin/users/{officer_id}/role", {"role": "manager", "version": "1"})

    assert response.status_code == 500
    with app.app_context():
        officer = db.session.get(User, officer_id)
        assert (officer.role, officer.version) == ("officer", 1)
        live = db.session.scalar(select(func.count()).select_from(UserSession).where(
            UserSession.user_id == officer_id, UserSession.ended_at.is_(None)))
        assert live == 1  # the ended sessions were rolled back with the role change
    assert officer_client.get("/").status_code == 200


# --- the audit trail page ---------------------------------------------------------------------

@pytest.fixture
def manager(signed_in):
    """A signed-in manager: (client, user_id)."""
    return signed_in("manager")


def test_the_page_lists_entries_newest_first(app, manager):
    client, _ = manager
    record_entries(app, 3)
    existing = seqs(app)
    response = client.get("/audit")
    page = Page(response)
    assert page.seqs == sorted(existing, reverse=True)
    assert page.seqs[:3] == sorted(seqs(app, action="test.entry"), reverse=True)
    assert f"{len(existing)} entries" in response.get_data(as_text=True)
    summaries = [row[3] for row in page.rows]
    assert "Test entry Test entry 3" in summaries  # the action in words (not labelled: its name), then the summary


def test_viewing_the_page_is_itself_audited(app, manager):
    client, manager_id = manager
    assert client.get("/audit?user=&subject_type=client&subject_id=7").status_code == 200
    [viewed] = entries(app, action="audit.viewed")
    assert viewed.actor_id == manager_id
    assert viewed.changes == {"filters": [None, {"subject_type": "client", "subject_id": "7"}]}
    assert verify(app).is_intact


def test_filter_by_who_did_it(app, manager, make_user):
    client, _ = manager
    ann_id, ann = make_user("officer", username="ann")
    bob_id, bob = make_user("officer", username="bob")
    record_entries(app, 2, actor_id=ann_id)
    record_entries(app, 3, actor_id=bob_id)

    page = Page(client.get(f"/audit?user={ann_id}"))
    assert page.seqs == sorted(seqs(app, actor_id=ann_id), reverse=True)
    assert len(page.seqs) == 2 and {row[2] for row in page.rows} == {"ann"}
    assert page.selected["user"] == str(ann_id)


def test_filter_by_record(app, manager):
    client, _ = manager
    record_entries(app, 2, subject=("client", 1))
    record_entries(app, 1, subject=("client", 12))
    record_entries(app, 1, subject=("referral", 1))

    page = Page(client.get("/audit?subject_type=client&subject_id=1"))
    assert page.seqs == sorted(seqs(app, subject_type="client", subject_id="1"), reverse=True)
    assert len(page.seqs) == 2 and {row[4] for row in page.rows} == {"Client number 1"}  # no such client
    assert page.selected["subject_type"] == "client" and page.input_values["subject_id"] == "1"

    page = Page(client.get("/audit?subject_type=client"))
    assert len(page.seqs) == 3


@pytest.mark.parametrize("query, expected", [
    # Winter (GMT): a London day is the UTC day.
    ("from=25/11/2011&to=25/11/2011", ["25 Nov 00:00", "25 Nov 23:59"]),
    ("from=2011-11-25&to=2011-11-25", ["25 Nov 00:00", "25 Nov 23:59"]),
    ("from=25/11/2011", ["25 Nov 00:00", "25 Nov 23:59", "26 Nov 00:00"]),
    ("to=24/11/2011", ["24 Nov 23:59", "1 Jul 00:30", "1 Jul 23:59", "2 Jul 00:00"]),
    # Summer (BST): the London day 1 July 2011 runs 30 June 23:00 UTC to 1 July 22:59:59 UTC.
    ("from=1/7/2011&to=1/7/2011", ["1 Jul 00:30", "1 Jul 23:59"]),
    ("from=01/07/2011&to=02/07/2011", ["1 Jul 00:30", "1 Jul 23:59", "2 Jul 00:00"]),
], ids=["one-winter-day", "iso-dates", "from-only", "to-only", "one-summer-day", "two-summer-days"])
def test_filter_by_date_range_uses_uk_days(app, manager, monkeypatch, query, expected):
    client, _ = manager
    moments = {  # label (London time) -> the UTC moment stored
        "1 Jul 00:30": datetime(2011, 6, 30, 23, 30, tzinfo=timezone.utc),
        "1 Jul 23:59": datetime(2011, 7, 1, 22, 59, 59, tzinfo=timezone.utc),
        "2 Jul 00:00": datetime(2011, 7, 1, 23, 0, tzinfo=timezone.utc),
        "24 Nov 23:59": datetime(2011, 11, 24, 23, 59, 59, 999999, tzinfo=timezone.utc),
        "25 Nov 00:00": datetime(2011, 11, 25, 0, 0, tzinfo=timezone.utc),
        "25 Nov 23:59": datetime(2011, 11, 25, 23, 59, 59, 999999, tzinfo=timezone.utc),
        "26 Nov 00:00": datetime(2011, 11, 26, 0, 0, tzinfo=timezone.utc),
    }
    label_of = {}
    for label, moment in moments.items():
        with monkeypatch.context() as clock:
            clock.setattr(iom.audit, "utcnow", lambda: moment)
            with app.app_context():
                label_of[record("test.dated", label).seq] = label
                db.session.commit()

    # action= keeps today's sign-in and page-view entries out of open-ended ranges
    page = Page(client.get(f"/audit?{query}&action=test.dated"))

    assert not page.summary_errors
    assert sorted(label_of[seq] for seq in page.seqs) == sorted(expected)


@pytest.mark.parametrize("query, field, message", [
    ("from=31/02/2026", "from", "From date must be a real date, like 27/3/2011"),
    ("to=31/02/2026", "to", "To date must be a real date, like 27/3/2011"),
    ("from=yesterday", "from", "From date must be a real date, like 27/3/2011"),
    ("from=2026-02-30", "from", "From date must be a real date, like 27/3/2011"),
    ("from=25/11/2026&to=24/11/2026", "to", "To date must be the same as or after the from date"),
    ("from=1/1/99999999999999999999", "from", "From date must be a real date, like 27/3/2011"),
], ids=["31-february", "31-february-to", "words", "iso-30-february", "to-before-from", "huge-year"])
def test_a_date_that_is_not_real_gives_a_govuk_error(app, manager, query, field, message):
    client, _ = manager
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get(f"/audit?{query}")
    assert response.status_code == 200
    page = Page(response)
    assert page.title.startswith("Error: ")
    assert page.summary_errors == [message]
    assert page.field_errors[f"{field}-error"] == message
    typed = dict(part.split("=") for part in query.split("&"))
    assert page.input_values[field] == typed[field]  # what was typed is kept to correct


@pytest.mark.parametrize("query", ["user=99999999999999999999", "page=99999999999999999999"])
def test_a_number_too_big_for_the_database_does_not_break_the_page(app, manager, query):
    """Hand-edited addresses: an unknown user or a page past the end, not a server error."""
    client, _ = manager
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get(f"/audit?{query}")
    assert response.status_code in (200, 400, 404)


def test_the_page_runs_the_same_queries_for_5_or_120_entries(app, manager, count_queries, make_user):
    client, _ = manager
    actor_ids = [make_user("officer")[0] for _ in range(3)]
    for actor_id in actor_ids:
        record_entries(app, 1, actor_id=actor_id, subject=("client", actor_id))
    record_entries(app, 5 - len(seqs(app, action="test.entry")))
    client.get("/audit")  # warm up: first-request work is not what is measured

    with count_queries() as few:
        assert client.get("/audit").status_code == 200
    for actor_id in actor_ids:
        record_entries(app, 20, actor_id=actor_id, subject=("client", actor_id))
    record_entries(app, 120 - len(seqs(app, action="test.entry")))
    assert len(seqs(app, action="test.entry")) == 120
    with count_queries() as many:
        page = Page(client.get("/audit"))

    assert len(page.seqs) == 50  # a full page was rendered
    assert many.count == few.count, "\n".join(many.statements)


def test_an_officer_cannot_read_the_audit_trail(app, signed_in):
    client, officer_id = signed_in("officer")
    assert client.get("/audit").status_code == 403
    assert client.get("/audit?user=1").status_code == 403
    assert entries(app, action="audit.viewed") == []
    denied = entries(app, action="access.denied")
    assert len(denied) == 2 and denied[0].actor_id == officer_id


def test_administrators_see_which_client_fields_changed_but_not_the_values(app, client, make_user):
    from datetime import date as _date

    from iom.clients import operations as client_operations
    from tests.pages import sign_in as _sign_in
    with app.app_context():
        client_operations.add_client({"given_name": "Secret", "family_name": "Person", "pnc_id": "11/123456H"},
                                     strand="catch_convict", joined_on=_date(2011, 4, 1))
        db.session.commit()
    _, admin = make_user("admin", username="the.admin")
    assert _sign_in(client, app, admin).status_code == 302
    page = client.get("/audit?subject_type=client").text
    assert "Client added and adopted onto the scheme" in page
    assert "Changed: Given name, Family name, PNC ID, Programme" in page
    assert "Secret" not in page and "11/123456H" not in page
    _, manager = make_user("manager", username="the.manager")
    other = app.test_client()
    _sign_in(other, app, manager)
    assert "Secret" in other.get("/audit?subject_type=client").text


def test_pages_are_keyed_by_entry_number_and_keep_their_filters(app, manager, count_queries):
    """Page 2 starts below page 1's last entry whatever is written meanwhile (the trail only grows),
    a filter stays on every page, and each page runs the same number of queries."""
    client, _ = manager
    record_entries(app, 120)
    wanted = sorted(seqs(app, action="test.entry"), reverse=True)
    first = client.get("/audit?action=test.entry")
    assert Page(first).seqs == wanted[:50] and pagination_link(first, "prev") is None
    assert "120 entries, page 1 of 3" in first.get_data(as_text=True)
    next_address = pagination_link(first, "next")
    assert f"before={wanted[49]}" in next_address and "action=test.entry" in next_address

    record_entries(app, 3)  # written after page 1 was read: page 2 neither repeats nor skips an entry
    with count_queries() as first_page:
        client.get("/audit?action=test.entry")
    with count_queries() as second_page:
        second = client.get(next_address)
    assert second_page.count == first_page.count, "\n".join(second_page.statements)
    assert Page(second).seqs == wanted[50:100]
    assert "page 2 of 3" in second.get_data(as_text=True)

    third = client.get(pagination_link(second, "next"))
    assert Page(third).seqs == wanted[100:] and pagination_link(third, "next") is None
    back = client.get(pagination_link(third, "prev"))
    assert Page(back).seqs == wanted[50:100]
    top = client.get(pagination_link(back, "prev"))
    assert Page(top).seqs == wanted[:50]  # the page as first read; the 3 newer ones are a page before it
    newest = sorted(seqs(app, action="test.entry"), reverse=True)
    assert Page(client.get(pagination_link(top, "prev"))).seqs == newest[:50]
