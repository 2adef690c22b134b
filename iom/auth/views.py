"""Signing in (password, then the second factor, set up at the first sign-in), the code asked again before a
download, signing out, changing one's own password, and the first-admin set-up link."""
import logging
from functools import wraps

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy.exc import SQLAlchemyError

from iom import audit
from iom.auth import pending
from iom.auth.forms import ChangePasswordForm, FirstAdminForm, SecondFactorForm, SignInForm
from iom.auth.hooks import SESSION_TOKEN_KEY
from iom.auth.operations import (AccountError, attempt_sign_in, change_own_password, check_second_factor,
                                 create_first_admin, end_session, mark_second_factor_given, setup_token_state,
                                 signed_in, start_session)
from iom.auth.second_factor import begin_setup, confirm_setup, grouped, setup_qr_svg
from iom.auth.permissions import EVERYONE, allow_blueprint, public
from iom.clock import uk_datetime
from iom.extensions import db
from iom.security import safe_next

bp = Blueprint("auth", __name__)
log = logging.getLogger("iom")
allow_blueprint(bp, EVERYONE)

GENERIC_FAILURE = "Enter a correct username and password"


def _begin_browser_session(token: str, user) -> None:
    session.clear()
    session.permanent = True
    session[SESSION_TOKEN_KEY] = token
    login_user(user)


def client_address() -> str:
    """The address failures are counted against (the proxy's client address with IOM_PROXY_FIX_HOPS)."""
    return (request.remote_addr or "unknown")[:64]


def refusal_message(refused) -> str:
    until = uk_datetime(refused.until)
    if refused.reason == "address":
        return (f"There have been too many failed sign-ins from your network. Try again after {until}. "
                "If this keeps happening, contact your administrator")
    if refused.reason == "account_from_address":
        return (f"There have been too many failed sign-ins for this account from your network. Try again after "
                f"{until}, or sign in from another network")
    ceiling = current_app.config["SIGN_IN_FAILURES_PER_ACCOUNT_PER_HOUR"]
    return (f"This account has had {ceiling} failed sign-ins in the last hour, so it cannot be signed in to "
            f"until {until}. Ask an administrator to reset your password if it was not you")


# --- the first step: username and password ----------------------------------------------------

@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = SignInForm()
    status = 200
    if form.validate_on_submit():
        result = attempt_sign_in(form.username.data, form.password.data, address=client_address())
        db.session.commit()
        if result.user is not None:
            pending.begin(result.user, safe_next(request.args.get("next")))
            endpoint = "auth.second_factor" if result.user.has_second_factor else "auth.set_up_second_factor"
            return redirect(url_for(endpoint))
        if result.refused is not None:
            form.username.errors.append(refusal_message(result.refused))
            status = 429
        else:
            form.password.errors.append(GENERIC_FAILURE)
        form.password.data = ""
    return render_template("auth/login.html", form=form), status


# --- the second step: the code ------------------------------------------------------------------

CODE_PROBLEMS = {
    "wrong": "The code is not correct. Enter the 6-digit code your authenticator app shows now, or a recovery code",
    "reused": "That code has already been used. Wait for your authenticator app to show a new code, then enter it",
    "recovery_used": "That recovery code has already been used. Each recovery code works once",
}


SETTING_UP_WRONG = "The code is not correct. Enter the 6-digit code your authenticator app shows now"


def _code_refused(form, result, *, setting_up: bool = False) -> int:
    """Put a refused code's message on the form; the status to answer with."""
    if result.outcome == "refused":
        form.code.errors.append(refusal_message(result.refused))
        return 429
    form.code.errors.append(SETTING_UP_WRONG if setting_up and result.outcome == "wrong"
                            else CODE_PROBLEMS[result.outcome])
    return 400


def _finish_sign_in(user, next_url: str | None, result) -> str:
    token = signed_in(user, address=client_address())
    db.session.commit()
    _begin_browser_session(token, user)
    if result.outcome == "recovery_ok":
        flash(f"You signed in with a recovery code. You have {result.recovery_codes_left} left. If you have lost "
              "your authenticator app, ask an administrator to reset your second factor.", "info")
    return next_url or url_for("home.index")


