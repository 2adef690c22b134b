"""Changes to accounts and sessions. Each checks its rule, changes rows, audits, flushes;
the caller commits once."""
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from iom import audit
from iom.auth.models import SetupToken, SignInThrottle, User, UserSession
from iom.auth.passwords import hash_password, needs_rehash, password_problem, verify_password
from iom.auth.permissions import ADMIN, ROLE_LABELS, ROLES
from iom.clock import utcnow
from iom.extensions import db


class AccountError(ValueError):
    """A rule about accounts was broken; the message is for the person at the screen."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class StaleRecord(AccountError):
    """Someone else changed the record after the form was opened."""


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def normalise_username(username: str) -> str:
    return (username or "").strip().lower()


def validate_username(username: str) -> str:
    username = normalise_username(username)
    if not username:
        raise AccountError("Enter a username", "username")
    if not (3 <= len(username) <= 64) or not all(c.isalnum() or c in "._-" for c in username):
        raise AccountError("Username must be 3 to 64 characters: letters, numbers, full stops, "
                           "hyphens and underscores only", "username")
    return username


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise AccountError(f"Role must be one of: {', '.join(ROLES)}", "role")


def _check_password(password: str, username: str, field: str = "password") -> None:
    problem = password_problem(password, username=username)
    if problem:
        raise AccountError(problem, field)


def _check_version(user: User, version: int | None) -> None:
    if version is None:
        return
    try:
        version = int(version)
    except (TypeError, ValueError):
        version = -1
    if version != user.version:
        raise StaleRecord(f"{user.display_name}'s account was changed by someone else after you "
                          "opened this page. Check the details below and try again.")


def _bump(user: User) -> None:
    user.version += 1


def create_user(username: str, role: str, password: str, *, display_name: str | None = None,
                must_change_password: bool = False, actor: User | None = None,
                actor_label: str | None = None) -> User:
    """Add an account; the username must be new."""
    username = validate_username(username)
    _check_role(role)
    if db.session.scalar(select(User.id).where(User.username == username)) is not None:
        raise AccountError(f"There is already an account with the username {username}", "username")
    _check_password(password, username)
    user = User(username=username, display_name=(display_name or username).strip() or username,
                role=role, password_hash=hash_password(password), is_active=True,
                must_change_password=must_change_password, version=1)
    db.session.add(user)
    db.session.flush()
    audit.record("account.created", f"Account {username} created with role {ROLE_LABELS[role]}",
                 subject=user, actor=actor, actor_label=actor_label,
                 changes={"username": [None, username], "role": [None, role],
                          "display_name": [None, user.display_name]})
    return user


def _active_admins() -> int:
    return db.session.scalar(select(func.count()).select_from(User)
                             .where(User.role == ADMIN, User.is_active.is_(True)))


def change_role(user: User, role: str, *, version: int | None = None) -> bool:
    """Change someone's role and sign them out; False when it was already that role."""
    _check_version(user, version)
    _check_role(role)
    if role == user.role:
        return False
    if user.role == ADMIN and user.is_active and _active_admins() <= 1:
        raise AccountError("You cannot change the role of the only active administrator. "
                           "Make someone else an administrator first.", "role")
    old = user.role
    user.role = role
    _bump(user)
    end_all_sessions(user, "role changed")
    audit.record("account.role_changed",
                 f"{user.username}: role changed from {ROLE_LABELS[old]} to {ROLE_LABELS[role]}",
                 subject=user, changes={"role": [old, role]})
    # Count again now the audit chain's lock is held: two administrators demoting each other
    # at the same moment must not leave none.
    if old == ADMIN and _active_admins() < 1:
        raise AccountError("You cannot change the role of the only active administrator. "
                           "Make someone else an administrator first.", "role")
    return True


def deactivate_user(user: User, *, actor: User, version: int | None = None) -> None:
    _check_version(user, version)
    if not user.is_active:
        return
    if user.id == actor.id:
        raise AccountError("You cannot deactivate your own account")
    if user.role == ADMIN and _active_admins() <= 1:
        raise AccountError("You cannot deactivate the only active administrator")
    user.is_active = False
    _bump(user)
    end_all_sessions(user, "deactivated")
    audit.record("account.deactivated", f"{user.username}: account deactivated",
                 subject=user, changes={"is_active": [True, False]})
    if user.role == ADMIN and _active_admins() < 1:
        raise AccountError("You cannot deactivate the only active administrator")


def reactivate_user(user: User, *, version: int | None = None) -> None:
    _check_version(user, version)
    if user.is_active:
        return
    user.is_active = True
    _bump(user)
    reset_throttle(user.username)
    audit.record("account.reactivated", f"{user.username}: account reactivated",
                 subject=user, changes={"is_active": [False, True]})


def reset_password(user: User, new_password: str, *, version: int | None = None) -> None:
    """An administrator sets a temporary password; the person must choose their own at next sign-in."""
    _check_version(user, version)
    _check_password(new_password, user.username)
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    user.must_change_password = True
    _bump(user)
    end_all_sessions(user, "password reset")
    reset_throttle(user.username)
    audit.record("account.password_reset", f"{user.username}: password reset by an administrator",
                 subject=user, changes={"password": ["(hidden)", "(hidden)"],
                                        "must_change_password": [False, True]})


def change_own_password(user: User, current_password: str, new_password: str) -> None:
    if not verify_password(user.password_hash, current_password or ""):
        raise AccountError("Your current password is not correct", "current_password")
    _check_password(new_password, user.username, "new_password")
    if verify_password(user.password_hash, new_password):
        raise AccountError("Your new password must be different from your current password",
                           "new_password")
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    user.must_change_password = False
    _bump(user)
    end_all_sessions(user, "password changed")
    audit.record("account.password_changed", f"{user.username} changed their password",
                 subject=user, actor=user, changes={"password": ["(hidden)", "(hidden)"]})


