"""Configuration: defaults in code, the environment over them, the instance folder for secrets."""
import os
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


def from_environment(config: dict) -> None:
    """Lay environment settings over the defaults."""
    if os.environ.get("DATABASE_URL"):
        config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(os.environ["DATABASE_URL"])
    if os.environ.get("SECRET_KEY"):
        config["SECRET_KEY"] = os.environ["SECRET_KEY"]
    if os.environ.get("SECRET_KEY_FALLBACKS", "").strip():
        # the keys being rotated out, oldest first, separated by commas: cookies they signed still work
        config["SECRET_KEY_FALLBACKS"] = [key.strip() for key in os.environ["SECRET_KEY_FALLBACKS"].split(",")
                                          if key.strip()]
    if os.environ.get("IOM_PSEUDONYM_KEY"):
        config["PSEUDONYM_KEY"] = os.environ["IOM_PSEUDONYM_KEY"]
    if os.environ.get("AUDIT_KEY"):
        config["AUDIT_KEY"] = os.environ["AUDIT_KEY"]
    if os.environ.get("IOM_BEHIND_HTTPS", "").lower() in {"1", "true", "yes"}:
        config["BEHIND_HTTPS"] = True
        config["SESSION_COOKIE_SECURE"] = True
        config["PREFERRED_URL_SCHEME"] = "https"
    if os.environ.get("IOM_PROXY_FIX_HOPS"):
        config["PROXY_FIX_HOPS"] = int(os.environ["IOM_PROXY_FIX_HOPS"])
    if os.environ.get("IOM_RETENTION_YEARS", "").strip():
        config["RETENTION_YEARS"] = retention_years(os.environ["IOM_RETENTION_YEARS"])
    if os.environ.get("IOM_SERVER_ORIGIN"):
        config["SERVER_ORIGIN"] = os.environ["IOM_SERVER_ORIGIN"].rstrip("/")
    for variable, key in PUBLISHED_SETTINGS.items():
        if os.environ.get(variable, "").strip():
            value = os.environ[variable].strip()
            # the joint controllers are a list: "Northshire Police; Northshire Probation Service"
            config[key] = tuple(part.strip() for part in value.split(";") if part.strip()) \
                if key == "JOINT_CONTROLLERS" else value


def retention_years(text: str) -> int:
    """IOM_RETENTION_YEARS as a whole number of years, 1 or more; the service will not start on another value."""
    try:
        years = int(text.strip())
    except ValueError:
        years = 0
    if years < 1:
        raise ValueError(f"IOM_RETENTION_YEARS must be a whole number of years, 1 or more (it is {text!r})")
    return years


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
