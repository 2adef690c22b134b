"""The data protection pages (managers only): the retention review list, one person's disposal, and the
subject access export of one person's whole record as JSON or PDF (audited POST downloads that ask for
the code again unless it was given in the last few minutes)."""
import io

from flask import Blueprint, flash, redirect, render_template, send_file, url_for
from flask_login import current_user

from iom import audit
from iom.auth.access import not_found
from iom.auth.permissions import MANAGER, allow_blueprint, fresh_second_factor
from iom.clients.models import Client
from iom.clock import today_in_london
from iom.data_protection import retention, subject_access
from iom.data_protection.forms import DisposeForm
from iom.extensions import db
from iom.saving import save_or_errors
from iom.watch.models import WATCH_OUTCOMES, WatchEntry
from iom.watch.queries import load_entry
from iom.watch.views import get_entry_or_404
from sqlalchemy import select

bp = Blueprint("data_protection", __name__, url_prefix="/data-protection")
allow_blueprint(bp, {MANAGER})


def get_record_or_404(reference: str) -> Client:
    """A client by reference (merged-away records included: they are records too); unknown is a 404, audited."""
    client = db.session.scalar(select(Client).where(Client.reference == reference))
    if client is None:
        not_found("client.not_found", f"client reference {reference[:40]}", "client",
                  {"reference": [None, reference[:40]]})
    return client


@bp.route("/retention")
def retention_review():
    years = retention.retention_years()
    due = retention.due_for_review(years=years)
    watched = retention.watch_entries_due(years=years)
    audit.record("retention.listed", f"Viewed the retention review list ({len(due)} clients and {len(watched)} "
                 "watch list entries due)", subject=("caseload", None),
                 changes={"retention_years": [None, years], "rows": [None, len(due)],
                          "watch_entries": [None, len(watched)]})
    db.session.commit()
    return render_template("data_protection/retention.html", due=due, watched=watched, years=years,
                           cutoff=retention.cutoff(years=years), today=today_in_london(),
                           watch_outcomes=WATCH_OUTCOMES)


def _dispose_page(client: Client, form: DisposeForm, status: int = 200):
    due = retention.due_entry(client)
    audit.record("client.viewed", f"Viewed client {client.reference} (disposal page)", subject=client)
    db.session.commit()
    return render_template("data_protection/dispose.html", client=client, due=due, form=form,
                           not_due=None if due else retention.not_due_message(client),
                           years=retention.retention_years()), status


@bp.route("/retention/<reference>", methods=["GET"])
def review_person(reference: str):
    client = get_record_or_404(reference)
    return _dispose_page(client, DisposeForm(formdata=None, version=client.version))


@bp.route("/retention/<reference>", methods=["POST"])
def dispose(reference: str):
    client = get_record_or_404(reference)
    old_reference = client.reference
    return _disposal(client, retention.dispose, _dispose_page, lambda: db.session.get(Client, client.id),
                     lambda: f"The personal data of {old_reference} was erased. The record is kept as "
                             f"{client.reference} for the figures only.")


def _disposal(record, erase, page, read_again, done):
    """The disposal form's POST, for a client or a watch list entry: erase(record, reason=, version=) in one
    transaction with its audit entry, then back to the list saying done(); else page(record, form, status)
    again with the reasons, nothing changed (the record read again: it may have changed meanwhile)."""
    form = DisposeForm()
    if not form.validate_on_submit():
        return page(record, form, 400)
    saved = save_or_errors(form, lambda: erase(record, reason=form.reason.data, version=form.version.data))
    if not saved:
        return page(read_again(), form, saved.status)
    flash(done(), "success")
    return redirect(url_for("data_protection.retention_review"))


def _dispose_watch_page(entry: WatchEntry, form: DisposeForm, status: int = 200):
    due = retention.watch_entry_is_due(entry)
    audit.record("watch_entry.viewed", f"Viewed watch list entry {entry.id} (disposal page)", subject=entry)
    db.session.commit()
    return render_template("data_protection/dispose_watch.html", entry=entry, form=form,
                           not_due=None if due else retention.watch_not_due_message(entry),
                           years=retention.retention_years()), status


@bp.route("/retention/watch/<int:entry_id>", methods=["GET"])
def review_watch_entry(entry_id: int):
    entry = get_entry_or_404(entry_id)
    return _dispose_watch_page(entry, DisposeForm(formdata=None, version=entry.version))


@bp.route("/retention/watch/<int:entry_id>", methods=["POST"])
def dispose_watch_entry(entry_id: int):
    entry = get_entry_or_404(entry_id)
    return _disposal(entry, retention.dispose_watch_entry, _dispose_watch_page, lambda: load_entry(entry_id),
                     lambda: f"The personal details of watch list entry {entry_id} were erased. The entry is "
                             "kept for the figures only.")


@bp.route("/subject-access/<reference>")
def subject_access_page(reference: str):
    client = get_record_or_404(reference)
    audit.record("client.viewed", f"Viewed client {client.reference} (subject access page)", subject=client)
    db.session.commit()
    return render_template("data_protection/subject_access.html", client=client)


FORMATS = {"json": ("application/json", subject_access.as_json, "JSON"),
           "pdf": ("application/pdf", subject_access.as_pdf, "PDF")}


@bp.route("/subject-access/<reference>/<any(json, pdf):fmt>", methods=["POST"])
@fresh_second_factor
def subject_access_download(reference: str, fmt: str):
    client = get_record_or_404(reference)
    mimetype, write, words = FORMATS[fmt]
    content = write(subject_access.collect(client))
    audit.record("client.subject_access_exported", f"{current_user.username} downloaded the subject access "
                 f"export of client {client.reference} as {words}", subject=client,
                 changes={"format": [None, fmt], "bytes": [None, len(content)]})
    db.session.commit()
    return send_file(io.BytesIO(content), mimetype=mimetype, as_attachment=True,
                     download_name=f"subject-access-{client.reference}-{today_in_london().isoformat()}.{fmt}")


@bp.route("/subject-access/watch/<int:entry_id>")
def watch_subject_access_page(entry_id: int):
    entry = get_entry_or_404(entry_id)
    audit.record("watch_entry.viewed", f"Viewed watch list entry {entry.id} (subject access page)", subject=entry)
    db.session.commit()
    return render_template("data_protection/watch_subject_access.html", entry=entry)


@bp.route("/subject-access/watch/<int:entry_id>/<any(json, pdf):fmt>", methods=["POST"])
@fresh_second_factor
def watch_subject_access_download(entry_id: int, fmt: str):
    """An entry of someone never adopted; an adopted person's export is their client record's."""
    entry = get_entry_or_404(entry_id)
    if entry.client is not None:
        reference = entry.client.reference
        flash(f"Watch list entry {entry.id} is part of client {reference}'s record: download theirs.", "info")
        return redirect(url_for("data_protection.subject_access_page", reference=reference))
    mimetype, write, words = FORMATS[fmt]
    content = write(subject_access.collect_watch_entry(entry))
    audit.record("watch_entry.subject_access_exported", f"{current_user.username} downloaded the subject access "
                 f"export of watch list entry {entry.id} as {words}", subject=entry,
                 changes={"format": [None, fmt], "bytes": [None, len(content)]})
    db.session.commit()
    return send_file(io.BytesIO(content), mimetype=mimetype, as_attachment=True,
                     download_name=f"subject-access-{subject_access.watch_reference(entry)}-"
                                   f"{today_in_london().isoformat()}.{fmt}")
