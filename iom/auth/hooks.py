"""What every request passes through: the signed-in user from their server-side session, then deny
by default (sign-in first, then the role the route's rule allows)."""
from flask import Flask, current_app, flash, g, redirect, request, session, url_for
from flask_login import current_user

from iom import audit, generations, kept_pages
from iom.auth.access import refuse
from iom.auth.models import User
from iom.auth.operations import find_live_session, has_fresh_second_factor
from iom.auth.permissions import is_public, may, needs_fresh_second_factor
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
    row, ended = find_live_session(session.get(SESSION_TOKEN_KEY), current_app.config["IDLE_TIMEOUT"],
                                   current_app.config["SESSION_ABSOLUTE_LIMIT"])
    if ended:
        g.session_ended = ended
        db.session.commit()
        return None
    if row is None or str(row.user_id) != str(user_id):
        return None
    if db.session.dirty:
        db.session.commit()
    g.user_session = row
    # pages kept under an older generation are dropped now, whatever this request is for
    kept_pages.see(generations.current())
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
        if g.get("session_ended"):
            session.pop(SESSION_TOKEN_KEY, None)
            flash(ENDED_MESSAGES[g.session_ended].format(
                idle=_minutes(current_app.config["IDLE_TIMEOUT"]),
                hours=_minutes(current_app.config["SESSION_ABSOLUTE_LIMIT"]) // 60), "info")
        next_url = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("auth.login", next=safe_next(next_url)))
    if current_user.must_change_password and endpoint not in ("auth.change_password", "auth.logout"):
        flash("You must choose a new password before you continue.", "info")
        return redirect(url_for("auth.change_password"))
    if not may(current_user.role, endpoint, view):
        refuse(403)
    if needs_fresh_second_factor(view) and not has_fresh_second_factor(
            g.get("user_session"), current_app.config["STEP_UP_FRESHNESS"]):
        return ask_for_the_code_again()
    return None


def ask_for_the_code_again():
    """A download that needs the code asked again, reached without it (straight to its address, or more
    than a few minutes after the last code): audited, and sent to give the code, then back to the page
    the download is on."""
    audit.record("step_up.required", f"{current_user.username} was asked for their code again before "
                 f"{request.method} {request.path}", subject=current_user._get_current_object(),
                 changes={"path": [None, request.path]})
    db.session.commit()
    back = None
    referrer = request.referrer or ""
    if referrer.startswith(request.host_url):
        back = safe_next("/" + referrer[len(request.host_url):])
    if back is None and request.method == "GET":
        back = safe_next(request.full_path.rstrip("?"))
    flash("Enter the code from your authenticator app again before you download. "
          "Then select the download again.", "info")
    return redirect(url_for("auth.step_up", next=back), 303)


ENDED_MESSAGES = {
    "idle": "You were signed out because you had not done anything for {idle} minutes. Sign in again to continue.",
    "absolute": "You were signed out because you signed in more than {hours} hours ago. Sign in again to continue.",
}


def _minutes(span) -> int:
    return int(span.total_seconds() // 60)
