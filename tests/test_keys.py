"""Keys that can be rotated: SECRET_KEY required off the embedded SQLite, SECRET_KEY_FALLBACKS honoured by
the session cookie and the CSRF token while rotating, and the pseudonyms' own key."""
import pytest

from iom import create_app
from iom.config import MissingKey, configure_keys, from_environment
from iom.extensions import db
from iom.reports.pseudonyms import Pseudonyms
from tests.conftest import _base_config
from tests.pages import csrf_token, sign_in

OLD, NEW = "the-old-session-key-" + "o" * 32, "the-new-session-key-" + "n" * 32


@pytest.fixture
def no_key_environment(monkeypatch):
    for variable in ("SECRET_KEY", "SECRET_KEY_FALLBACKS", "IOM_PSEUDONYM_KEY", "AUDIT_KEY"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql://someone@db.internal:5432/iom")


def test_the_service_will_not_start_on_postgresql_without_a_secret_key(no_key_environment):
    with pytest.raises(MissingKey, match="SECRET_KEY is not set. The database is not the embedded SQLite"):
        create_app()


def test_nor_without_the_pseudonyms_key(no_key_environment, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", NEW)
    with pytest.raises(MissingKey, match="IOM_PSEUDONYM_KEY is not set"):
        create_app()
    monkeypatch.setenv("IOM_PSEUDONYM_KEY", "kept-for-the-pseudonyms")
    monkeypatch.setenv("AUDIT_KEY", "kept-for-the-audit-chain")
    app = create_app()
    assert app.config["SECRET_KEY"] == NEW and app.config["PSEUDONYM_KEY"] == "kept-for-the-pseudonyms"


def test_fallbacks_are_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("SECRET_KEY_FALLBACKS", f"{OLD}, older-still ,")
    config = {}
    from_environment(config)
    assert config["SECRET_KEY_FALLBACKS"] == [OLD, "older-still"]


def test_the_embedded_sqlite_keeps_generated_keys_and_the_pseudonyms_start_from_the_old_secret(tmp_path):
    (tmp_path / "secret_key").write_text("the key pseudonyms were made with")
    config = {"SQLALCHEMY_DATABASE_URI": "sqlite:///iom.sqlite3"}
    configure_keys(config, str(tmp_path))
    assert config["SECRET_KEY"] == "the key pseudonyms were made with"
    assert config["PSEUDONYM_KEY"] == "the key pseudonyms were made with"  # last year's pack keeps its pseudonyms
    assert (tmp_path / "pseudonym_key").stat().st_mode & 0o077 == 0


def _app(database_uri, **config):
    return create_app({**_base_config(database_uri), **config})


def test_a_session_and_a_form_signed_with_the_old_key_still_work_during_rotation(database_uri, make_user, app):
    _, username = make_user("officer")
    before = _app(database_uri, SECRET_KEY=OLD)
    browser = before.test_client()
    assert sign_in(browser, before, username).status_code == 302
    token = csrf_token(browser, before)  # kept in the session cookie, signed with the old key
    cookie = browser.get_cookie("iom_session").value

    during = _app(database_uri, SECRET_KEY=NEW, SECRET_KEY_FALLBACKS=[OLD])
    carried = during.test_client()
    carried.set_cookie("iom_session", cookie)
    assert carried.get("/").status_code == 200
    assert carried.post("/logout", data={"csrf_token": token}).status_code == 302  # the old CSRF token passes

    after = _app(database_uri, SECRET_KEY=NEW)
    dropped = after.test_client()
    dropped.set_cookie("iom_session", cookie)
    assert dropped.get("/").headers["Location"].startswith("/login")
    for built in (before, during, after):
        with built.app_context():
            db.engine.dispose()


def test_rotating_the_session_key_leaves_the_pseudonyms_alone(database_uri):
    made = []
    for config in ({"SECRET_KEY": OLD}, {"SECRET_KEY": NEW, "SECRET_KEY_FALLBACKS": [OLD]}, {"SECRET_KEY": NEW},
                   {"SECRET_KEY": NEW, "PSEUDONYM_KEY": "another pseudonym key"}):
        built = _app(database_uri, **config)
        with built.app_context():
            made.append(Pseudonyms("2011-12")(42))
            db.engine.dispose()
    assert made[0] == made[1] == made[2] != made[3]
