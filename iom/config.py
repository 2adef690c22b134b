"""Configuration: defaults in code, the environment over them, the instance folder for secrets."""
import os
import re
import secrets
from datetime import timedelta
from pathlib import Path

DEFAULT_SQLITE_FILE = "iom.sqlite3"


class Config:
    """Defaults shared by every environment."""

    SQLALCHEMY_DATABASE_URI = f"sqlite:///{DEFAULT_SQLITE_FILE}"
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # The tracker holds criminal offence and health data: cookies never leave the
    # site, never reach script, and die with 30 idle minutes.
    SESSION_COOKIE_NAME = "iom_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    PERMANENT_SESSION_LIFETIME = timedelta(minutes=30)
    IDLE_TIMEOUT = timedelta(minutes=30)
    REMEMBER_COOKIE_DURATION = timedelta(seconds=0)
    WTF_CSRF_TIME_LIMIT = 3600 * 8
    MAX_CONTENT_LENGTH = 50 * 1024 * 1024
    # Sessions end this long after sign-in whatever the activity (and after IDLE_TIMEOUT idle).
    SESSION_ABSOLUTE_LIMIT = timedelta(hours=12)
    # Between the password and the code: this long, and this many wrong codes, then the password again.
    SECOND_FACTOR_PENDING_LIFETIME = timedelta(minutes=10)
    SECOND_FACTOR_TRIES = 5
    # The review pack's and the caseload's downloads need a code given this recently (sign-in counts).
    STEP_UP_FRESHNESS = timedelta(minutes=5)
    # Failed sign-ins (docs/sign-in.md): per address over SIGN_IN_WINDOW, per account over an hour.
    SIGN_IN_WINDOW = timedelta(minutes=15)
    SIGN_IN_FAILURES_PER_ACCOUNT_PER_ADDRESS = 10
    SIGN_IN_ACCOUNTS_PER_ADDRESS = 5
    SIGN_IN_FAILURES_PER_ADDRESS = 30
    SIGN_IN_FAILURES_PER_ACCOUNT_PER_HOUR = 100
    SETUP_TOKEN_LIFETIME = timedelta(hours=2)
    PASSWORD_MIN_LENGTH = 12
    SQLITE_BUSY_TIMEOUT_MS = 15000
    # Behind an HTTPS proxy set IOM_BEHIND_HTTPS=1: cookies become Secure, HSTS is sent.
    BEHIND_HTTPS = False
    PROXY_FIX_HOPS = 0
    SERVER_ORIGIN = "http://127.0.0.1:5000"
    # The partnership's own details on the pages a public service must publish (accessibility, privacy,
    # cookies). These defaults are a demo's: the pages mark each one still to be set (docs/published-pages.md).
    PARTNERSHIP_NAME = "Demo Community Safety Partnership"
    CONTACT_EMAIL = "iom-service@example.org"
    DATA_PROTECTION_EMAIL = "data-protection@example.org"
    JOINT_CONTROLLERS: tuple[str, ...] = ()
    RETENTION = ""
    HOSTING = ""
    ACCESSIBILITY_TESTED_ON = ""  # YYYY-MM-DD
    # People whose last period on the scheme ended more than this many whole years ago are listed for a
    # manager's review and disposal (docs/data-protection.md says why six). IOM_RETENTION_YEARS sets it.
    RETENTION_YEARS = 6
    # A worker keeps a caseload page whole while nothing it shows has changed (iom/kept_pages.py), in its own
    # memory only. IOM_KEEP_PAGES=0 makes every page afresh (about half the caseload's requests a second).
    KEEP_PAGES = True
    # The "iom" loggers' level: INFO writes the request log (iom/request_log.py), WARNING only problems.
    LOG_LEVEL = "INFO"


# The published pages' settings, by the environment variable that sets each.
PUBLISHED_SETTINGS = {
    "IOM_PARTNERSHIP_NAME": "PARTNERSHIP_NAME",
    "IOM_CONTACT_EMAIL": "CONTACT_EMAIL",
    "IOM_DATA_PROTECTION_EMAIL": "DATA_PROTECTION_EMAIL",
    "IOM_JOINT_CONTROLLERS": "JOINT_CONTROLLERS",
    "IOM_RETENTION": "RETENTION",
    "IOM_HOSTING": "HOSTING",
    "IOM_ACCESSIBILITY_TESTED_ON": "ACCESSIBILITY_TESTED_ON",
}


