"""Every setting of iom/config.py can be set from the environment (or says what sets it instead), the
operator's guide lists every variable, and a value the service cannot use stops it starting."""
import re
from datetime import timedelta
from pathlib import Path

import pytest

from iom import config as settings
from iom.config import BadSetting, Config, environment_variables, from_environment

ROOT = Path(__file__).resolve().parent.parent


def test_every_variable_the_settings_read_is_named():
    """Found in the source, so a new variable cannot be left out of environment_variables() (or the guide)."""
    source = (ROOT / "iom/config.py").read_text()
    named = set(re.findall(r'os\.environ(?:\.get\(|\[)"([A-Z0-9_]+)"', source))
    named |= set(re.findall(r'_read\("([A-Z0-9_]+)"', source))
    assert named - environment_variables() == set()


def defaults() -> dict:
    return {key: getattr(Config, key) for key in dir(Config) if key.isupper()}


def test_every_setting_has_a_variable_or_says_what_sets_it():
    covered = ({key for key, _ in settings.TUNABLE_SETTINGS.values()} | set(settings.PUBLISHED_SETTINGS.values())
               | set(settings.FIXED_SETTINGS))
    assert set(defaults()) - covered == set()
    assert set(settings.FIXED_SETTINGS) <= set(defaults())


def test_the_operators_guide_lists_every_variable():
    guide = (ROOT / "docs/operations.md").read_text()
    missing = sorted(name for name in environment_variables() if f"`{name}`" not in guide)
    assert missing == [], "add these to docs/operations.md's table of settings"


@pytest.mark.parametrize("variable, value, key, expected", [
    ("IOM_IDLE_TIMEOUT", "45m", "IDLE_TIMEOUT", timedelta(minutes=45)),
    ("IOM_SESSION_ABSOLUTE_LIMIT", "8h", "SESSION_ABSOLUTE_LIMIT", timedelta(hours=8)),
    ("IOM_SETUP_TOKEN_LIFETIME", "1d", "SETUP_TOKEN_LIFETIME", timedelta(days=1)),
    ("IOM_STEP_UP_FRESHNESS", "90s", "STEP_UP_FRESHNESS", timedelta(seconds=90)),
    ("IOM_SIGN_IN_FAILURES_PER_ADDRESS", "50", "SIGN_IN_FAILURES_PER_ADDRESS", 50),
    ("IOM_PASSWORD_MIN_LENGTH", "15", "PASSWORD_MIN_LENGTH", 15),
    ("IOM_SESSION_COOKIE_SAMESITE", "strict", "SESSION_COOKIE_SAMESITE", "Strict"),
    ("IOM_SESSION_COOKIE_NAME", "iom_northshire", "SESSION_COOKIE_NAME", "iom_northshire"),
    ("IOM_CSRF_TIME_LIMIT", "4h", "WTF_CSRF_TIME_LIMIT", 4 * 3600),
    ("IOM_MAX_UPLOAD_MB", "20", "MAX_CONTENT_LENGTH", 20 * 1024 * 1024),
    ("IOM_LOG_LEVEL", "warning", "LOG_LEVEL", "WARNING"),
    ("IOM_PROXY_FIX_HOPS", "2", "PROXY_FIX_HOPS", 2),
    ("IOM_BEHIND_HTTPS", "yes", "SESSION_COOKIE_SECURE", True),
    ("IOM_RETENTION", "Six years after leaving the scheme", "RETENTION", "Six years after leaving the scheme"),
    ("SECRET_KEY_FALLBACKS", "old1, old2", "SECRET_KEY_FALLBACKS", ["old1", "old2"]),
])
def test_a_variable_sets_its_setting(monkeypatch, variable, value, key, expected):
    monkeypatch.setenv(variable, value)
    config = defaults()
    from_environment(config)
    assert config[key] == expected


def test_the_idle_timeout_also_sets_the_cookies_life(monkeypatch):
    monkeypatch.setenv("IOM_IDLE_TIMEOUT", "20m")
    config = defaults()
    from_environment(config)
    assert config["PERMANENT_SESSION_LIFETIME"] == config["IDLE_TIMEOUT"] == timedelta(minutes=20)


def test_the_pool_settings_join_the_engine_options_without_changing_the_defaults(monkeypatch):
    monkeypatch.setenv("IOM_DATABASE_POOL_SIZE", "3")
    monkeypatch.setenv("IOM_DATABASE_MAX_OVERFLOW", "0")
    config = defaults()
    from_environment(config)
    assert config["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_size": 3, "max_overflow": 0}
    assert Config.SQLALCHEMY_ENGINE_OPTIONS == {}


def test_blank_variables_leave_the_defaults(monkeypatch):
    for variable in environment_variables():
        monkeypatch.setenv(variable, " ")
    config = defaults()
    from_environment(config)
    assert config == defaults()


@pytest.mark.parametrize("variable, value, says", [
    ("IOM_IDLE_TIMEOUT", "30", "a unit"),             # 30 what? never guessed
    ("IOM_SESSION_ABSOLUTE_LIMIT", "half a day", "a unit"),
    ("IOM_PASSWORD_MIN_LENGTH", "8", "12 or more"),
    ("IOM_SIGN_IN_WINDOW", "-5m", "a unit"),
    ("IOM_SECOND_FACTOR_TRIES", "0", "1 or more"),
    ("IOM_SESSION_COOKIE_SAMESITE", "None", "one of Lax, Strict"),
    ("IOM_BEHIND_HTTPS", "maybe", "1 (on) or 0 (off)"),
    ("IOM_PROXY_FIX_HOPS", "one", "whole number"),
    ("IOM_DATABASE_POOL_SIZE", "0", "1 or more"),
])
def test_a_value_that_cannot_be_used_stops_the_service_naming_the_variable(monkeypatch, variable, value, says):
    monkeypatch.setenv(variable, value)
    with pytest.raises(BadSetting, match=rf"^{variable}=.*{re.escape(says)}"):
        from_environment(defaults())


def test_the_upload_limits_message_follows_the_setting(monkeypatch, database_uri):
    from iom import create_app
    from iom.extensions import db
    monkeypatch.setenv("IOM_MAX_UPLOAD_MB", "1")
    app = create_app({"SECRET_KEY": "x", "PSEUDONYM_KEY": "y", "AUDIT_KEY": "z", "SQLALCHEMY_DATABASE_URI": database_uri,
                      "WTF_CSRF_ENABLED": False})
    response = app.test_client().post("/login", data={"username": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413 and "Files must be 1MB or smaller" in response.text
    with app.app_context():
        db.engine.dispose()
