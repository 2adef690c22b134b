"""Housing, mental-health and alcohol service referrals, the housing specialist's queue and release worklist, and
the list of agencies.

Mental-health and alcohol service referrals are for officers and managers only (health data): the
housing role never sees one in a panel or a list, and asking for one by its address answers 404, exactly as for a referral that
does not exist (a 403 would confirm that the person has such a referral)."""
import re
from datetime import date, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from iom import audit
from iom.audit import wording
from iom.auth.access import not_found, refuse
from iom.auth.permissions import CASEWORKERS, MANAGER, allow_blueprint, may_use, only, referral_kinds_for
from iom.clients.models import Client
from iom.clients.operations import record_client_viewed
from iom.clients.views import client_page_panel, get_client_or_404
from iom.clock import today_in_london, uk_date
from iom.extensions import db
from iom.referrals import operations, queries
from iom.referrals.forms import AgencyForm, EditAgencyForm, ReferralForm, ReopenReferralForm
from iom.referrals.models import (CLOSED_STATUSES, DUTY_TO_REFER_OUTCOMES, REFERRAL_KINDS, REFERRAL_OUTCOMES,
                                  REFERRAL_STATUSES, Agency, Referral)
from iom.referrals.operations import AGENCY_KINDS
from iom.saving import save_or_errors

bp = Blueprint("referrals", __name__)
allow_blueprint(bp, CASEWORKERS)

# A referral's fields as the audit trail names them; an agency's three as its form asks them.
FIELD_LABELS = {**{field: wording.field_label(field) for field in operations.REFERRAL_FIELDS},
                "name": "Name", "kind": "Which referrals it takes", "is_active": "Can new referrals be made to it"}
LABELS = {"kinds": REFERRAL_KINDS, "statuses": REFERRAL_STATUSES, "outcomes": REFERRAL_OUTCOMES,
          "duty_to_refer_outcomes": DUTY_TO_REFER_OUTCOMES, "agency_kinds": AGENCY_KINDS}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def kinds_for(user) -> tuple[str, ...]:
    """The kinds of referral the user may see and work (the rule: auth.permissions.referral_kinds_for)."""
    return referral_kinds_for(user, REFERRAL_KINDS)


@client_page_panel
def referrals_panel(client: Client) -> dict:
    """The client page's referrals, of the kinds the role may see."""
    kinds = kinds_for(current_user)
    return {"referrals": queries.for_client(client, kinds=kinds), "referral_kinds": kinds,
            "can_refer": may_use(current_user, "referrals.add_referral")}


# the client page (another blueprint) renders the referrals panel with these
bp.add_app_template_global(LABELS, "referral_labels")


@bp.app_template_global("referral_next_action")
def referral_next_action(referral: Referral) -> str | None:
    return queries.next_action_state(referral, today_in_london())


@bp.context_processor
def labels():
    return LABELS


# --- loading, with access checked in one place ------------------------------------------------

def get_referral_or_404(referral_id: int) -> Referral:
    """Load a referral this role may see; unknown, or of a kind the role may not see, is a 404 (audited)."""
    referral = queries.load_referral(referral_id)
    if referral is None:
        not_found("referral.not_found", f"referral {referral_id}", "referral", {"referral": [None, referral_id]})
    if referral.kind not in kinds_for(current_user):
        refuse(404, subject=("referral", referral.id))
    return referral


def _refuse_kind(kind: str) -> None:
    """Making a referral of a kind the role may not work is a 403, audited like any refusal."""
    if kind not in kinds_for(current_user):
        refuse(403)


