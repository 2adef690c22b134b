"""The adoption score's page (how a score is reached, for officers and managers) and its settings
(managers). Neither names anybody, so neither is a view of personal data; a change is audited."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from iom.auth.permissions import MANAGER, OFFICER, allow_blueprint, may_use, only
from iom.offending.models import OFFENCE_TYPES
from iom.offending.score_forms import ScoringForm
from iom.offending.score_operations import SETTING_LIMITS, set_scoring
from iom.offending.scores import WINDOW_DAYS, current_scoring
from iom.saving import save_or_errors

bp = Blueprint("scores", __name__, url_prefix="/offending/scores")
allow_blueprint(bp, {MANAGER, OFFICER})


@bp.context_processor
def labels():
    return {"offence_types": OFFENCE_TYPES, "window_days": WINDOW_DAYS}


@bp.route("")
def explain():
    return render_template("offending/scores.html", scoring=current_scoring(),
                           can_change=may_use(current_user, "scores.settings"))


@bp.route("/settings", methods=["GET", "POST"])
@only(MANAGER)
def settings():
    scoring = current_scoring()
    form = ScoringForm(data={name: str(value) for name, value in scoring.values().items()}
                       if request.method == "GET" else None)
    if request.method == "GET":
        form.version.data = str(scoring.version)
    conflicts = None
    status = 200
    if form.validate_on_submit():
        saved = save_or_errors(form, lambda: set_scoring(form.values(), version=form.version.data,
                                                         actor=current_user))
        if saved:
            flash("No changes to save" if not saved.result else "Adoption scoring saved. Every score now uses it",
                  "success")
            return redirect(url_for("scores.explain"))
        status = saved.status
        scoring = current_scoring()
        if saved.is_stale:
            conflicts = [(SETTING_LIMITS[c.field][0], "—" if c.yours is None else c.yours, c.saved)
                         for c in saved.conflicts]
            # their entries stay in the form; saving again (after checking) saves over the newer version
            form.version.data = str(scoring.version)
    elif form.errors:
        status = 400
    return render_template("offending/score_settings.html", form=form, scoring=scoring, conflicts=conflicts), status
