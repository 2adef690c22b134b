"""The cost of crime per offence type, for managers: the published figures and the partnership's
own, each with its price year and source; setting a local figure and going back to the published
one. These are the costs the reoffending figures use, not the area-wide value-for-money unit costs
of the end-of-year review (iom.reports)."""
from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from iom.auth.permissions import MANAGER, allow_blueprint
from iom.extensions import db
from iom.money import gbp
from iom.offending import operations, queries
from iom.offending.forms import RevertUnitCostForm, UnitCostOfCrimeForm
from iom.offending.models import OFFENCE_TYPES, OffenceUnitCost
from iom.offending.unit_costs import DEFAULT_UNIT_COSTS, PRICE_YEAR, SOURCE
from iom.saving import save_or_errors

bp = Blueprint("offending", __name__, url_prefix="/offending")
allow_blueprint(bp, {MANAGER})

FIELD_LABELS = {"cost_gbp": "Cost of one offence", "price_year": "Price year", "source": "Source"}
SAVED_AT_THE_SAME_MOMENT = ("Someone else changed this figure at the same moment. Yours has not been saved. "
                            "Reload the page to see theirs.")
RACES = {IntegrityError: (None, SAVED_AT_THE_SAME_MOMENT, 409), StaleDataError: (None, SAVED_AT_THE_SAME_MOMENT, 409)}


@bp.context_processor
def labels():
    return {"offence_types": OFFENCE_TYPES, "published": DEFAULT_UNIT_COSTS, "published_source": SOURCE,
            "published_price_year": PRICE_YEAR}


def _offence_type_or_404(offence_type: str) -> str:
    if offence_type not in OFFENCE_TYPES:
        abort(404)
    return offence_type


def _version(row: OffenceUnitCost | None) -> str:
    """0 stands for the published figure (no row of our own)."""
    return str(row.version) if row is not None else "0"


@bp.route("/unit-costs")
def unit_costs():
    own = queries.own_unit_costs()
    return render_template("offending/unit_costs.html", costs=queries.merged_unit_costs(own))


def _edit_page(offence_type: str, form, revert_form, *, conflicts=None, status: int = 200):
    row = db.session.get(OffenceUnitCost, offence_type, populate_existing=True)
    cost = queries.merged_unit_costs({offence_type: row} if row is not None else {})[offence_type]
    if revert_form is None and row is not None:
        revert_form = RevertUnitCostForm(formdata=None, prefix="revert", version=_version(row))
    return render_template("offending/unit_cost_form.html", form=form, revert_form=revert_form, cost=cost,
                           offence_type=offence_type, conflicts=conflicts), status


def _conflicts(saved) -> list[tuple[str, str, str]]:
    def shown(field, value):
        if value in (None, ""):
            return "Not given"
        return gbp(Decimal(value)) if field == "cost_gbp" else str(value)
    return [(FIELD_LABELS[c.field], shown(c.field, c.yours), shown(c.field, c.saved)) for c in saved.conflicts]


def _filled_form(offence_type: str) -> UnitCostOfCrimeForm:
    """The form showing the figure now in force (a published type with no figure: the cost left blank)."""
    row = db.session.get(OffenceUnitCost, offence_type, populate_existing=True)
    cost = queries.merged_unit_costs({offence_type: row} if row is not None else {})[offence_type]
    form = UnitCostOfCrimeForm(formdata=None)
    form.cost_gbp.data = cost.cost_gbp if cost.is_costed else None
    form.price_year.data, form.source.data = cost.price_year, cost.source
    form.version.data = _version(row)
    return form


@bp.route("/unit-costs/<offence_type>", methods=["GET", "POST"])
def edit_unit_cost(offence_type: str):
    offence_type = _offence_type_or_404(offence_type)
    if request.method == "GET":
        return _edit_page(offence_type, _filled_form(offence_type), None)
    form = UnitCostOfCrimeForm()
    if not form.validate_on_submit():
        return _edit_page(offence_type, form, None, status=400)
    saved = save_or_errors(form, lambda: operations.set_unit_cost(
        offence_type, form.cost_gbp.data, form.price_year.data, form.source.data, current_user, form.version.data),
        races=RACES)
    if saved:
        flash("No changes to save" if not saved.result else
              f"Cost of {OFFENCE_TYPES[offence_type].lower()} set to {gbp(form.cost_gbp.data)}", "success")
        return redirect(url_for("offending.unit_costs"))
    conflicts = None
    if saved.is_stale:
        conflicts = _conflicts(saved)
        # their entries stay in the form; saving again (after checking) saves over the newer figure
        form.version.data = _version(db.session.get(OffenceUnitCost, offence_type, populate_existing=True))
    return _edit_page(offence_type, form, None, conflicts=conflicts, status=saved.status)


@bp.route("/unit-costs/<offence_type>/revert", methods=["POST"])
def revert_unit_cost(offence_type: str):
    offence_type = _offence_type_or_404(offence_type)
    revert_form = RevertUnitCostForm(prefix="revert")
    if not revert_form.validate_on_submit():
        return _edit_page(offence_type, _filled_form(offence_type), revert_form, status=400)
    saved = save_or_errors(revert_form, lambda: operations.revert_unit_cost(offence_type, revert_form.version.data),
                           races=RACES)
    if saved:
        label = OFFENCE_TYPES[offence_type].lower()
        flash(f"The cost of {label} is the published figure again" if saved.result else
              f"The cost of {label} already uses the published figure", "success")
        return redirect(url_for("offending.unit_costs"))
    form = _filled_form(offence_type)
    revert_form.version.data = form.version.data
    return _edit_page(offence_type, form, revert_form, status=saved.status)