def shown(field: str, value, kind: str | None = None) -> str:
    """A stored or audited value as people read it."""
    if value is None or value == "":
        return "Not given"
    if isinstance(value, str) and ISO_DATE.match(value):
        value = date.fromisoformat(value)
    if isinstance(value, date):
        return uk_date(value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if field == "status":
        return REFERRAL_STATUSES.get(value, value)
    if field == "outcome":
        return REFERRAL_OUTCOMES.get(kind or "housing", {}).get(value) or next(
            (outcomes[value] for outcomes in REFERRAL_OUTCOMES.values() if value in outcomes), value)
    if field == "duty_to_refer_outcome":
        return DUTY_TO_REFER_OUTCOMES.get(value, value)
    if field == "kind":
        return AGENCY_KINDS.get(value, value)
    if field == "agency_id":
        agency = db.session.get(Agency, value)
        return agency.name if agency is not None else str(value)
    return str(value)


# --- making and working referrals -------------------------------------------------------------

@bp.route("/clients/<reference>/referrals/new/<any(housing, mental_health, alcohol):kind>", methods=["GET", "POST"])
def add_referral(reference: str, kind: str):
    _refuse_kind(kind)
    client = get_client_or_404(reference)
    form = ReferralForm(kind=kind, agencies=queries.agencies_for(kind))
    if form.validate_on_submit():
        saved = save_or_errors(form, lambda: operations.make_referral(client, kind, form.details(), actor=current_user))
        if saved:
            flash(f"{REFERRAL_KINDS[kind]} referral recorded for {client.full_name}", "success")
            return redirect(url_for("referrals.show_referral", referral_id=saved.result.id))
    record_client_viewed(client, f"new {REFERRAL_KINDS[kind].lower()} referral form")
    db.session.commit()
    return render_template("referrals/new.html", form=form, client=client, kind=kind), (400 if form.errors else 200)


def _show_page(referral: Referral, *, reopen_form=None, status: int = 200):
    """The referral's page (audited as a view); for a manager and a closed referral, the reopen form."""
    history = queries.status_history(referral)
    is_closed = referral.status in CLOSED_STATUSES
    if reopen_form is None and is_closed and may_use(current_user, "referrals.reopen_referral"):
        reopen_form = ReopenReferralForm(formdata=None, version=referral.version)
    audit.record("referral.viewed", f"Viewed {REFERRAL_KINDS[referral.kind].lower()} referral {referral.id} for client "
                 f"{referral.client.reference}", subject=referral,
                 changes={"client": [None, referral.client.reference]})
    db.session.commit()
    return render_template("referrals/show.html", referral=referral, client=referral.client, history=history,
                           next_action=queries.next_action_state(referral, today_in_london()),
                           is_closed=is_closed, form=reopen_form), status


@bp.route("/referrals/<int:referral_id>")
def show_referral(referral_id: int):
    return _show_page(get_referral_or_404(referral_id))


@bp.route("/referrals/<int:referral_id>/reopen", methods=["POST"])
@only(MANAGER)
def reopen_referral(referral_id: int):
    referral = get_referral_or_404(referral_id)
    form = ReopenReferralForm()
    if not form.validate_on_submit():
        return _show_page(referral, reopen_form=form, status=400)
    saved = save_or_errors(form, lambda: operations.reopen_referral(
        referral, referral.client, form.reason.data, version=form.version.data, actor=current_user))
    if not saved:
        referral = queries.load_referral(referral_id)
        if saved.is_stale:
            form.version.data = str(referral.version)
        return _show_page(referral, reopen_form=form, status=saved.status)
    flash(f"{REFERRAL_KINDS[referral.kind]} referral for {referral.client.full_name} reopened", "success")
    return redirect(url_for("referrals.show_referral", referral_id=referral.id))


@bp.route("/referrals/<int:referral_id>/edit", methods=["GET", "POST"])
def edit_referral(referral_id: int):
    referral = get_referral_or_404(referral_id)
    client: Client = referral.client
    if referral.status in CLOSED_STATUSES and request.method == "GET":
        # final: nothing to change, so no form to fill in (a manager may reopen it from its page)
        flash(f"{operations.closed_message(referral)}.", "info")
        return redirect(url_for("referrals.show_referral", referral_id=referral.id))
    form = ReferralForm(kind=referral.kind, agencies=queries.agencies_for(referral.kind, keep_id=referral.agency_id),
                        editing=True, current_agency_id=referral.agency_id)
    if request.method == "GET":
        form.fill_from(referral)
    conflicts = None
    status = 200
    if referral.status in CLOSED_STATUSES:  # closed since the form was opened: refused, whatever it says
        form.submit.errors = [operations.closed_message(referral)]
        status = 400
    elif form.validate_on_submit():
        saved = save_or_errors(form, lambda: operations.update_referral(
            referral, client, form.details(), version=form.version.data, actor=current_user))
        if saved:
            flash("No changes to save" if not saved.result else f"{REFERRAL_KINDS[referral.kind]} referral for "
                  f"{client.full_name} saved", "success")
            return redirect(url_for("referrals.show_referral", referral_id=referral.id))
        status = saved.status
        referral = queries.load_referral(referral_id)
        if saved.is_stale:
            conflicts = [(FIELD_LABELS.get(c.field, c.field), shown(c.field, c.yours, referral.kind),
                          shown(c.field, c.saved, referral.kind)) for c in saved.conflicts]
            # their input stays in the form; saving again (after checking) saves over the newer version
            form.version.data = str(referral.version)
    elif form.errors:
        status = 400
    # the form shows the whole referral: as much a view of it as its own page
    audit.record("referral.viewed", f"Viewed {REFERRAL_KINDS[referral.kind].lower()} referral {referral.id} for client "
                 f"{referral.client.reference} (change form)", subject=referral,
                 changes={"client": [None, referral.client.reference]})
    db.session.commit()
    return render_template("referrals/edit.html", form=form, referral=referral, client=referral.client,
                           conflicts=conflicts, is_closed=referral.status in CLOSED_STATUSES), status


# --- the housing specialist's pages -----------------------------------------------------------

@bp.route("/housing")
def housing_queue():
    today = today_in_london()
    rows = queries.housing_queue(today)
    overdue = sum(1 for row in rows if row.next_action == "overdue")
    audit.record("referrals.queue_listed", f"Viewed the open housing referrals ({len(rows)} open, {overdue} overdue)",
                 changes={"shown": [None, len(rows)]})
    db.session.commit()
    return render_template("referrals/housing_queue.html", rows=rows, overdue=overdue, today=today,
                           can_manage_agencies=may_use(current_user, "referrals.list_agencies"))


@bp.route("/housing/releases")
def release_worklist():
    today = today_in_london()
    rows = queries.release_worklist(today)
    neither = sum(1 for row in rows if row.has_neither)
    passed = sum(1 for row in rows if row.is_release_passed)
    audit.record("referrals.releases_listed", f"Viewed the release worklist ({len(rows)} due for release, "
                 f"{passed} with the release date passed and not recorded, "
                 f"{neither} with no housing referral or Duty to Refer)", changes={"shown": [None, len(rows)]})
    db.session.commit()
    return render_template("referrals/release_worklist.html", rows=rows, neither=neither, passed=passed, today=today,
                           window=queries.RELEASE_WINDOW_DAYS,
                           until=today + timedelta(days=queries.RELEASE_WINDOW_DAYS))


# --- agencies (managers) ----------------------------------------------------------------------

def _agencies_page(form, status=200):
    return render_template("referrals/agencies.html", form=form, agencies=queries.all_agencies()), status


@bp.route("/referrals/agencies")
@only(MANAGER)
def list_agencies():
    return _agencies_page(AgencyForm(formdata=None))


@bp.route("/referrals/agencies", methods=["POST"])
@only(MANAGER)
def add_agency():
    form = AgencyForm()
    if form.validate_on_submit():
        saved = save_or_errors(form, lambda: operations.add_agency(form.name.data, form.kind.data),
                               races={IntegrityError: ("name", f"{form.name.data} is already in the list", 400)})
        if saved:
            flash(f"{saved.result.name} added to the list of agencies", "success")
            return redirect(url_for("referrals.list_agencies"))
    return _agencies_page(form, 400)


@bp.route("/referrals/agencies/<int:agency_id>/edit", methods=["GET", "POST"])
@only(MANAGER)
def edit_agency(agency_id: int):
    agency = db.session.get(Agency, agency_id)
    if agency is None:
        abort(404)
    form = EditAgencyForm(obj=agency if request.method == "GET" else None)
    if request.method == "GET":
        form.is_active.data = "yes" if agency.is_active else "no"
        form.version.data = str(agency.version)
    conflicts = None
    status = 200
    if form.validate_on_submit():
        saved = save_or_errors(
            form, lambda: operations.update_agency(agency, name=form.name.data, kind=form.kind.data,
                                                   is_active=form.is_active.data == "yes", version=form.version.data),
            races={IntegrityError: ("name", f"{form.name.data} is already in the list", 400)})
        if saved:
            flash("No changes to save" if not saved.result else f"{agency.name} saved", "success")
            return redirect(url_for("referrals.list_agencies"))
        status = saved.status
        agency = db.session.get(Agency, agency_id, populate_existing=True)
        if saved.is_stale:
            conflicts = [(FIELD_LABELS.get(c.field, c.field), shown(c.field, c.yours), shown(c.field, c.saved))
                         for c in saved.conflicts]
            form.version.data = str(agency.version)
    elif form.errors:
        status = 400
    return render_template("referrals/agency_edit.html", form=form, agency=agency, conflicts=conflicts), status

