"""The monthly figures: the year's table and charts, a month's page (its serious acquisitive crime
count and closing it), the settings (minimum and counted strands), and the CSV download.

Managers see and change everything here; officers, housing and administrators may read the
figures (counts, no personal data); administrators may also change the settings; the external
reviewer is refused."""
from datetime import date
from typing import NoReturn

from flask import Blueprint, Response, abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from iom import audit, clock
from iom.auth.permissions import ADMIN, HOUSING, MANAGER, OFFICER, allow_blueprint, may_use, only
from iom.figures import charts, exports, operations, queries
from iom.figures.monthly import rules_for
from iom.figures.forms import CloseMonthForm, SacCountForm, SchemeRuleForm
from iom.figures.months import month_text, parse_month
from iom.years import BadPeriod, FinancialYear
from iom.figures.queries import month_label
from iom.clients.models import STRANDS
from iom.extensions import db
from iom.saving import save_or_errors

bp = Blueprint("figures", __name__)
allow_blueprint(bp, {MANAGER, OFFICER, HOUSING, ADMIN})


def shown(name: str, value) -> str:
    """A figure as people read it: 'not recorded' for a missing count, never 0."""
    if name == "serious_acquisitive_crimes" or name == "crimes":
        return "not recorded" if value is None else f"{value:,}"
    if name == "minimum_met":
        return "met" if value else "not met"
    if value is None:
        return "—"
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


def closed_and_now(name: str, pair: tuple) -> str:
    """'closed at 71, now 70': what was reported and what the history says today."""
    then, now = pair
    if name == "minimum_met":
        return f"closed as {shown(name, then)}, now {shown(name, now)}"
    return f"closed at {shown(name, then)}, now {shown(name, now)}"


@bp.context_processor
def labels():
    return {"strand_labels": STRANDS, "shown": shown, "closed_and_now": closed_and_now, "month_label": month_label,
            "may_record_sac": may_use(current_user, "figures.record_sac"),
            "may_close_month": may_use(current_user, "figures.close_month"),
            "may_change_settings": may_use(current_user, "figures.settings"),
            "may_see_reoffending": may_use(current_user, "figures.reoffending_page")}


def bad_period(error: BadPeriod, field: str) -> NoReturn:
    """A month or year written wrongly in the address: stop with a GOV.UK error page, status 400,
    nothing done."""
    db.session.rollback()
    abort(make_response(render_template("figures/bad_period.html", message=str(error), field=field,
                                        this_year=FinancialYear.of(clock.today_in_london()).label), 400))


# --- the year ----------------------------------------------------------------------------------

def _year_from_args() -> FinancialYear:
    """The financial year asked for (default: the current one in London); BadPeriod if badly written."""
    year = request.args.get("year", "").strip()
    if not year:
        return FinancialYear.of(clock.today_in_london())
    if len(year) > 20:
        raise BadPeriod(f"'{year[:20]}…' is not a financial year: write it as YYYY-YY, for example 2011-12")
    return FinancialYear.parse(year)


def _year_page() -> tuple[FinancialYear, queries.YearPage]:
    """The year asked for and its figures; a year written wrongly stops with the error page."""
    try:
        year = _year_from_args()
        return year, queries.year_page(year, clock.today_in_london())
    except BadPeriod as error:
        bad_period(error, "year")


@bp.route("/figures")
def monthly():
    year, page = _year_page()
    audit.record("figures.viewed", f"Viewed the monthly figures for {year}", subject=("financial_year", year.label))
    db.session.commit()
    return render_template("figures/monthly.html", page=page,
                           counted_chart=charts.counted_against_minimum(page.rows, year),
                           sac_chart=charts.cohort_against_sac(page.rows, year))


@bp.route("/figures/monthly.csv")
def monthly_csv():
    year, page = _year_page()
    body = exports.monthly_csv(page)
    audit.record("figures.exported", f"Exported the monthly figures for {year} as CSV",
                 subject=("financial_year", year.label),
                 changes={"format": [None, "csv"], "rows": [None, len(page.rows)]})
    db.session.commit()
    return Response(body.encode("utf-8"), mimetype="text/csv",
                    headers={"Content-Type": "text/csv; charset=utf-8",
                             "Content-Disposition": f'attachment; filename="monthly-figures-{year}.csv"'})


# --- a month -----------------------------------------------------------------------------------

def _month_or_400(text: str) -> date:
    """The month in the address (its first day); a month written wrongly stops with the error page."""
    if len(text) > 20:
        bad_period(BadPeriod(f"'{text[:20]}…' is not a month: write it as YYYY-MM, for example 2011-10"), "month")
    try:
        return parse_month(text)
    except BadPeriod as error:
        bad_period(error, "month")


