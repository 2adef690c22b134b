"""Fixtures: a migrated database per test (SQLite file copy, or a truncated PostgreSQL
schema when TEST_DATABASE_URL is set; one database per pytest-xdist worker), the app, a client,
a CLI runner, accounts. The builders are in tests/builders.py, page helpers in tests/pages.py."""
import os
import re
import shutil
from datetime import timedelta

import pytest
import time_machine
from flask_migrate import upgrade
from sqlalchemy import create_engine, event, inspect, text

from iom import create_app
from iom.clients import latest
from iom.config import normalise_database_url
from iom.extensions import db
import tests.pages
from tests.pages import DEFAULT_PASSWORD, TEST_TOTP_SECRET, sign_in

# The builders' fixtures (make_client, make_referral, staff, ...): see tests/builders.py.
pytest_plugins = ["tests.builders"]

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
ON_POSTGRES = bool(TEST_DATABASE_URL)
# Under pytest-xdist (`-n 2`) each worker process (gw0, gw1, ...) gets a database of its own on
# PostgreSQL: <db>_gw0, <db>_gw1, ... made beside TEST_DATABASE_URL's (see _worker_database).
# On SQLite each worker already has its own temporary folder, so its own files.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER")

# "Today" for the whole suite. No test reads the wall clock: the app asks iom.clock, and the
# suite pins the clock before any test module is imported (module-level TODAY constants
# included). IOM_TEST_TODAY=YYYY-MM-DD pins the suite to noon (London) on that day
# (the clock keeps ticking, so durations and expiry still pass); without it, the day the run
# started. `make test-dates` runs the suite on each of the days that once broke it.


def _pinned_moment():
    from datetime import date, datetime

    from iom.clock import LONDON, utcnow
    # xdist workers pin the moment their controller pinned, so every worker has the same "today"
    # even when the run starts a moment before midnight.
    inherited = os.environ.get("IOM_TEST_PINNED_AT")
    if inherited:
        return datetime.fromisoformat(inherited)
    real = utcnow().astimezone(LONDON)
    wanted = os.environ.get("IOM_TEST_TODAY", "").strip()
    if not wanted:
        return real
    day = date.fromisoformat(wanted)
    # Noon on the day in London: far from midnight, so a long run cannot cross into the next day.
    return datetime(day.year, day.month, day.day, 12, 0, tzinfo=LONDON)


# Started as this file is imported, not in pytest_configure: given a folder (`pytest
# tests/referrals`), pytest imports that folder's conftest.py, and its module-level TODAY,
# before any pytest_configure runs; this root conftest is always imported first.
_PINNED_MOMENT = _pinned_moment()
os.environ.setdefault("IOM_TEST_PINNED_AT", _PINNED_MOMENT.isoformat())  # inherited by xdist workers
_PINNED_TRAVEL = time_machine.travel(_PINNED_MOMENT, tick=True)
tests.pages.suite_clock = _PINNED_TRAVEL.start()


def pytest_unconfigure(config):
    _PINNED_TRAVEL.stop()


@pytest.fixture(autouse=True, scope="session")
def quick_password_hashing():
    """Argon2id at its lightest for tests: the same code path, a fraction of the time.
    (tests/auth/test_passwords.py checks the real hash format.)"""
    from argon2 import PasswordHasher

    from iom.auth import passwords
    original = passwords._hasher
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    yield
    passwords._hasher = original


def pytest_report_header(config):
    return [f"database: {describe_database(config)}", f"today (pinned): {_describe_today()}"]


def pytest_terminal_summary(terminalreporter):
    terminalreporter.write_line(
        f"Ran on database: {describe_database(terminalreporter.config)}; today pinned to {_describe_today()}")


def _describe_today() -> str:
    from iom.clock import today_in_london
    source = "IOM_TEST_TODAY" if os.environ.get("IOM_TEST_TODAY", "").strip() else "the day the run started"
    return f"{today_in_london().isoformat()} ({source})"


def describe_database(config=None) -> str:
    workers = getattr(config.option, "numprocesses", None) if config else None
    if ON_POSTGRES:
        shown = re.sub(r'//[^@/]*@', '//', TEST_DATABASE_URL)
        return f"PostgreSQL ({shown}{'_gw0, _gw1, ...: one database per xdist worker' if workers else ''})"
    return "SQLite (a migrated file copied for each test" + (", in each xdist worker)" if workers else ")")


def _worker_database(url: str, worker: str) -> str:
    """url with its database name suffixed by the xdist worker's id, the database created (from
    the `postgres` maintenance database) if it is missing."""
    from sqlalchemy.engine import make_url
    main = make_url(normalise_database_url(url))
    mine = main.set(database=f"{main.database}_{worker}")
    engine = create_engine(main.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                    {"name": mine.database}).scalar()
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{mine.database}"'))
    engine.dispose()
    return mine.render_as_string(hide_password=False)


def _base_config(uri: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-" + "x" * 32,
        "PSEUDONYM_KEY": "test-pseudonym-key-" + "y" * 32,
        "AUDIT_KEY": "test-audit-key-" + "y" * 32,
        "SQLALCHEMY_DATABASE_URI": uri,
        "SERVER_NAME": None,
    }


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """Build the schema once with the real migrations; tests start from a copy of it."""
    if ON_POSTGRES:
        uri = normalise_database_url(TEST_DATABASE_URL)
        if XDIST_WORKER:
            uri = _worker_database(uri, XDIST_WORKER)
        engine = create_engine(uri)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    else:
        path = tmp_path_factory.mktemp("template") / "template.sqlite3"
        uri = f"sqlite:///{path}"
    app = create_app(_base_config(uri))
    with app.app_context():
        upgrade()
        if not ON_POSTGRES:
            db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        db.engine.dispose()
    return uri


