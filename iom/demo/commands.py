"""`flask --app iom demo-data`: fill an empty database with fictional accounts and a caseload."""
import sys

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from iom import audit
from iom.auth import operations, second_factor
from iom.auth.models import User
from iom.demo import caseload
from iom.extensions import db

DEMO_PASSWORD = "demo password only"
# The demo accounts' second factor: published here and in the README, so it protects nothing. Demo only:
# never give a real account this secret.
DEMO_TOTP_SECRET = "IOMDEMOONLYNEVERUSEFORREALDATA23"
DEMO_ACCOUNTS = [
    ("demo.admin", "admin", "Alex Admin (demo)"),
    ("demo.manager", "manager", "Morgan Manager (demo)"),
    # a second manager, so a payment one manager requests can be approved by the other
    ("demo.manager2", "manager", "Sam Manager (demo)"),
    ("demo.officer", "officer", "Olly Officer (demo)"),
    ("demo.officer2", "officer", "Priya Officer (demo)"),
    ("demo.housing", "housing", "Harper Housing (demo)"),
    ("demo.reviewer", "reviewer", "Riley Reviewer (demo)"),
]


@click.command("demo-data")
@click.option("--seed", default=2011, show_default=True, help="Random seed: the same seed gives the same data")
@with_appcontext
def demo_data_command(seed: int) -> None:
    """Create the demo accounts and caseload (only into a database with no accounts)."""
    if db.session.scalar(select(User.id).limit(1)) is not None:
        click.echo("This database already has accounts; demo data is only added to an empty database.")
        _print_accounts()
        return
    for username, role, name in DEMO_ACCOUNTS:
        operations.create_user(username, role, DEMO_PASSWORD, display_name=name,
                               actor_label="demo data", totp_secret=DEMO_TOTP_SECRET)
    with audit.acting_as("demo data"):
        caseload.generate(seed)
    db.session.commit()
    click.echo("Demo data created. Everything in it is fictional.")
    _print_accounts()


def _print_accounts() -> None:
    click.echo("")
    click.echo(f"Demo accounts (password for all: '{DEMO_PASSWORD}'):")
    for username, role, _ in DEMO_ACCOUNTS:
        click.echo(f"    {username:16} {role}")
    click.echo("")
    click.echo(f"Second factor for all (DEMO ONLY, never for a real account): the authenticator secret "
               f"{DEMO_TOTP_SECRET}.")
    click.echo("Add it to an authenticator app, or print the code of the moment with: flask --app iom demo-code")
    click.echo("")
    sys.stdout.flush()


@click.command("demo-code")
def demo_code_command() -> None:
    """Print the demo accounts' second-factor code of the moment (demo only: their secret is public)."""
    click.echo(second_factor.code_at(DEMO_TOTP_SECRET, second_factor.time_step()))
