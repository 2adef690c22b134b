"""Between the password and the code: who gave the right password in this browser, kept in the signed
session cookie for a few minutes. Nobody is signed in until the code is given: every page but the
code's own still sends them to sign in."""
from datetime import datetime, timedelta

from flask import session

from iom.auth.models import User
from iom.clock import utcnow
from iom.extensions import db

KEY = "pending_sign_in"


def begin(user: User, next_url: str | None) -> None:
    session.clear()
    session[KEY] = {"user_id": user.id, "at": utcnow().isoformat(), "next": next_url, "wrong": 0}


def current(lifetime: timedelta) -> tuple[User | None, str | None]:
    """The pending person and where they were going, or (None, None) when nobody is pending (or it has
    expired, or the account has been deactivated since)."""
    state = session.get(KEY)
    if not isinstance(state, dict):
        return None, None
    try:
        started = datetime.fromisoformat(state["at"])
        user = db.session.get(User, int(state["user_id"]))
    except (KeyError, TypeError, ValueError):
        clear()
        return None, None
    if user is None or not user.is_active or utcnow() - started > lifetime:
        clear()
        return None, None
    return user, state.get("next")


def count_wrong_code() -> int:
    state = dict(session.get(KEY) or {})
    state["wrong"] = int(state.get("wrong", 0)) + 1
    session[KEY] = state
    return state["wrong"]


def clear() -> None:
    session.pop(KEY, None)
