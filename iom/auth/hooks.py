"""What every request passes through: the signed-in user from their server-side session, then deny
by default (sign-in first, then the role the route's rule allows)."""
from flask import Flask, current_app, flash, g, redirect, request, session, url_for
from flask_login import current_user

from iom.auth.access import refuse
from iom.auth.models import User
from iom.auth.operations import find_live_session
from iom.auth.permissions import is_public, may
from iom.extensions import db, login_manager
from iom.security import safe_next

SESSION_TOKEN_KEY = "sid"


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to continue"
    login_manager.login_message_category = "info"
    login_manager.session_protection = None  # the server-side session row does this job
    login_manager.user_loader(load_user)
    app.before_request(enforce_access)


def load_user(user_id: str) -> User | None:
    """The signed-in user, only while their server-side session is live."""
    row, timed_out = find_live_session(session.get(SESSION_TOKEN_KEY),
                                       current_app.config["IDLE_TIMEOUT"])
    if timed_out:
        g.session_timed_out = True
        db.session.commit()
        return None
    if row is None or str(row.user_id) != str(user_id):
        return None
    if db.session.dirty:
        db.session.commit()
    g.user_session = row
    return row.user


def enforce_access():
    """Deny by default: sign-in first, then the role the route's rule allows."""
    endpoint = request.endpoint
    if endpoint is None or endpoint == "static":
        return None
    view = current_app.view_functions.get(endpoint)
    if is_public(view):
        return None
    if not current_user.is_authenticated:
        if g.get("session_timed_out"):
            session.pop(SESSION_TOKEN_KEY, None)
            flash("You were signed out because you had not done anything for 30 minutes. "
                  "Sign in again to continue.", "info")
        next_url = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("auth.login", next=safe_next(next_url)))
    if current_user.must_change_password and endpoint not in ("auth.change_password", "auth.logout"):
        flash("You must choose a new password before you continue.", "info")
        return redirect(url_for("auth.change_password"))
    if not may(current_user.role, endpoint, view):
        refuse(403)
    return None
