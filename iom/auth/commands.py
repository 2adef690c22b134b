"""Command-line account tools: thin wrappers over the same operations the pages use."""
import sys

import click
from flask.cli import with_appcontext
from flask import current_app

from iom.auth import operations, second_factor
from iom.auth.permissions import ROLES
from iom.extensions import db


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt="Repeat the password")
    # Not a terminal: the first line is the password; a second line, if given, must repeat it.
    lines = sys.stdin.read().splitlines()
    if not lines:
        _fail("no password given on standard input")
    if len(lines) > 1 and lines[1] and lines[1] != lines[0]:
        _fail("the two passwords given do not match")
    return lines[0]


@click.command("create-user")
@with_appcontext
@click.argument("username")
@click.option("--role", required=True, help=f"One of: {', '.join(ROLES)}")
@click.option("--name", "display_name", default=None, help="Full name shown on pages (defaults to the username)")
@click.option("--totp-secret", default=None, metavar="BASE32",
              help="Set the account's second factor to this RFC 6238 secret (30 s, 6 digits, SHA-1), for scripted "
                   "set-up. Without it the person sets up an authenticator app at their first sign-in.")
def create_user_command(username: str, role: str, display_name: str | None, totp_secret: str | None) -> None:
    """Add an account. The password is prompted for twice, or read from standard input."""
    if role not in ROLES:
        _fail(f"role must be one of {', '.join(ROLES)} (you gave '{role}')")
    try:
        operations.validate_username(username)
    except operations.AccountError as error:
        _fail(str(error))
    if totp_secret is not None:
        try:
            second_factor.normalise_secret(totp_secret)
        except second_factor.SecretError as error:
            _fail(f"--totp-secret: {error}")
    password = _read_password()
    try:
        user = operations.create_user(username, role, password, display_name=display_name,
                                      actor_label="system (command line)", totp_secret=totp_secret)
    except operations.AccountError as error:
        db.session.rollback()
        _fail(str(error))
    db.session.commit()
    click.echo(f"Created {user.username} with role {user.role}"
               + (", second factor set." if totp_secret is not None else
                  "; they set up their second factor at their first sign-in."))


@click.command("setup-link")
@with_appcontext
def setup_link_command() -> None:
    """Print a one-time link to create the first administrator, when no account exists yet."""
    token = operations.issue_setup_token(current_app.config["SETUP_TOKEN_LIFETIME"])
    if token is None:
        return
    db.session.commit()
    hours = int(current_app.config["SETUP_TOKEN_LIFETIME"].total_seconds() // 3600)
    origin = current_app.config["SERVER_ORIGIN"]
    click.echo("")
    click.echo("No accounts exist yet. To create the first administrator, open this link")
    click.echo(f"(it works once, for {hours} hours):")
    click.echo("")
    click.echo(f"    {origin}/setup/{token}")
    click.echo("")