def _pending_or_restart(*, setting_up: bool):
    """The person who gave the right password in this browser moments ago, or where they go instead:
    back to the password when there is none, and to the other step when this one is not theirs (the
    code for an account whose second factor is set, its set-up for one whose is not)."""
    user, next_url = pending.current(current_app.config["SECOND_FACTOR_PENDING_LIFETIME"])
    if user is None:
        flash("Sign in again to continue.", "info")
        return None, None, redirect(url_for("auth.login"))
    if user.has_second_factor == setting_up:
        return None, None, redirect(url_for("auth.second_factor" if setting_up else "auth.set_up_second_factor"))
    return user, next_url, None


def pending_sign_in(*, setting_up: bool):
    """A step of the sign-in after the password: the view gets the pending person and where they were
    going, or the browser is sent where it belongs instead (see _pending_or_restart)."""
    def decorate(view):
        @wraps(view)
        def step():
            user, next_url, restart = _pending_or_restart(setting_up=setting_up)
            return restart or view(user, next_url)
        return step
    return decorate


def _wrong_code(form, result, *, setting_up: bool = False) -> tuple[int, object]:
    """A refused code: the message, and after too many in this browser, back to the password."""
    status = _code_refused(form, result, setting_up=setting_up)
    if pending.count_wrong_code() >= current_app.config["SECOND_FACTOR_TRIES"]:
        pending.clear()
        flash("Too many wrong codes. Sign in again with your username and password.", "info")
        return status, redirect(url_for("auth.login"))
    return status, None


@bp.route("/login/code", methods=["GET", "POST"])
@public
@pending_sign_in(setting_up=False)
def second_factor(user, next_url):
    form = SecondFactorForm()
    status = 200
    if form.validate_on_submit():
        result = check_second_factor(user, form.code.data, address=client_address())
        if result.ok:
            return redirect(_finish_sign_in(user, next_url, result))
        db.session.commit()
        status, restart = _wrong_code(form, result)
        if restart:
            return restart
    elif form.errors:
        status = 400
    form.code.data = ""
    return render_template("auth/second_factor.html", form=form), status


@bp.route("/login/set-up-second-factor", methods=["GET", "POST"])
@public
@pending_sign_in(setting_up=True)
def set_up_second_factor(user, next_url):
    begin_setup(user)
    db.session.commit()
    form = SecondFactorForm()
    status = 200
    if form.validate_on_submit():
        result = check_second_factor(user, form.code.data, address=client_address())
        if result.outcome == "ok":
            codes = confirm_setup(user)
            continue_to = _finish_sign_in(user, next_url, result)
            return render_template("auth/recovery_codes.html", codes=codes, continue_to=continue_to)
        db.session.commit()
        status, restart = _wrong_code(form, result, setting_up=True)
        if restart:
            return restart
    elif form.errors:
        status = 400
    form.code.data = ""
    return render_template("auth/set_up_second_factor.html", form=form, qr_svg=setup_qr_svg(user),
                           secret=grouped(user.totp_secret)), status


# --- asked again before a download ----------------------------------------------------------------