class BadSetting(RuntimeError):
    """The service refuses to start: a setting in the environment cannot be used."""


DURATION_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_duration(text: str) -> timedelta:
    """'30m', '12h', '90s', '7d' to a timedelta: always with its unit, so '30' is never mistaken."""
    match = re.fullmatch(r"(\d+)\s*([smhd])", text.strip().lower())
    if not match:
        raise ValueError("give a whole number and a unit: s, m, h or d (for example 30m or 12h)")
    return timedelta(**{DURATION_UNITS[match.group(2)]: int(match.group(1))})


def whole_number(least: int):
    """A parser of whole numbers no smaller than `least`."""
    def parse(text: str) -> int:
        if not re.fullmatch(r"\d+", text.strip()):
            raise ValueError("give a whole number")
        if int(text) < least:
            raise ValueError(f"give {least} or more")
        return int(text)
    return parse


def one_of(*choices: str):
    """A parser that accepts one of `choices` (any case), giving it as spelled here."""
    def parse(text: str) -> str:
        for choice in choices:
            if text.strip().lower() == choice.lower():
                return choice
        raise ValueError("give one of " + ", ".join(choices))
    return parse


def switch(text: str) -> bool:
    if text.strip().lower() in {"1", "true", "yes", "on"}:
        return True
    if text.strip().lower() in {"0", "false", "no", "off"}:
        return False
    raise ValueError("give 1 (on) or 0 (off)")


def seconds(text: str) -> int:
    return int(parse_duration(text).total_seconds())


# The tunable settings, by the environment variable that sets each, with how its value is read.
# Every setting of Config is here, in PUBLISHED_SETTINGS, in from_environment's own names, or in
# FIXED_SETTINGS (tests/test_settings.py checks it, and that docs/operations.md lists each variable).
def retention_years(text: str) -> int:
    """IOM_RETENTION_YEARS as a whole number of years, 1 or more; the service will not start on another value."""
    try:
        years = int(text.strip())
    except ValueError:
        years = 0
    if years < 1:
        raise ValueError("it must be a whole number of years, 1 or more")
    return years


TUNABLE_SETTINGS = {
    "IOM_SESSION_COOKIE_NAME": ("SESSION_COOKIE_NAME", lambda text: text.strip()),
    "IOM_SESSION_COOKIE_SAMESITE": ("SESSION_COOKIE_SAMESITE", one_of("Lax", "Strict")),
    "IOM_IDLE_TIMEOUT": ("IDLE_TIMEOUT", parse_duration),
    "IOM_SESSION_ABSOLUTE_LIMIT": ("SESSION_ABSOLUTE_LIMIT", parse_duration),
    "IOM_SECOND_FACTOR_PENDING_LIFETIME": ("SECOND_FACTOR_PENDING_LIFETIME", parse_duration),
    "IOM_SECOND_FACTOR_TRIES": ("SECOND_FACTOR_TRIES", whole_number(1)),
    "IOM_STEP_UP_FRESHNESS": ("STEP_UP_FRESHNESS", parse_duration),
    "IOM_SIGN_IN_WINDOW": ("SIGN_IN_WINDOW", parse_duration),
    "IOM_SIGN_IN_FAILURES_PER_ACCOUNT_PER_ADDRESS": ("SIGN_IN_FAILURES_PER_ACCOUNT_PER_ADDRESS", whole_number(1)),
    "IOM_SIGN_IN_ACCOUNTS_PER_ADDRESS": ("SIGN_IN_ACCOUNTS_PER_ADDRESS", whole_number(1)),
    "IOM_SIGN_IN_FAILURES_PER_ADDRESS": ("SIGN_IN_FAILURES_PER_ADDRESS", whole_number(1)),
    "IOM_SIGN_IN_FAILURES_PER_ACCOUNT_PER_HOUR": ("SIGN_IN_FAILURES_PER_ACCOUNT_PER_HOUR", whole_number(1)),
    "IOM_SETUP_TOKEN_LIFETIME": ("SETUP_TOKEN_LIFETIME", parse_duration),
    # ASVS 5.0 (Level 2) asks for at least 12 characters: the minimum may be raised, never lowered.
    "IOM_PASSWORD_MIN_LENGTH": ("PASSWORD_MIN_LENGTH", whole_number(12)),
    "IOM_CSRF_TIME_LIMIT": ("WTF_CSRF_TIME_LIMIT", seconds),
    "IOM_MAX_UPLOAD_MB": ("MAX_CONTENT_LENGTH", lambda text: whole_number(1)(text) * 1024 * 1024),
    "IOM_SQLITE_BUSY_TIMEOUT_MS": ("SQLITE_BUSY_TIMEOUT_MS", whole_number(0)),
    "IOM_RETENTION_YEARS": ("RETENTION_YEARS", retention_years),
    "IOM_LOG_LEVEL": ("LOG_LEVEL", one_of("DEBUG", "INFO", "WARNING", "ERROR")),
    "IOM_KEEP_PAGES": ("KEEP_PAGES", switch),
}

