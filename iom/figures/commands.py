"""`flask --app iom monthly-check`: a month's figures, with an exit status a cron job can alert on."""
import json
import sys

import click
from flask.cli import with_appcontext

from iom import audit
from iom.figures import monthly
from iom.figures.months import BadPeriod, month_end, parse_month
from iom.clock import today_in_london, uk_date
from iom.extensions import db

EXIT_MET, EXIT_ERROR, EXIT_BELOW = 0, 1, 3


@click.command("monthly-check")
@click.option("--month", "month_text", default=None, help="The month, as YYYY-MM (for example 2011-10)")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object")
@with_appcontext
def monthly_check_command(month_text: str, as_json: bool) -> None:
    """Print a month's figures. Exit 0 when the minimum is met, 3 when it is not, 1 on error."""
    if not month_text:
        click.echo("Error: give the month to check: write it as YYYY-MM, for example --month 2011-10", err=True)
        sys.exit(EXIT_ERROR)
    try:
        month = parse_month(month_text)
    except BadPeriod as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(EXIT_ERROR)
    if month > today_in_london().replace(day=1):
        click.echo(f"Error: {month_text} has not started yet: check this month or an earlier one", err=True)
        sys.exit(EXIT_ERROR)
    result = monthly.month_figures(month)
    audit.record("figures.checked", f"Monthly check for {result.month_text} from the command line",
                 actor_label="system (command line)", subject=("month", result.month_text))
    db.session.commit()
    if as_json:
        click.echo(json.dumps(result.as_json()))
    else:
        sac = result.serious_acquisitive_crimes
        strands = ", ".join(s.replace("_", " ") for s in result.counted_strands)
        click.echo(f"Month {result.month_text}, taken on {uk_date(month_end(month))}")
        click.echo(f"  On the scheme:               {result.on_scheme}")
        click.echo(f"  Counted for the minimum:     {result.counted_for_minimum} ({strands})")
        click.echo(f"  In custody or on remand:     {result.in_custody_or_remand}")
        click.echo(f"  Minimum:                     {result.minimum}")
        click.echo(f"  Serious acquisitive crimes:  {sac if sac is not None else 'not recorded'}")
        share = result.cohort_share_of_sac_percent
        click.echo(f"  By clients on the scheme:    {result.cohort_serious_acquisitive_offences} serious acquisitive "
                   "offences recorded" + (f" ({share}% of the area's count)" if share is not None else ""))
        click.echo(f"  Minimum met:                 {'yes' if result.minimum_met else 'NO'}")
    sys.exit(EXIT_MET if result.minimum_met else EXIT_BELOW)
