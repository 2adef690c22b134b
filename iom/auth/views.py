"""Signing in and out, changing one's own password, and the first-admin set-up link."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from iom import audit
from iom.auth.forms import ChangePasswordForm, FirstAdminForm, SignInForm
from iom.auth.hooks import SESSION_TOKEN_KEY
from iom.auth.operations import (AccountError, attempt_sign_in, change_own_password, create_first_admin,
                                 end_session, setup_token_state, start_session)
from iom.auth.permissions import EVERYONE, allow_blueprint, public
from iom.clock import uk_datetime
from iom.extensions import db
from iom.security import safe_next

bp = Blueprint("auth", __name__)
allow_blueprint(bp, EVERYONE)

GENERIC_FAILURE = "Enter a correct username and password"


def _begin_browser_session(user) -> None:
    token = start_session(user)
    db.session.commit()
    session.clear()
    session.permanent = True
    session[SESSION_TOKEN_KEY] = token
    login_user(user)


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = SignInForm()
    status = 200
    if form.validate_on_submit():
        result = attempt_sign_in(form.username.data, form.password.data,
                                 threshold=current_app.config["LOCKOUT_THRESHOLD"],
                                 lock_for=current_app.config["LOCKOUT_PERIOD"])
        db.session.commit()
        if result.user is not None:
            _begin_browser_session(result.user)
            return redirect(safe_next(request.args.get("next")) or url_for("home.index"))
        if result.locked_until is not None:
            minutes = int(current_app.config["LOCKOUT_PERIOD"].total_seconds() // 60)
            form.username.errors.append(
                f"This account is locked for {minutes} minutes after "
                f"{current_app.config['LOCKOUT_THRESHOLD']} failed sign-in attempts in a row. "
                f"Try again after {uk_datetime(result.locked_until)}, or ask an administrator to reset "
                "your password")
            status = 429
        else:
            form.password.errors.append(GENERIC_FAILURE)
        form.password.data = ""
    return render_template("auth/login.html", form=form), status


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
            _begin_browser_session(user)
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


@bp.route("/healthz")
@public
def health():
    """For the load balancer: the app answers and the database does too."""
    db.session.execute(db.text("SELECT 1"))
    return {"status": "ok"}
