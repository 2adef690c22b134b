"""`flask --app iom monthly-check`: a month's figures, with an exit status a cron job can alert on;
`flask --app iom reoffending`: offending before and after adoption."""
import json
import sys
from datetime import date

import click
from flask.cli import with_appcontext

from iom import audit, clock
from iom.figures import monthly, reoffending
from iom.figures.months import BadPeriod, month_end, parse_month
from iom.figures.reoffending_table import (BREAKDOWN_NAMES, CAVEATS, NO_CHANGE, RATE, breakdown_rows, change_text,
                                          day_parts, figure_rows, figure_text)
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


# --- reoffending ---------------------------------------------------------------------------------

def parse_day(option: str, text: str | None) -> date:
    """'2011-04-01' (the contract's form) or the UK '1/4/2011'; BadPeriod saying what is wrong."""
    example = "2011-04-01" if option == "--from" else "2012-03-31"
    cleaned = (text or "").strip()
    if not cleaned:
        raise BadPeriod(f"give {option} as a date, YYYY-MM-DD, for example {option} {example}")
    shown = cleaned if len(cleaned) <= 20 else cleaned[:20] + "…"
    parts = day_parts(cleaned)
    if parts is None:
        raise BadPeriod(f"{option} '{shown}' is not a date: write it as YYYY-MM-DD, for example {example}")
    year, month, day = parts
    try:
        parsed = date(year, month, day)
    except ValueError:
        raise BadPeriod(f"{option} '{shown}' is not a real date: check the day and the month") from None
    if not 1900 <= parsed.year <= 9998:
        raise BadPeriod(f"{option} '{shown}' is outside the years this service counts: use a year from 1900 to 9998")
    return parsed


def reoffending_text(result: reoffending.Reoffending) -> str:
    """The figures as a plain-text table (before, after, change), the breakdowns, then the caveats."""
    lines = ["Offending before and after adoption",
             f"Clients adopted from {uk_date(result.first)} to {uk_date(result.last)}, as recorded on "
             f"{uk_date(result.today)}",
             f"Clients adopted: {result.clients:,}; not yet a year since adoption (left out of both years): "
             f"{result.not_yet_a_year:,}", ""]
    lines.append(f"{'':<38}{'Year before':>16}{'Year after':>16}{'Change':>16}")
    for row in figure_rows(result.all):
        lines.append(f"{row.label:<38}{figure_text(row.before, row.kind):>16}{figure_text(row.after, row.kind):>16}"
                     f"{'' if row.name in NO_CHANGE else change_text(row.change, row.kind):>16}")
    for name, groups in breakdown_rows(result).items():
        lines += ["", f"By {BREAKDOWN_NAMES[name].lower()}: clients counted, offences and offences per 100 years "
                      "at risk, before and after",
                  f"{'':<36}{'Clients':>8}  {'Offences':>16}  {'Per 100 years at risk':>36}"]
        for group_row in groups:
            group = group_row.group
            if group_row.counted:
                offences = f"{group.before.offences:,} -> {group.after.offences:,}"
                rates = (f"{figure_text(group.before.per_100_years_at_risk, RATE)} -> "
                         f"{figure_text(group.after.per_100_years_at_risk, RATE)}")
            else:
                offences = rates = "nobody counted"
            small = " (small)" if group_row.is_small and group_row.counted else ""
            lines.append(f"{group_row.label + small:<36}{group_row.counted:>8,}  {offences:>16}  {rates:>36}")
    lines += ["", "Read these figures with care:"]
    lines += [f"- {caveat}" for caveat in CAVEATS]
    return "\n".join(lines)


@click.command("reoffending")
@click.option("--from", "first_text", default=None, help="The first day of adoptions counted, as YYYY-MM-DD")
@click.option("--to", "last_text", default=None, help="The last day of adoptions counted, as YYYY-MM-DD")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object")
@with_appcontext
def reoffending_command(first_text: str | None, last_text: str | None, as_json: bool) -> None:
    """Offending in the year before and the year after adoption, for clients adopted from FROM to TO
    (both days included). Exit 0, or 1 for a missing or badly written date or FROM after TO."""
    try:
        first, last = parse_day("--from", first_text), parse_day("--to", last_text)
    except BadPeriod as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(EXIT_ERROR)
    if first > last:
        click.echo(f"Error: --from {first.isoformat()} is after --to {last.isoformat()}: give a first day on or "
                   "before the last day", err=True)
        sys.exit(EXIT_ERROR)
    result = reoffending.before_and_after(first, last, today=clock.today_in_london())
    audit.record("figures.checked", f"Offending before and after adoption for adoptions from {uk_date(first)} to "
                 f"{uk_date(last)}, from the command line", actor_label="system (command line)",
                 subject=("reoffending", f"{first.isoformat()}/{last.isoformat()}"),
                 changes={"clients": [None, result.clients], "format": [None, "json" if as_json else "text"]})
    db.session.commit()
    click.echo(json.dumps(result.as_json()) if as_json else reoffending_text(result))
    sys.exit(EXIT_MET)