def _reset_postgres(uri: str) -> None:
    engine = create_engine(uri)
    with engine.begin() as connection:
        tables = [row[0] for row in connection.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"))]
        if tables:
            # the audit trail refuses TRUNCATE; a test database may be reset by the superuser
            connection.execute(text("SET session_replication_role = replica"))
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            connection.execute(text("SET session_replication_role = DEFAULT"))
        connection.execute(text(
            "INSERT INTO audit_chain_head (id, last_seq, last_hash) VALUES (1, 0, :h)"), {"h": "0" * 64})
        if "caseload_generation" in tables:  # the row its migration makes (0017)
            connection.execute(text("INSERT INTO caseload_generation (id, token) VALUES (1, 0)"))
    engine.dispose()


@pytest.fixture
def database_uri(database_template, tmp_path):
    if ON_POSTGRES:
        _reset_postgres(database_template)
        return database_template
    path = tmp_path / "test.sqlite3"
    shutil.copyfile(database_template.removeprefix("sqlite:///"), path)
    return f"sqlite:///{path}"


@pytest.fixture
def app(database_uri):
    app = create_app(_base_config(database_uri))
    yield app
    with app.app_context():
        db.session.remove()
        # every test, whatever it wrote and however: each client's kept latest period and custody status
        # (iom/clients/latest.py) still agree with their rows
        if inspect(db.engine).has_table("client") and "latest_custody_status" in {
                column["name"] for column in inspect(db.engine).get_columns("client")}:
            assert latest.check(db.session) == [], "a client's latest period or custody status was not kept"
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    """Build an account directly through the operation the pages use."""
    from iom.auth import operations
    counter = iter(range(1, 10_000))

    def build(role="officer", username=None, password=DEFAULT_PASSWORD, **kwargs):
        username = username or f"{role}{next(counter)}"
        kwargs.setdefault("totp_secret", TEST_TOTP_SECRET)  # totp_secret=None: they set it up at first sign-in
        with app.app_context():
            user = operations.create_user(username, role, password, actor_label="test", **kwargs)
            db.session.commit()
            return user.id, username
    return build


@pytest.fixture
def signed_in(app, client, make_user):
    """A client signed in with the given role: signed_in('manager') -> (client, user_id). The first call
    signs in the test's `client`; each later one another browser (a new client), since signing in again
    in a browser already signed in leaves the first person signed in."""
    browsers = []

    def as_role(role="officer", **kwargs):
        user_id, username = make_user(role, **kwargs)
        browser = app.test_client() if browsers else client
        browsers.append(browser)
        response = sign_in(browser, app, username)
        assert response.status_code == 302, response.text
        return browser, user_id
    return as_role


@pytest.fixture
def ctx(app):
    """Run the test inside an app context (for tests that build rows and read figures directly)."""
    with app.app_context():
        yield


@pytest.fixture
def count_queries(app):
    """Count SQL statements run inside a block: with count_queries() as counter: ...; counter.count.
    Each block starts with nothing kept by the worker (kept pages, the kept scoring and officer list), so it
    counts what a page costs to make; count_queries(fresh=False) counts with what is kept
    (tests/clients/test_kept_caseload.py)."""
    from contextlib import contextmanager

    @contextmanager
    def counting(fresh: bool = True):
        if fresh:
            app.extensions["iom.kept_pages"].clear()
            app.extensions.pop("iom.generations", None)
        class Counter:
            count = 0
            statements: list = []
        counter = Counter()
        counter.statements = []
        with app.app_context():
            engine = db.engine

        def before(conn, cursor, statement, parameters, context, executemany):
            counter.count += 1
            counter.statements.append(statement)
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", before)
    return counting


@pytest.fixture
def live_server(tmp_path, database_template):
    """The app served over real HTTP on 127.0.0.1, with a file-based SQLite database."""
    import threading

    from werkzeug.serving import make_server

    path = tmp_path / "live.sqlite3"
    if ON_POSTGRES:
        # the live server always uses SQLite; build one from the migrations
        uri = f"sqlite:///{path}"
        build = create_app(_base_config(uri))
        with build.app_context():
            upgrade()
            db.engine.dispose()
    else:
        shutil.copyfile(database_template.removeprefix("sqlite:///"), path)
        uri = f"sqlite:///{path}"
    # Chromium keeps its own clock, not the suite's pinned one: a cookie expiring 30 minutes
    # after a pinned day in the past would be dropped by the browser. The idle timeout that
    # matters is enforced on the session row in the database (IDLE_TIMEOUT), not by the cookie.
    app = create_app({**_base_config(uri), "TESTING": False,
                      "PERMANENT_SESSION_LIFETIME": timedelta(days=365 * 10)})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    class Live:
        url = f"http://127.0.0.1:{server.server_port}"
    Live.app = app
    yield Live
    server.shutdown()
    thread.join(timeout=5)
    with app.app_context():
        db.engine.dispose()