@bp.route("/account/confirm-code", methods=["GET", "POST"])
def step_up():
    """The code asked again: a download of the review pack or the caseload needs one given in the last
    few minutes (STEP_UP_FRESHNESS)."""
    form = SecondFactorForm(next=request.args.get("next"))
    status = 200
    if form.validate_on_submit():
        user = current_user._get_current_object()
        result = check_second_factor(user, form.code.data, address=client_address(), purpose="step_up")
        if result.ok:
            mark_second_factor_given(g.user_session)
            db.session.commit()
            flash("Code accepted. You can download now.", "success")
            return redirect(safe_next(form.next.data) or url_for("home.index"))
        db.session.commit()
        status = _code_refused(form, result)
    elif form.errors:
        status = 400
    form.code.data = ""
    minutes = int(current_app.config["STEP_UP_FRESHNESS"].total_seconds() // 60)
    return render_template("auth/step_up.html", form=form, minutes=minutes), status


@bp.route("/logout", methods=["POST"])
def logout():
    end_session(session.get(SESSION_TOKEN_KEY), "signed out")
    audit.record("sign_out", f"{current_user.username} signed out", subject=current_user._get_current_object())
    db.session.commit()
    logout_user()
    session.clear()
    flash("You have signed out", "success")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            change_own_password(user, form.current_password.data, form.new_password.data)
        except AccountError as error:
            db.session.rollback()
            getattr(form, error.field or "new_password").errors.append(str(error))
        else:
            # every other browser signed in as this person is now signed out; this one carries on
            token = start_session(user, second_factor_at=g.user_session.second_factor_at)
            db.session.commit()
            _begin_browser_session(token, user)
            flash("Your password has been changed. Any other browser you were signed in on has been signed out.",
                  "success")
            return redirect(url_for("home.index"))
    return render_template("auth/change_password.html", form=form)


SETUP_PROBLEMS = {
    "unknown": ("This set-up link is not valid", 404,
                "Check you copied the whole link. You can get a new one by running make run again on the server, "
                "as long as no account has been created yet."),
    "used": ("This set-up link has already been used", 410,
             "Each set-up link works once. Sign in with the administrator account that was created with it."),
    "not_needed": ("The first administrator already exists", 410,
                   "Sign in, or ask an administrator to add an account for you."),
    "expired": ("This set-up link has expired", 410,
                "Set-up links work for 2 hours. Run make run again on the server to get a new link."),
}


@bp.route("/setup/<token>", methods=["GET", "POST"])
@public
def setup_first_admin(token: str):
    _, state = setup_token_state(token)
    if state != "valid":
        title, status, advice = SETUP_PROBLEMS[state]
        return render_template("auth/setup_problem.html", title=title, advice=advice), status
    form = FirstAdminForm()
    if form.validate_on_submit():
        try:
            create_first_admin(token, form.username.data, form.display_name.data, form.password.data)
        except AccountError as error:
            db.session.rollback()
            getattr(form, error.field or "password").errors.append(str(error))
        else:
            db.session.commit()
            flash("Administrator account created. Sign in with your username and password.", "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/setup.html", form=form)


def migration_heads() -> set[str]:
    """The revisions at the head of migrations/, read from the scripts once per process."""
    heads = current_app.extensions.get("iom_migration_heads")
    if heads is None:
        from alembic.script import ScriptDirectory
        config = current_app.extensions["migrate"].migrate.get_config()
        heads = current_app.extensions["iom_migration_heads"] = frozenset(
            ScriptDirectory.from_config(config).get_heads())
    return heads


def _unavailable(reason: str, detail: str):
    log.warning("health check failed", extra={"fields": {"reason": reason}})
    return {"status": "unavailable", "reason": reason, "detail": detail}, 503


@bp.route("/healthz")
@public
def health():
    """For the load balancer and monitoring (docs/operations.md): 200 when the database answers and its
    schema is at the migrations' head; 503 with the reason otherwise. One read, no audit entry, no session."""
    try:
        revisions = set(db.session.execute(db.text("SELECT version_num FROM alembic_version")).scalars())
    except SQLAlchemyError:
        db.session.rollback()
        try:
            db.session.execute(db.text("SELECT 1"))
        except SQLAlchemyError:
            db.session.rollback()
            return _unavailable("database", "The database did not answer.")
        db.session.rollback()
        return _unavailable("migrations", "The database has no schema yet: run flask --app iom db upgrade.")
    if revisions != migration_heads():
        return _unavailable("migrations", "The database schema is not at the migrations' head: run "
                                          "flask --app iom db upgrade.")
    return {"status": "ok", "database": "ok", "migrations": "head"}
