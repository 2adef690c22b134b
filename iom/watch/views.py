"""The watch list: people partner agencies are dealing with who may be adopted onto the scheme."""
from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from iom import audit
from iom.auth.access import not_found, refuse
from iom.auth.permissions import MANAGER, OFFICER, allow_blueprint, may_see_offences, may_use
from iom.clock import today_in_london, uk_date
from iom.extensions import db
from iom.offending.models import ALCOHOL_INVOLVED, OFFENCE_OUTCOMES, OFFENCE_TYPES
from iom.offending.scores import current_scoring, kept_scoring
from iom.pagination import Paging
from iom.saving import save_or_errors
from iom.watch import operations, queries
from iom.offending.forms import OffenceForm
from iom.watch.forms import CloseWatchEntryForm, EditWatchEntryForm, ReviewWatchEntryForm, WatchEntryForm
from iom.watch.models import WATCH_OUTCOMES, WatchEntry

bp = Blueprint("watch", __name__, url_prefix="/watch-list")
allow_blueprint(bp, {MANAGER, OFFICER})

WATCH_LIST_STATUSES = {"open": "Open", "closed": "Closed", "all": "Open and closed"}
FIELD_LABELS = {
    "given_name": "Given name",
    "family_name": "Family name",
    "date_of_birth": "Date of birth",
    "pnc_id": "PNC ID",
    "partner_agency": "Partner agency",
    "reason": "Why they are on the watch list",
    "added_on": "Date added to the watch list",
    "next_review_on": "Next review date",
}


@bp.context_processor
def labels():
    return {"outcomes": WATCH_OUTCOMES, "offence_types": OFFENCE_TYPES, "offence_outcomes": OFFENCE_OUTCOMES,
            "alcohol_involved": ALCOHOL_INVOLVED}


# --- loading ----------------------------------------------------------------------------------

def get_entry_or_404(entry_id: int) -> WatchEntry:
    """Load an entry; an unknown id is a 404, and audited."""
    entry = queries.load_entry(entry_id)
    if entry is None:
        not_found("watch_entry.not_found", f"watch list entry {entry_id}", "watch_entry", {"id": [None, entry_id]})
    return entry


# --- pages ------------------------------------------------------------------------------------

def _shown(value) -> str:
    if value is None or value == "":
        return "Not given"
    if isinstance(value, date):
        return uk_date(value)
    return str(value)


def review_state(entry: WatchEntry, today: date) -> str | None:
    """'overdue', 'due' or None, for the tag beside the review date."""
    if not entry.is_open or entry.next_review_on is None or entry.next_review_on > today:
        return None
    return "overdue" if entry.next_review_on < today else "due"


@bp.route("")
def list_entries():
    status = request.args.get("status", "open")
    status = status if status in WATCH_LIST_STATUSES else "open"
    sort = request.args.get("sort", "review")
    sort = sort if sort in queries.WATCH_LIST_SORTS else "review"
    today = today_in_london()
    scoring = kept_scoring()
    listing = queries.watch_list(status, Paging().cursor(request.args), today, scoring, sort)
    page = listing.page
    audit.record("watch.listed", f"Viewed the watch list ({WATCH_LIST_STATUSES[status].lower()}, {page.total} matching)",
                 changes={"filters": [None, {"status": status, "sort": sort, "page": page.number}]})
    db.session.commit()
    return render_template("watch/list.html", listing=listing, status=status, statuses=WATCH_LIST_STATUSES, page=page,
                           today=today, review_state=review_state, sort=sort, sorts=queries.WATCH_LIST_SORTS,
                           scoring=scoring)


@bp.route("/new", methods=["GET", "POST"])
def add_entry():
    form = WatchEntryForm()
    if form.validate_on_submit():
        saved = save_or_errors(form, lambda: operations.add_watch_entry(form.details()))
        if saved:
            flash(f"{saved.result.full_name} added to the watch list", "success")
            return redirect(url_for("watch.show_entry", entry_id=saved.result.id))
    return render_template("watch/add.html", form=form), (400 if form.errors else 200)


def _show_page(entry: WatchEntry, *, close_form=None, review_form=None, form=None, status=200):
    """The entry page (audited as a view), with either form re-shown with its errors."""
    close_form = close_form or CloseWatchEntryForm(formdata=None, prefix="close", version=entry.version,
                                                   closed_on=today_in_london())
    review_form = review_form or ReviewWatchEntryForm(formdata=None, prefix="review", version=entry.version)
    history = queries.entry_history(entry)
    matching_client = queries.matching_client(entry.pnc_id, today_in_london()) if entry.is_open else None
    offending = (queries.entry_offending(entry, current_scoring(), today_in_london())
                 if may_see_offences(current_user) else None)
    audit.record("watch_entry.viewed", f"Viewed watch list entry {entry.id}", subject=entry)
    db.session.commit()
    return render_template("watch/show.html", entry=entry, close_form=close_form, review_form=review_form,
                           form=form, history=history, matching_client=matching_client, offending=offending,
                           review=review_state(entry, today_in_london()),
                           can_export_record=entry.client_id is None
                           and may_use(current_user, "data_protection.watch_subject_access_page")), status