# --- sessions -------------------------------------------------------------------------------

def start_session(user: User) -> str:
    """Open a server-side session and return the token for the cookie."""
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(token_hash=token_digest(token), user_id=user.id))
    user.last_signed_in_at = utcnow()
    return token


def find_live_session(token: str | None, idle_limit: timedelta) -> tuple[UserSession | None, bool]:
    """The session a cookie token names, if still live. Second value: it just timed out."""
    if not token:
        return None, False
    row = db.session.scalar(select(UserSession).where(UserSession.token_hash == token_digest(token)))
    if row is None or row.ended_at is not None:
        return None, False
    now = utcnow()
    if now - row.last_seen_at > idle_limit:
        row.ended_at = now
        row.end_reason = "idle"
        return None, True
    if not row.user.is_active:
        return None, False
    # Touch at most once a minute: idle time is measured to the minute without a write per request.
    if now - row.last_seen_at > timedelta(minutes=1):
        row.last_seen_at = now
    return row, False


def end_session(token: str | None, reason: str) -> None:
    if not token:
        return
    db.session.execute(update(UserSession)
                       .where(UserSession.token_hash == token_digest(token), UserSession.ended_at.is_(None))
                       .values(ended_at=utcnow(), end_reason=reason))


def end_all_sessions(user: User, reason: str) -> None:
    db.session.execute(update(UserSession)
                       .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
                       .values(ended_at=utcnow(), end_reason=reason))


# --- signing in ------------------------------------------------------------------------------

@dataclass
class SignInResult:
    user: User | None = None
    locked_until: datetime | None = None


def _ensure_throttle_row(username: str) -> None:
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(insert(SignInThrottle).values(username=username, failures=0)
                       .on_conflict_do_nothing(index_elements=["username"]))


def reset_throttle(username: str) -> None:
    db.session.execute(update(SignInThrottle).where(SignInThrottle.username == username)
                       .values(failures=0, locked_until=None))


def attempt_sign_in(username: str, password: str, *, threshold: int, lock_for: timedelta) -> SignInResult:
    """Check a sign-in. Failures are counted in the database so every worker sees them;
    the same answer is given whether or not the username exists."""
    username = normalise_username(username)[:64]
    now = utcnow()
    _ensure_throttle_row(username)
    throttle = db.session.execute(
        select(SignInThrottle).where(SignInThrottle.username == username)
        .with_for_update().execution_options(populate_existing=True)
    ).scalar_one()
    if throttle.locked_until is not None and throttle.locked_until > now:
        audit.record("sign_in.refused_locked", f"Sign-in refused for {username}: account locked",
                     actor_label="anonymous", changes={"username": [None, username]})
        return SignInResult(locked_until=throttle.locked_until)
    user = db.session.scalar(select(User).where(User.username == username))
    ok = verify_password(user.password_hash if user else None, password or "")
    if ok and user.is_active:
        reset_throttle(username)
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        audit.record("sign_in.succeeded", f"{username} signed in", subject=user, actor=user)
        return SignInResult(user=user)
    # Count atomically: two workers failing at once both count.
    failures = db.session.execute(
        update(SignInThrottle).where(SignInThrottle.username == username)
        .values(failures=SignInThrottle.failures + 1,
                locked_until=None)
        .returning(SignInThrottle.failures)
    ).scalar_one()
    locked_until = None
    if failures >= threshold:
        locked_until = now + lock_for
        db.session.execute(update(SignInThrottle).where(SignInThrottle.username == username)
                           .values(failures=0, locked_until=locked_until))
    reason = "deactivated account" if ok else "wrong username or password"
    audit.record("sign_in.failed", f"Failed sign-in for {username}: {reason}"
                 + (f"; locked after {threshold} failures" if locked_until else ""),
                 subject=user, actor_label="anonymous",
                 changes={"username": [None, username], "failures_in_a_row": [None, failures]})
    return SignInResult(locked_until=locked_until)


# --- the first administrator ---------------------------------------------------------------

def has_any_user() -> bool:
    return db.session.scalar(select(User.id).limit(1)) is not None


def issue_setup_token(lifetime: timedelta) -> str | None:
    """A one-time token to create the first administrator; None when accounts already exist."""
    if has_any_user():
        return None
    token = secrets.token_urlsafe(32)
    db.session.add(SetupToken(token_hash=token_digest(token), expires_at=utcnow() + lifetime))
    audit.record("setup.link_issued", "One-time link issued to create the first administrator",
                 actor_label="system (command line)")
    return token


def setup_token_state(token: str) -> tuple[SetupToken | None, str]:
    """('valid' | 'unknown' | 'used' | 'expired' | 'not_needed') for a setup token."""
    row = db.session.scalar(select(SetupToken).where(SetupToken.token_hash == token_digest(token or "")))
    if row is None:
        return None, "unknown"
    if row.used_at is not None:
        return row, "used"
    if has_any_user():
        return row, "not_needed"
    if row.expires_at <= utcnow():
        return row, "expired"
    return row, "valid"


def create_first_admin(token: str, username: str, display_name: str, password: str) -> User:
    # Claim the token with a conditional UPDATE so two submissions cannot both use it.
    claimed = db.session.execute(
        update(SetupToken)
        .where(SetupToken.token_hash == token_digest(token), SetupToken.used_at.is_(None),
               SetupToken.expires_at > utcnow())
        .values(used_at=utcnow())
    ).rowcount
    if claimed != 1 or has_any_user():
        raise AccountError("This set-up link has already been used or has expired")
    return create_user(username, ADMIN, password, display_name=display_name,
                       actor_label="first set-up link")