# The database connections each worker process keeps (SQLAlchemy's pool): into SQLALCHEMY_ENGINE_OPTIONS.
ENGINE_SETTINGS = {
    "IOM_DATABASE_POOL_SIZE": ("pool_size", whole_number(1)),
    "IOM_DATABASE_MAX_OVERFLOW": ("max_overflow", whole_number(0)),
}

# Settings that are not tunable, and why: what sets them instead, or the rule they keep.
FIXED_SETTINGS = {
    "SQLALCHEMY_DATABASE_URI": "DATABASE_URL",
    "SQLALCHEMY_ENGINE_OPTIONS": "IOM_DATABASE_POOL_SIZE and IOM_DATABASE_MAX_OVERFLOW",
    "SESSION_COOKIE_SECURE": "IOM_BEHIND_HTTPS",
    "PERMANENT_SESSION_LIFETIME": "IOM_IDLE_TIMEOUT (the cookie lives as long as an idle session)",
    "BEHIND_HTTPS": "IOM_BEHIND_HTTPS",
    "PROXY_FIX_HOPS": "IOM_PROXY_FIX_HOPS",
    "SERVER_ORIGIN": "IOM_SERVER_ORIGIN",
    "SESSION_COOKIE_HTTPONLY": "always on: no script may read the session cookie",
    "REMEMBER_COOKIE_DURATION": "always none: there is no remember-me cookie",
}


# The variables from_environment reads by name (the keys, the database, the proxy and the address).
NAMED_VARIABLES = ("DATABASE_URL", "SECRET_KEY", "SECRET_KEY_FALLBACKS", "IOM_PSEUDONYM_KEY", "AUDIT_KEY",
                   "IOM_BEHIND_HTTPS", "IOM_PROXY_FIX_HOPS", "IOM_SERVER_ORIGIN")


def environment_variables() -> set[str]:
    """Every environment variable the service's settings read (docs/operations.md lists them)."""
    return {*NAMED_VARIABLES, *PUBLISHED_SETTINGS, *TUNABLE_SETTINGS, *ENGINE_SETTINGS}


def _read(variable: str, parse):
    """The environment's value for `variable` read by `parse`, or None when it is unset or blank."""
    text = os.environ.get(variable, "")
    if not text.strip():
        return None
    try:
        return parse(text)
    except ValueError as error:
        raise BadSetting(f"{variable}={text!r} cannot be used: {error} (docs/operations.md lists the "
                         "settings)") from None


