"""`create-user`, `setup-link` and the first-admin link."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from iom.auth.models import SetupToken, User
from iom.clock import utcnow
from iom.extensions import db
from tests.pages import post_form, sign_in


def users(app):
    with app.app_context():
        return {user.username: user.role for user in db.session.scalars(select(User))}


def test_create_user_reads_the_password_from_standard_input(app, runner):
    result = runner.invoke(args=["create-user", "Sam.Jones", "--role", "manager"],
                           input="plum orchard lantern 42\nplum orchard lantern 42\n")
    assert result.exit_code == 0, result.output
    assert "Created sam.jones with role manager" in result.output
    assert users(app) == {"sam.jones": "manager"}
    client = app.test_client()
    first = sign_in(client, app, "sam.jones")  # no --totp-secret: the authenticator is set up at first sign-in
    assert first.status_code == 200 and "Save your recovery codes" in first.text
    assert client.get("/").status_code == 200


def test_create_user_accepts_a_single_line(app, runner):
    result = runner.invoke(args=["create-user", "amy", "--role", "reviewer"], input="plum orchard lantern 42\n")
    assert result.exit_code == 0, result.output


def test_create_user_refusals_exit_1_with_a_clear_message(app, runner):
    cases = [
        (["create-user", "amy", "--role", "boss"], "plum orchard lantern 42\n", "role must be one of"),
        (["create-user", "amy", "--role", "officer"], "plum orchard lantern 42\nsomething else entirely\n",
         "do not match"),
        (["create-user", "amy", "--role", "officer"], "short\n", "12 characters or more"),
        (["create-user", "amy", "--role", "officer"], "password123456\n", "too common"),
        (["create-user", "a b", "--role", "officer"], "plum orchard lantern 42\n", "Username must be"),
        (["create-user", "amy", "--role", "officer"], "", "no password"),
    ]
    for args, stdin, message in cases:
        result = runner.invoke(args=args, input=stdin)
        assert result.exit_code == 1, (args, result.output)
        assert message in result.output, (args, result.output)
    assert users(app) == {}


def test_create_user_refuses_a_taken_username(app, runner):
    runner.invoke(args=["create-user", "amy", "--role", "officer"], input="plum orchard lantern 42\n")
    result = runner.invoke(args=["create-user", "AMY", "--role", "manager"], input="plum orchard lantern 42\n")
    assert result.exit_code == 1 and "already an account" in result.output
    assert users(app) == {"amy": "officer"}


def _setup_link(runner) -> str:
    result = runner.invoke(args=["setup-link"])
    assert result.exit_code == 0
    line = next(line for line in result.output.splitlines() if "/setup/" in line)
    return "/setup/" + line.strip().rsplit("/setup/", 1)[1]


def test_setup_link_creates_the_first_admin_once(app, runner):
    path = _setup_link(runner)
    client = app.test_client()
    page = client.get(path)
    assert page.status_code == 200 and "Create the first administrator" in page.text
    response = post_form(client, app, path, {"username": "first.admin", "display_name": "Pat Admin",
                                              "password": "plum orchard lantern 42",
                                              "confirm_password": "plum orchard lantern 42"})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert users(app) == {"first.admin": "admin"}
    again = app.test_client().get(path)
    assert again.status_code == 410 and "already been used" in again.text
    second_try = post_form(app.test_client(), app, path, {"username": "intruder", "display_name": "X",
                                                          "password": "plum orchard lantern 42",
                                                          "confirm_password": "plum orchard lantern 42"})
    assert second_try.status_code == 410
    assert users(app) == {"first.admin": "admin"}


def test_setup_form_errors_keep_the_link_usable(app, runner):
    path = _setup_link(runner)
    client = app.test_client()
    response = post_form(client, app, path, {"username": "boss", "display_name": "Pat",
                                              "password": "plum orchard lantern 42", "confirm_password": "nope"})
    assert response.status_code == 200 and "The passwords do not match" in response.text
    assert users(app) == {}
    assert client.get(path).status_code == 200


def test_expired_setup_link_shows_a_clear_page(app, runner):
    path = _setup_link(runner)
    with app.app_context():
        db.session.execute(update(SetupToken).values(expires_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    page = app.test_client().get(path)
    assert page.status_code == 410 and "This set-up link has expired" in page.text


def test_unknown_setup_link_is_not_found(app):
    page = app.test_client().get("/setup/not-a-real-token")
    assert page.status_code == 404 and "not valid" in page.text


def test_no_setup_link_once_an_account_exists(app, runner, make_user):
    make_user("admin")
    result = runner.invoke(args=["setup-link"])
    assert result.exit_code == 0 and "/setup/" not in result.output


# --- create-user --totp-secret (scripted set-up of the second factor) ---------------------------------

def test_create_user_with_a_totp_secret_sets_the_second_factor(app, runner):
    import pyotp

    from iom.clock import utcnow
    from tests.pages import post_form
    secret = "jbsw y3dp ehpk 3pxp jbsw y3dp ehpk 3pxp"  # as an app shows it: spaces and lower case are fine
    result = runner.invoke(args=["create-user", "ana", "--role", "officer", "--totp-secret", secret],
                           input="plum orchard lantern 42\n")
    assert result.exit_code == 0, result.output
    assert "second factor set" in result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "ana"))
        assert user.has_second_factor and user.totp_secret == "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    client = app.test_client()
    assert post_form(client, app, "/login", {"username": "ana", "password": "plum orchard lantern 42"}
                     ).headers["Location"] == "/login/code"
    code = pyotp.TOTP("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP").at(utcnow())
    assert post_form(client, app, "/login/code", {"code": code}).headers["Location"] == "/"


def test_create_user_without_a_secret_leads_to_set_up_at_first_sign_in(app, runner):
    from tests.pages import post_form
    result = runner.invoke(args=["create-user", "bea", "--role", "housing"], input="plum orchard lantern 42\n")
    assert "set up their second factor at their first sign-in" in result.output
    response = post_form(app.test_client(), app, "/login", {"username": "bea", "password": "plum orchard lantern 42"})
    assert response.headers["Location"] == "/login/set-up-second-factor"


@pytest.mark.parametrize("secret, message", [
    ("not base32 at all!", "--totp-secret: the second-factor secret is not valid base32 (letters A to Z and digits 2 to 7)"),
    ("JBSWY3DP1", "not valid base32"),
    ("JBSWY3DPEHPK3PXP", "too short"),
    ("", "is empty"),
])
def test_create_user_refuses_a_bad_totp_secret_with_exit_1_and_creates_nothing(app, runner, secret, message):
    result = runner.invoke(args=["create-user", "cal", "--role", "officer", "--totp-secret", secret],
                           input="plum orchard lantern 42\n")
    assert result.exit_code == 1
    assert message in result.output
    assert users(app) == {}


def test_the_password_forms_tell_the_browser_what_each_box_is(app, runner, signed_in, make_user):
    # the person's own account: their username, name, new password; never on another's account (below)
    setup = app.test_client().get(_setup_link(runner)).text
    for name, autocomplete in (("username", "username"), ("display_name", "name"), ("password", "new-password"),
                               ("confirm_password", "new-password")):
        assert re.search(rf'<input[^>]*autocomplete="{autocomplete}"[^>]*name="{name}"|'
                         rf'<input[^>]*name="{name}"[^>]*autocomplete="{autocomplete}"', setup), name
    web, _ = signed_in("officer")
    change = web.get("/account/password").text
    for name, autocomplete in (("current_password", "current-password"), ("new_password", "new-password"),
                               ("confirm_password", "new-password")):
        assert re.search(rf'<input[^>]*autocomplete="{autocomplete}"[^>]*name="{name}"|'
                         rf'<input[^>]*name="{name}"[^>]*autocomplete="{autocomplete}"', change), name
    admin = app.test_client()  # another browser: signing in again in the officer's keeps the officer
    assert sign_in(admin, app, make_user("admin")[1]).status_code == 302
    adding = admin.get("/admin/users/new").text
    assert 'name="display_name"' in adding
    assert not re.search(r'<input[^>]*name="display_name"[^>]*autocomplete|<input[^>]*autocomplete[^>]*'
                         r'name="display_name"', adding)
