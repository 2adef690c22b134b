"""Changes to accounts and sessions. Each checks its rule, changes rows, audits, flushes;
the caller commits once."""
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import String, bindparam, func, select, update

from iom import audit, generations
from iom.auth import second_factor, throttle
from iom.auth.models import SetupToken, User, UserSession
from iom.auth.throttle import Refusal
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
                actor_label: str | None = None, totp_secret: str | None = None) -> User:
    """Add an account; the username must be new. With totp_secret its second factor is already set
    (scripted set-up); without, the person sets one up at their first sign-in."""
    username = validate_username(username)
    _check_role(role)
    if db.session.scalar(select(User.id).where(User.username == username)) is not None:
        raise AccountError(f"There is already an account with the username {username}", "username")
    _check_password(password, username)
    if totp_secret is not None:
        try:
            totp_secret = second_factor.normalise_secret(totp_secret)
        except second_factor.SecretError as error:
            raise AccountError(str(error).capitalize(), "totp_secret") from None
    user = User(username=username, display_name=(display_name or username).strip() or username,
                role=role, password_hash=hash_password(password), is_active=True,
                must_change_password=must_change_password, version=1)
    if totp_secret is not None:
        second_factor.set_secret(user, totp_secret)
    db.session.add(user)
    db.session.flush()
    audit.record("account.created", f"Account {username} created with role {ROLE_LABELS[role]}"
                 + (", its second factor set" if totp_secret is not None else ""),
                 subject=user, actor=actor, actor_label=actor_label,
                 changes={"username": [None, username], "role": [None, role],
                          "display_name": [None, user.display_name],
                          **({"second_factor": [None, "authenticator app"]} if totp_secret is not None else {})})
    return user


def reset_second_factor(user: User, *, version: int | None = None) -> None:
    """An administrator's reset of someone's second factor: it ends their sessions; they set up a new
    authenticator app at their next sign-in."""
    _check_version(user, version)
    second_factor.reset_second_factor(user)
    _bump(user)
    end_all_sessions(user, "second factor reset")


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
    throttle.forget_failures(user.username)
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
    throttle.forget_failures(user.username)
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

def start_session(user: User, second_factor_at: datetime | None = None) -> str:
    """Open a server-side session and return the token for the cookie. Its second factor was given just now,
    or at `second_factor_at` (a new session for a browser that changed the password)."""
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(token_hash=token_digest(token), user_id=user.id,
                               second_factor_at=second_factor_at or utcnow()))
    user.last_signed_in_at = utcnow()
    return token


# read on every signed-in request: built once (building costs SQLAlchemy more than running it); the caseload's
# generation comes with it, so a page that keeps what it worked out needs no statement of its own to know
# whether it may use it (iom/generations.py)
_SESSION_BY_TOKEN = (select(UserSession, *generations.columns())
                     .where(UserSession.token_hash == bindparam("token_hash", type_=String)))


def find_live_session(token: str | None, idle_limit: timedelta,
                      absolute_limit: timedelta) -> tuple[UserSession | None, str | None]:
    """The session a cookie token names, if still live. Second value: why it just ended ('idle', or
    '12 hours' when absolute_limit has passed since sign-in, whatever the activity)."""
    if not token:
        return None, None
    found = db.session.execute(_SESSION_BY_TOKEN, {"token_hash": token_digest(token)}).first()
    if found is None:
        return None, None
    row, generation = found
    generations.remember(generation)
    if row.ended_at is not None:
        return None, None
    now = utcnow()
    for reason, ended in (("absolute", now - row.started_at > absolute_limit),
                          ("idle", now - row.last_seen_at > idle_limit)):
        if ended:
            row.ended_at = now
            row.end_reason = reason
            return None, reason
    if not row.user.is_active or row.second_factor_at is None:
        return None, None
    # Touch at most once a minute: idle time is measured to the minute without a write per request.
    if now - row.last_seen_at > timedelta(minutes=1):
        row.last_seen_at = now
    return row, None


def mark_second_factor_given(row: UserSession) -> None:
    """The code was asked again in this session and given: a download may follow for a few minutes."""
    row.second_factor_at = utcnow()


def has_fresh_second_factor(row: UserSession | None, freshness: timedelta) -> bool:
    return row is not None and row.second_factor_at is not None and utcnow() - row.second_factor_at <= freshness


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
    refused: Refusal | None = None