def _month_page(month: date, *, sac_form=None, close_form=None, form=None, status=200):
    """The month's page (audited as a view), with either form re-shown with its errors."""
    today = clock.today_in_london()
    row = queries.month_row(month, today)
    stored = queries.sac_count(month)
    if sac_form is None:
        sac_form = SacCountForm(formdata=None, prefix="sac", version=str(stored.version if stored else 0),
                                crimes="" if stored is None else str(stored.crimes))
    if close_form is None:
        close_form = CloseMonthForm(formdata=None, prefix="close", seen=operations.figures_seen(row.figures))
    history = queries.month_history(month)
    audit.record("figures.month_viewed", f"Viewed the figures for {month_label(month)}",
                 subject=("month", month_text(month)))
    db.session.commit()
    return render_template("figures/month.html", row=row, sac_form=sac_form, close_form=close_form, form=form,
                           history=history, financial_year=FinancialYear.of(month).label,
                           can_record_sac=month <= queries.first_of_month(today)), status


@bp.route("/figures/months/<month>")
def show_month(month: str):
    return _month_page(_month_or_400(month))


def _month_action(month: str, form_class, prefix: str, save, refresh, done):
    """Save a form of the month's page (the form `prefix`, shown as `prefix`_form): `save(month, form)`
    runs the operation and `done(month, result)` gives the message and its kind. A refusal shows the
    page again with the input kept, `refresh(month, form)` moving a stale form on to what is saved now."""
    parsed = _month_or_400(month)
    form = form_class(prefix=prefix)
    forms = {f"{prefix}_form": form, "form": form}
    if not form.validate_on_submit():
        return _month_page(parsed, **forms, status=400)
    saved = save_or_errors(form, lambda: save(parsed, form))
    if not saved:
        if saved.is_stale:
            refresh(parsed, form)
        return _month_page(parsed, **forms, status=saved.status)
    flash(*done(parsed, saved.result))
    return redirect(url_for("figures.show_month", month=month_text(parsed)))


def _sac_saved(month: date, result: tuple[int | None, int]) -> tuple[str, str]:
    old, new = result
    if old == new:
        return f"No change: the count for {month_label(month)} was already {new:,}", "info"
    return f"Serious acquisitive crimes for {month_label(month)} saved: {new:,}", "success"


def _sac_version_now(month: date, form) -> None:
    stored = queries.sac_count(month)
    form.version.data = str(stored.version if stored else 0)


@bp.route("/figures/months/<month>/sac", methods=["POST"])
@only(MANAGER)
def record_sac(month: str):
    return _month_action(
        month, SacCountForm, "sac",
        lambda parsed, form: operations.record_sac_count(parsed, form.crimes.number, version=form.version.data),
        _sac_version_now, _sac_saved)


def _figures_seen_now(month: date, form) -> None:
    form.seen.data = operations.figures_seen(queries.month_row(month, clock.today_in_london()).figures)


@bp.route("/figures/months/<month>/close", methods=["POST"])
@only(MANAGER)
def close_month(month: str):
    return _month_action(
        month, CloseMonthForm, "close",
        lambda parsed, form: operations.close_month(parsed, seen=form.seen.data, actor=current_user),
        _figures_seen_now,
        lambda parsed, _: (f"{month_label(parsed)} closed: its figures are kept as they stand today", "success"))


# --- settings ----------------------------------------------------------------------------------

@bp.route("/figures/settings", methods=["GET", "POST"])
@only(MANAGER, ADMIN)
def settings():
    this_month = operations.current_month()
    form = SchemeRuleForm()
    if request.method == "GET":
        rule = rules_for([this_month])[this_month]
        form.minimum.data = str(rule.minimum)
        form.counted_strands.data = list(rule.counted_strands)
        form.effective_from.data = month_text(this_month)
    status = 200
    if form.validate_on_submit():
        effective_from = form.effective_from.month
        saved = save_or_errors(
            form, lambda: operations.set_scheme_rule(effective_from, form.minimum.number, form.counted_strands.data,
                                                     actor=current_user),
            races={IntegrityError: (None, "Someone else changed the rule at the same moment. Nothing was saved. "
                                    "Reload the page to see their change", 409)})
        status = saved.status
        if saved:
            until = saved.result
            applies = f"from {month_label(effective_from)}"
            if until is not None:
                applies += f" until the rule already set from {month_label(until)} takes over"
            flash(f"Minimum {form.minimum.number:,} saved, applying {applies}", "success")
            return redirect(url_for("figures.settings"))
    elif form.errors:
        status = 400
    current = rules_for([this_month])[this_month]
    return render_template("figures/settings.html", form=form, history=queries.rule_history(), current=current,
                           this_month=this_month), status
