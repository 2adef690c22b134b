"""Offending before and after adoption, for managers: the page (/figures/reoffending?from=&to=), its
CSV and its workbook, on the figures blueprint. No names (the figures are the cohort's), but every
view is audited as a figures view and every download as an export.

The range comes in the address: the form's day, month and year boxes (`from` three times), or one
date each (`from=2011-04-01` as the download links write it, or `1/4/2011`). With neither, the latest
financial year whose adoptions have all had their year."""
from datetime import date

from flask import Response, current_app, render_template, request
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from iom import audit, clock
from iom.auth.permissions import MANAGER, may_use, only
from iom.extensions import db
from iom.figures import exports, reoffending
from iom.figures.forms import ReoffendingRangeForm
from iom.figures.reoffending_chart import rates_before_and_after
from iom.figures.reoffending_table import (BREAKDOWN_NAMES, CAVEATS, SMALL_GROUP, breakdown_rows, change_text,
                                           day_parts, default_range, figure_rows, figure_text, whole_cohort)
from iom.figures.views import bp
from iom.offending.models import OFFENCE_TYPES
from iom.offending.unit_costs import PRICE_YEAR, SOURCE

# Built by the offending area; linked only when the service has it and the manager may open it.
UNIT_COSTS_PATH = "/offending/unit-costs"


def _boxes(args) -> MultiDict:
    """The query string with a lone date (from=2011-04-01, or 1/4/2011) spread into the form's three boxes."""
    formdata = MultiDict(args)
    for name in ("from", "to"):
        values = args.getlist(name)
        if len(values) == 1 and (parts := day_parts(values[0])):
            year, month, day = parts
            formdata.setlist(name, [str(day), str(month), str(year)])
    return formdata


def _range() -> tuple[ReoffendingRangeForm, date | None, date | None]:
    """The form and the range it gives; (form with errors, None, None) when the address is wrong."""
    if "from" not in request.args and "to" not in request.args:
        first, last = default_range(clock.today_in_london())
        return ReoffendingRangeForm(formdata=None, first=first, last=last), first, last
    form = ReoffendingRangeForm(formdata=_boxes(request.args))
    if not form.validate():
        return form, None, None
    return form, form.first.data, form.last.data


def _figures(first: date, last: date) -> reoffending.Reoffending:
    return reoffending.before_and_after(first, last, today=clock.today_in_london())


def _described(first: date, last: date) -> str:
    return f"for adoptions from {clock.uk_date(first)} to {clock.uk_date(last)}"


def _subject(first: date, last: date) -> tuple[str, str]:
    return "reoffending", f"{first.isoformat()}/{last.isoformat()}"


def unit_costs_address() -> str | None:
    """The unit costs page's address, when the service has that page and the user may open it."""
    try:
        endpoint, _ = current_app.create_url_adapter(request).match(UNIT_COSTS_PATH, method="GET")
    except HTTPException:
        return None
    return UNIT_COSTS_PATH if may_use(current_user, endpoint) else None


def _page(form: ReoffendingRangeForm, result: reoffending.Reoffending | None, status: int = 200):
    context = {"form": form, "result": result, "caveats": CAVEATS, "small_group": SMALL_GROUP,
               "breakdown_names": BREAKDOWN_NAMES, "figure_rows": figure_rows, "figure_text": figure_text, "change_text": change_text,
               "offence_types": OFFENCE_TYPES,
               "unit_costs_address": unit_costs_address(), "published_source": SOURCE,
               "published_price_year": PRICE_YEAR}
    if result is not None:
        everyone = whole_cohort(result)
        breakdowns = breakdown_rows(result)
        context |= {"everyone": everyone, "breakdowns": breakdowns,
                    "charts": {name: rates_before_and_after(
                        [everyone, *rows], f"Offences per 100 years at risk before and after adoption, "
                                           f"by {BREAKDOWN_NAMES[name].lower()}", f"chart-{name}")
                               for name, rows in breakdowns.items()},
                    "downloads": {"first": result.first.isoformat(), "last": result.last.isoformat()}}
    return render_template("figures/reoffending.html", **context), status


@bp.route("/figures/reoffending")
@only(MANAGER)
def reoffending_page():
    form, first, last = _range()
    if first is None:
        db.session.rollback()
        return _page(form, None, 400)
    result = _figures(first, last)
    audit.record("figures.viewed", f"Viewed offending before and after adoption {_described(first, last)}",
                 subject=_subject(first, last), changes={"clients": [None, result.clients]})
    db.session.commit()
    return _page(form, result)


def _download(fmt: str):
    form, first, last = _range()
    if first is None:
        db.session.rollback()
        return _page(form, None, 400)
    result = _figures(first, last)
    if fmt == "csv":
        body = exports.reoffending_csv(result).encode("utf-8")
        mimetype, content_type = "text/csv", "text/csv; charset=utf-8"
    else:
        body = exports.reoffending_xlsx(result)
        mimetype = content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    audit.record("figures.exported", f"Exported offending before and after adoption {_described(first, last)} "
                 f"as {fmt.upper()}", subject=_subject(first, last),
                 changes={"format": [None, fmt], "clients": [None, result.clients]})
    db.session.commit()
    name = f"offending-before-and-after-{first.isoformat()}-to-{last.isoformat()}.{fmt}"
    return Response(body, mimetype=mimetype, headers={"Content-Type": content_type,
                                                      "Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/figures/reoffending.csv")
@only(MANAGER)
def reoffending_csv():
    return _download("csv")


@bp.route("/figures/reoffending.xlsx")
@only(MANAGER)
def reoffending_xlsx():
    return _download("xlsx")
