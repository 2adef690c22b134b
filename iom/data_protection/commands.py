"""`flask --app iom retention-review [--json]`: the people due for review under the retention rule."""
import json
import sys

import click
from flask.cli import with_appcontext

from iom import audit
from iom.data_protection import retention
from iom.extensions import db


@click.command("retention-review")
@click.option("--json", "as_json", is_flag=True, help="Print the list as one JSON object")
@with_appcontext
def retention_review_command(as_json: bool) -> None:
    """List the people whose last period on the scheme ended more than IOM_RETENTION_YEARS ago, and the watch
    list entries (of people never adopted) closed that long ago. Exit 0."""
    years = retention.retention_years()
    due = retention.due_for_review(years=years)
    watched = retention.watch_entries_due(years=years)
    with audit.acting_as("system (command line)"):
        audit.record("retention.listed", f"Listed the retention review from the command line ({len(due)} clients "
                     f"and {len(watched)} watch list entries due)", subject=("caseload", None),
                     changes={"retention_years": [None, years], "rows": [None, len(due)],
                              "watch_entries": [None, len(watched)]})
    db.session.commit()
    before = retention.cutoff(years=years).isoformat()
    if as_json:
        click.echo(json.dumps({"retention_years": years, "left_before": before,
                               "due": [{"reference": entry.reference, "last_left_on": entry.last_left_on.isoformat(),
                                        "periods": entry.periods} for entry in due],
                               "watch_entries_due": [{"entry": entry.id, "closed_on": entry.closed_on.isoformat(),
                                                      "outcome": entry.outcome} for entry in watched]}))
        sys.exit(0)
    if not due:
        click.echo(f"No one is due for review: no one left the scheme more than {years} years ago.")
    else:
        click.echo(f"{len(due)} due for review (left the scheme more than {years} years ago, before {before}):")
        for entry in due:
            click.echo(f"  {entry.reference}  left {entry.last_left_on.isoformat()}  ({entry.periods} period"
                       f"{'s' if entry.periods != 1 else ''})")
    if watched:
        click.echo(f"{len(watched)} watch list entries due for review (closed before {before}, never adopted):")
        for entry in watched:
            click.echo(f"  watch list entry {entry.id}  closed {entry.closed_on.isoformat()}")
    if due or watched:
        click.echo("Review and dispose of each on the Retention review page (/data-protection/retention).")
    sys.exit(0)
