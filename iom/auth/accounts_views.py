"""Administrators manage accounts: add, change role, reset password, deactivate. Never delete."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from iom.auth import operations
from iom.auth.forms import AddUserForm, ChangeRoleForm, ConfirmForm, ResetPasswordForm
from iom.auth.models import User
from iom.auth.operations import AccountError, StaleRecord
from iom.auth.permissions import ACCOUNT_ADMINS, allow_blueprint
from iom.extensions import db

bp = Blueprint("accounts", __name__, url_prefix="/admin/users")
allow_blueprint(bp, ACCOUNT_ADMINS)


def get_user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("")
def list_users():
    users = db.session.scalars(select(User).order_by(User.is_active.desc(), User.username)).all()
    return render_template("accounts/list.html", users=users)


@bp.route("/new", methods=["GET", "POST"])
def add_user():
    form = AddUserForm()
    if form.validate_on_submit():
        try:
            user = operations.create_user(form.username.data, form.role.data, form.password.data,
                                          display_name=form.display_name.data, must_change_password=True)
        except AccountError as error:
            db.session.rollback()
            getattr(form, error.field or "username").errors.append(str(error))
        else:
            db.session.commit()
            flash(f"Account {user.username} added. They must change the temporary password when they "
                  "first sign in.", "success")
            return redirect(url_for("accounts.show_user", user_id=user.id))
    return render_template("accounts/add.html", form=form)


def _page(user: User, *, role_form=None, password_form=None, active_form=None, factor_form=None, status=200,
          stale: str | None = None):
    role_form = role_form or ChangeRoleForm(formdata=None, role=user.role, version=user.version)
    password_form = password_form or ResetPasswordForm(formdata=None, version=user.version)
    active_form = active_form or ConfirmForm(formdata=None, version=user.version)
    factor_form = factor_form or ConfirmForm(formdata=None, version=user.version)
    return render_template("accounts/show.html", user=user, role_form=role_form, password_form=password_form,
                           active_form=active_form, factor_form=factor_form, stale=stale), status


def _apply(user: User, form, action, success: str, form_key: str, field: str | None):
    """Run an account change from a versioned form; on failure re-show the page, input kept."""
    if not form.validate_on_submit():
        return _page(user, **{form_key: form}, status=400)
    try:
        changed = action()
    except StaleRecord as error:
        db.session.rollback()
        db.session.refresh(user)
        form.version.data = user.version
        return _page(user, **{form_key: form}, status=409, stale=str(error))
    except AccountError as error:
        db.session.rollback()
        target = getattr(form, error.field or "", None) if error.field else None
        (target.errors if target is not None else form.submit.errors).append(str(error))
        return _page(user, **{form_key: form}, status=400)
    db.session.commit()
    flash(success if changed is not False else "Nothing was changed", "success")
    return redirect(url_for("accounts.show_user", user_id=user.id))


@bp.route("/<int:user_id>")
def show_user(user_id: int):
    return _page(get_user_or_404(user_id))


@bp.route("/<int:user_id>/role", methods=["POST"])
def change_role(user_id: int):
    user = get_user_or_404(user_id)
    form = ChangeRoleForm()
    return _apply(user, form, lambda: operations.change_role(user, form.role.data, version=form.version.data),
                  f"{user.username}'s role has been changed. They have been signed out.", "role_form", "role")


@bp.route("/<int:user_id>/password", methods=["POST"])
def reset_password(user_id: int):
    user = get_user_or_404(user_id)
    form = ResetPasswordForm()
    return _apply(user, form,
                  lambda: operations.reset_password(user, form.password.data, version=form.version.data),
                  f"{user.username}'s password has been reset. They have been signed out and must choose a "
                  "new password when they next sign in.", "password_form", "password")


@bp.route("/<int:user_id>/deactivate", methods=["POST"])
def deactivate_user(user_id: int):
    user = get_user_or_404(user_id)
    form = ConfirmForm()
    return _apply(user, form,
                  lambda: operations.deactivate_user(user, actor=current_user, version=form.version.data),
                  f"{user.username}'s account has been deactivated and they have been signed out.",
                  "active_form", None)


@bp.route("/<int:user_id>/reactivate", methods=["POST"])
def reactivate_user(user_id: int):
    user = get_user_or_404(user_id)
    form = ConfirmForm()
    return _apply(user, form, lambda: operations.reactivate_user(user, version=form.version.data),
                  f"{user.username}'s account has been reactivated.", "active_form", None)


@bp.route("/<int:user_id>/second-factor/reset", methods=["POST"])
def reset_second_factor(user_id: int):
    user = get_user_or_404(user_id)
    form = ConfirmForm()
    return _apply(user, form, lambda: operations.reset_second_factor(user, version=form.version.data),
                  f"{user.username}'s second factor has been reset. They have been signed out and will set up their "
                  "authenticator app again at their next sign-in.", "factor_form", None)