def attempt_sign_in(username: str, password: str, *, address: str) -> SignInResult:
    """The first step: the password. Failures are counted in the database by address and account, so
    every worker sees them; the same answer is given whether or not the username exists. A user returned
    has still to give their second factor (complete_sign_in)."""
    username = normalise_username(username)[:64]
    refused = throttle.refusal(username, address)
    if refused is not None:
        audit.record("sign_in.refused_throttled", f"Sign-in refused for {username}: too many failed sign-ins "
                     + REFUSAL_WORDS[refused.reason], actor_label="anonymous",
                     changes={"username": [None, username], "address": [None, address],
                              "reason": [None, refused.reason]})
        return SignInResult(refused=refused)
    user = db.session.scalar(select(User).where(User.username == username))
    ok = verify_password(user.password_hash if user else None, password or "")
    if ok and user.is_active:
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        audit.record("sign_in.password_accepted", f"{username} gave the right password; second factor next",
                     subject=user, actor_label="anonymous", changes={"address": [None, address]})
        return SignInResult(user=user)
    throttle.record_failure(username, address)
    reason = "deactivated account" if ok else "wrong username or password"
    audit.record("sign_in.failed", f"Failed sign-in for {username}: {reason}", subject=user,
                 actor_label="anonymous", changes={"username": [None, username], "address": [None, address]})
    return SignInResult()


REFUSAL_WORDS = {
    "address": "from this address, across accounts",
    "account_from_address": "for this account from this address",
    "account": "for this account in the last hour, from every address",
}


@dataclass
class SecondFactorResult:
    outcome: str  # 'ok' | 'recovery_ok' | 'wrong' | 'reused' | 'recovery_used' | 'refused'
    refused: Refusal | None = None
    recovery_codes_left: int | None = None

    @property
    def ok(self) -> bool:
        return self.outcome in ("ok", "recovery_ok")


def check_second_factor(user: User, code: str, *, address: str, purpose: str = "sign_in") -> SecondFactorResult:
    """A code from the authenticator app, or a recovery code, for signing in (purpose 'sign_in') or asked
    again before a download ('step_up'). A wrong one counts as a failed sign-in against the account."""
    step_up = purpose == "step_up"
    refused = throttle.refusal(user.username, address)
    if refused is not None:
        action = "step_up.refused_throttled" if step_up else "sign_in.refused_throttled"
        audit.record(action, f"Second factor refused for {user.username}: too many failed "
                     "sign-ins " + REFUSAL_WORDS[refused.reason], subject=user, actor=user,
                     changes={"address": [None, address], "reason": [None, refused.reason]})
        return SecondFactorResult("refused", refused=refused)
    left = None
    if second_factor.looks_like_recovery_code(code):
        outcome, left = second_factor.use_recovery_code(user, code)
        outcome = {"ok": "recovery_ok", "used": "recovery_used"}.get(outcome, outcome)
    else:
        outcome = second_factor.check_code(user, code)
    if outcome in ("ok", "recovery_ok"):
        words = ("an authenticator code" if outcome == "ok"
                 else f"a recovery code ({left} left)")
        action = "step_up.second_factor_passed" if step_up else "sign_in.second_factor_passed"
        audit.record(action, f"{user.username} gave {words}", subject=user, actor=user,
                     changes={"method": [None, "recovery code" if outcome == "recovery_ok" else "authenticator app"],
                              **({"recovery_codes_left": [None, left]} if left is not None else {})})
        return SecondFactorResult(outcome, recovery_codes_left=left)
    throttle.record_failure(user.username, address)
    words = {"wrong": "a wrong code", "reused": "a code already used",
             "recovery_used": "a recovery code already used"}[outcome]
    action = "step_up.second_factor_failed" if step_up else "sign_in.second_factor_failed"
    audit.record(action, f"{user.username} gave {words}", subject=user, actor=user,
                 changes={"outcome": [None, outcome], "address": [None, address]})
    return SecondFactorResult(outcome)


def signed_in(user: User, *, address: str) -> str:
    """Both factors given: open the session (its second factor fresh) and return the cookie's token."""
    throttle.forget_failures(user.username, address)
    token = start_session(user)
    audit.record("sign_in.succeeded", f"{user.username} signed in", subject=user, actor=user,
                 changes={"address": [None, address]})
    return token


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