@bp.route("/<int:entry_id>")
def show_entry(entry_id: int):
    return _show_page(get_entry_or_404(entry_id))


@bp.route("/<int:entry_id>/edit", methods=["GET", "POST"])
def edit_entry(entry_id: int):
    entry = get_entry_or_404(entry_id)
    if not entry.is_open:
        flash(f"This entry was closed on {uk_date(entry.closed_on)}, so it can no longer be changed.", "info")
        return redirect(url_for("watch.show_entry", entry_id=entry.id))
    form = EditWatchEntryForm(obj=entry if request.method == "GET" else None)
    if request.method == "GET":
        form.version.data = str(entry.version)
    conflicts = None
    status = 200
    if form.validate_on_submit():
        saved = save_or_errors(form, lambda: operations.update_watch_entry(entry, form.details(),
                                                                           version=form.version.data))
        if saved:
            flash("No changes to save" if not saved.result else f"Watch list entry for {entry.full_name} saved",
                  "success")
            return redirect(url_for("watch.show_entry", entry_id=entry.id))
        status = saved.status
        entry = queries.load_entry(entry_id)
        if saved.is_stale:
            # a save that raced another at the same moment knows no conflicts yet: compare with what won
            conflicts = [(FIELD_LABELS.get(c.field, c.field), _shown(c.yours), _shown(c.saved))
                         for c in saved.conflicts or operations.entry_conflicts(entry, form.details())]
            # their input stays in the form; saving again (after checking) saves over the newer version
            form.version.data = str(entry.version)
    elif form.errors:
        status = 400
    # the form shows the person's details: as much a view of them as the entry's own page
    audit.record("watch_entry.viewed", f"Viewed watch list entry {entry.id} (change form)", subject=entry)
    db.session.commit()
    return render_template("watch/edit.html", form=form, entry=entry, conflicts=conflicts), status


def _versioned_action(entry_id: int, form_class, prefix: str, action, success):
    """Run a close or review from the entry page, whose form `prefix` is its `prefix`_form:
    `action(entry, form)` saves, `success(entry, form)` words the message. On failure the page is
    shown again with the input kept."""
    entry = get_entry_or_404(entry_id)
    form = form_class(prefix=prefix)
    form_key = f"{prefix}_form"
    if not form.validate_on_submit():
        return _show_page(entry, **{form_key: form}, form=form, status=400)
    message = success(entry, form)
    saved = save_or_errors(form, lambda: action(entry, form))
    if not saved:
        entry = queries.load_entry(entry.id)
        if saved.is_stale:
            form.version.data = str(entry.version)
        return _show_page(entry, **{form_key: form}, form=form, status=saved.status)
    flash(message, "success")
    return redirect(url_for("watch.show_entry", entry_id=entry.id))


@bp.route("/<int:entry_id>/close", methods=["POST"])
def close_entry(entry_id: int):
    return _versioned_action(
        entry_id, CloseWatchEntryForm, "close",
        lambda entry, form: operations.close_watch_entry(entry, form.outcome.data, form.closed_on.data,
                                                         form.notes.data, version=form.version.data),
        lambda entry, form: f"Watch list entry for {entry.full_name} closed")


@bp.route("/<int:entry_id>/review", methods=["POST"])
def review_entry(entry_id: int):
    return _versioned_action(
        entry_id, ReviewWatchEntryForm, "review",
        lambda entry, form: operations.record_review(entry, form.next_review_on.data, form.notes.data,
                                                     version=form.version.data),
        lambda entry, form: f"Review recorded. Next review {uk_date(form.next_review_on.data)}")


@bp.route("/<int:entry_id>/offences/new", methods=["GET", "POST"])
def record_offence(entry_id: int):
    entry = get_entry_or_404(entry_id)
    if not may_see_offences(current_user):
        refuse(subject=entry)
    if not entry.is_open:
        flash(f"This entry was closed on {uk_date(entry.closed_on)}, so offences can no longer be recorded on it."
              + (" Record them on their client record." if entry.client_id else ""), "info")
        return redirect(url_for("watch.show_entry", entry_id=entry.id))
    form = OffenceForm()
    if form.validate_on_submit():
        saved = save_or_errors(form, lambda: operations.record_watch_offence(entry, form.details(),
                                                                            recorded_by=current_user))
        if saved:
            flash(f"Offence recorded for {entry.full_name}", "success")
            return redirect(url_for("watch.show_entry", entry_id=entry.id))
    # the form names the person: as much a view of them as the entry's own page
    audit.record("watch_entry.viewed", f"Viewed watch list entry {entry.id} (record an offence form)", subject=entry)
    db.session.commit()
    return render_template("watch/offence_new.html", form=form, entry=entry), (400 if form.errors else 200)
