"""Forms for signing in and managing accounts; each owns its GOV.UK-style messages."""
from iom.form_fields import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (GovPasswordInput, GovRadioInput, GovSubmitInput,
                                                GovTextInput)
from wtforms.fields.choices import SelectChoice
from wtforms import HiddenField, PasswordField, RadioField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length

from iom.auth.permissions import ROLE_LABELS, ROLES

ROLE_CHOICES = [SelectChoice(role, ROLE_LABELS[role]) for role in ROLES]


def _new_account(full_name_missing: str, *, own: bool = False) -> tuple[StringField, StringField]:
    """The username and full name of an account being made; own: by the person it is for, so the browser
    may offer what it knows of them (never when an administrator makes someone else's)."""
    return (StringField("Username", widget=GovTextInput(),
                        description="Letters, numbers, full stops, hyphens and underscores",
                        validators=[DataRequired(message="Enter a username")],
                        render_kw={"params": {"autocomplete": "username", "spellcheck": False,
                                              "classes": "govuk-!-width-two-thirds"}} if own else None),
            StringField("Full name", widget=GovTextInput(),
                        validators=[DataRequired(message=full_name_missing),
                                    Length(max=120, message="Full name must be 120 characters or fewer")],
                        render_kw={"params": {"autocomplete": "name"}} if own else None))


NEW_PASSWORD = {"params": {"autocomplete": "new-password"}}


def _chosen_password(name: str, label: str, missing: str, again: str, again_missing: str
                     ) -> tuple[PasswordField, PasswordField]:
    """A password the person chooses (the field called `name`) and the same typed again."""
    return (PasswordField(label, widget=GovPasswordInput(), render_kw=NEW_PASSWORD,
                          description="At least 12 characters. Three random words work well.",
                          validators=[DataRequired(message=missing)]),
            PasswordField(again, widget=GovPasswordInput(), render_kw=NEW_PASSWORD,
                          validators=[DataRequired(message=again_missing),
                                      EqualTo(name, message="The passwords do not match. Enter the same password "
                                                            "twice")]))


class SignInForm(FlaskForm):
    username = StringField("Username", widget=GovTextInput(),
                           validators=[DataRequired(message="Enter your username")])
    password = PasswordField("Password", widget=GovPasswordInput(),
                             validators=[DataRequired(message="Enter your password")])
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class SecondFactorForm(FlaskForm):
    """The code from the authenticator app (or a recovery code): the sign-in's second step, the set-up's
    check, and the step-up asked again before a download."""

    code = StringField("Code", widget=GovTextInput(),
                       description="The 6-digit code your authenticator app shows now. Lost your phone? "
                                   "Enter one of your recovery codes instead.",
                       validators=[DataRequired(message="Enter the 6-digit code from your authenticator app"),
                                   Length(max=40, message="Enter the 6-digit code from your authenticator app, "
                                                          "or a recovery code")])
    next = HiddenField()
    submit = SubmitField("Continue", widget=GovSubmitInput())


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Current password", widget=GovPasswordInput(),
                                     render_kw={"params": {"autocomplete": "current-password"}},
                                     validators=[DataRequired(message="Enter your current password")])
    new_password, confirm_password = _chosen_password("new_password", "New password", "Enter a new password",
                                                      "Confirm new password", "Enter your new password again")
    submit = SubmitField("Change password", widget=GovSubmitInput())


class FirstAdminForm(FlaskForm):
    username, display_name = _new_account("Enter your full name", own=True)
    password, confirm_password = _chosen_password("password", "Password", "Enter a password",
                                                  "Confirm password", "Enter the password again")
    submit = SubmitField("Create administrator account", widget=GovSubmitInput())


class AddUserForm(FlaskForm):
    username, display_name = _new_account("Enter the person's full name")
    role = RadioField("Role", widget=GovRadioInput(), choices=ROLE_CHOICES,
                      validators=[InputRequired(message="Select a role")])
    password = PasswordField("Temporary password", widget=GovPasswordInput(),
                             description="Give this to the person securely. They must change it when they first sign in.",
                             validators=[DataRequired(message="Enter a temporary password")])
    submit = SubmitField("Add user", widget=GovSubmitInput())


class VersionedForm(FlaskForm):
    """Carries the record's version so a save over someone else's change is refused."""

    version = HiddenField(validators=[DataRequired(
        message="This page is out of date. Reload it and make your change again")])


class ChangeRoleForm(VersionedForm):
    role = RadioField("Role", widget=GovRadioInput(), choices=ROLE_CHOICES,
                      validators=[InputRequired(message="Select a role")])
    submit = SubmitField("Change role", widget=GovSubmitInput())


class ResetPasswordForm(VersionedForm):
    password = PasswordField("New temporary password", widget=GovPasswordInput(),
                             description="They must change it when they next sign in.",
                             validators=[DataRequired(message="Enter a temporary password")])
    submit = SubmitField("Reset password", widget=GovSubmitInput())


class ConfirmForm(VersionedForm):
    """A button that changes something: CSRF token and version only."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())