def from_environment(config: dict) -> None:
    """Lay environment settings over the defaults."""
    # a variable set to nothing but spaces (a blank line in an environment file) is not set: never a key of spaces
    if os.environ.get("DATABASE_URL", "").strip():
        config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(os.environ["DATABASE_URL"].strip())
    if os.environ.get("SECRET_KEY", "").strip():
        config["SECRET_KEY"] = os.environ["SECRET_KEY"]
    if os.environ.get("SECRET_KEY_FALLBACKS", "").strip():
        # the keys being rotated out, oldest first, separated by commas: cookies they signed still work
        config["SECRET_KEY_FALLBACKS"] = [key.strip() for key in os.environ["SECRET_KEY_FALLBACKS"].split(",")
                                          if key.strip()]
    if os.environ.get("IOM_PSEUDONYM_KEY", "").strip():
        config["PSEUDONYM_KEY"] = os.environ["IOM_PSEUDONYM_KEY"]
    if os.environ.get("AUDIT_KEY", "").strip():
        config["AUDIT_KEY"] = os.environ["AUDIT_KEY"]
    behind_https = _read("IOM_BEHIND_HTTPS", switch)
    if behind_https is not None:
        config["BEHIND_HTTPS"] = behind_https
        config["SESSION_COOKIE_SECURE"] = behind_https
        config["PREFERRED_URL_SCHEME"] = "https" if behind_https else "http"
    hops = _read("IOM_PROXY_FIX_HOPS", whole_number(0))
    if hops is not None:
        config["PROXY_FIX_HOPS"] = hops
    if os.environ.get("IOM_SERVER_ORIGIN", "").strip():
        config["SERVER_ORIGIN"] = os.environ["IOM_SERVER_ORIGIN"].strip().rstrip("/")
    for variable, key in PUBLISHED_SETTINGS.items():
        if os.environ.get(variable, "").strip():
            value = os.environ[variable].strip()
            # the joint controllers are a list: "Northshire Police; Northshire Probation Service"
            config[key] = tuple(part.strip() for part in value.split(";") if part.strip()) \
                if key == "JOINT_CONTROLLERS" else value
    for variable, (key, parse) in TUNABLE_SETTINGS.items():
        value = _read(variable, parse)
        if value is not None:
            config[key] = value
            if key == "IDLE_TIMEOUT":
                # the cookie is renewed on every request, so it must outlive an idle spell, no more
                config["PERMANENT_SESSION_LIFETIME"] = value
    for variable, (option, parse) in ENGINE_SETTINGS.items():
        value = _read(variable, parse)
        if value is not None:
            config["SQLALCHEMY_ENGINE_OPTIONS"] = {**(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {}), option: value}


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whichever spelling the operator gave."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class MissingKey(RuntimeError):
    """The service refuses to start: a key it needs was not given."""


def instance_secret_key(instance_path: str, name: str = "secret_key", initial: str | None = None) -> str:
    """Return a key kept in instance/ (the embedded SQLite's set-up only), generating it on first use
    (or starting it from `initial`)."""
    path = Path(instance_path) / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(initial or secrets.token_hex(32))
    return path.read_text().strip()


def configure_keys(config: dict, instance_path: str) -> None:
    """SECRET_KEY (sessions and CSRF, with SECRET_KEY_FALLBACKS while rotating), PSEUDONYM_KEY (the
    reviewer's pseudonyms) and AUDIT_KEY (the audit chain's HMAC). With the embedded SQLite each may be generated once and kept in instance/;
    with any other database (several hosts share it) each must be given: a key generated per host would
    sign cookies the other hosts refuse and give the same client different pseudonyms."""
    embedded = config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    for key, variable in (("SECRET_KEY", "SECRET_KEY"), ("PSEUDONYM_KEY", "IOM_PSEUDONYM_KEY"), ("AUDIT_KEY", "AUDIT_KEY")):
        if config.get(key):
            continue
        if not embedded:
            raise MissingKey(f"{variable} is not set. The database is not the embedded SQLite, so the service will "
                             f"not start without {variable} in the environment (a long random value, the same on "
                             "every host; docs/keys.md says how to make and rotate one)")
        # The pseudonyms were once keyed by the secret key: start their own key from it, so the packs
        # already given to reviewers keep their pseudonyms.
        existing = Path(instance_path) / "secret_key"
        initial = existing.read_text().strip() if key == "PSEUDONYM_KEY" and existing.exists() else None
        config[key] = instance_secret_key(instance_path, key.lower(), initial)
    fallbacks = list(config.get("SECRET_KEY_FALLBACKS") or [])
    if fallbacks and not config.get("WTF_CSRF_SECRET_KEY"):
        # Flask honours SECRET_KEY_FALLBACKS for the session cookie; Flask-WTF 1.3 signs and checks CSRF tokens
        # with one key, but itsdangerous takes a list (the last signs, any verifies).
        config["WTF_CSRF_SECRET_KEY"] = [*fallbacks, config["SECRET_KEY"]]
