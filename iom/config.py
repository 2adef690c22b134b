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
    LOCKOUT_THRESHOLD = 10
    LOCKOUT_PERIOD = timedelta(minutes=15)
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
    if os.environ.get("AUDIT_KEY"):
        config["AUDIT_KEY"] = os.environ["AUDIT_KEY"]
    if os.environ.get("IOM_BEHIND_HTTPS", "").lower() in {"1", "true", "yes"}:
        config["BEHIND_HTTPS"] = True
        config["SESSION_COOKIE_SECURE"] = True
        config["PREFERRED_URL_SCHEME"] = "https"
    if os.environ.get("IOM_PROXY_FIX_HOPS"):
        config["PROXY_FIX_HOPS"] = int(os.environ["IOM_PROXY_FIX_HOPS"])
    if os.environ.get("IOM_SERVER_ORIGIN"):
        config["SERVER_ORIGIN"] = os.environ["IOM_SERVER_ORIGIN"].rstrip("/")
    for variable, key in PUBLISHED_SETTINGS.items():
        if os.environ.get(variable, "").strip():
            value = os.environ[variable].strip()
            # the joint controllers are a list: "Northshire Police; Northshire Probation Service"
            config[key] = tuple(part.strip() for part in value.split(";") if part.strip()) \
                if key == "JOINT_CONTROLLERS" else value


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whichever spelling the operator gave."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def instance_secret_key(instance_path: str) -> str:
    """Return the secret key kept in instance/, generating it on first use."""
    return instance_key(instance_path, "secret_key")


def instance_key(instance_path: str, name: str) -> str:
    """Return the key kept in the file instance/<name>, generating it on first use."""
    path = Path(instance_path) / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()
