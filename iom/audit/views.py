"""The audit trail, read-only, for managers and administrators: the page, in words, and its CSV download."""
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import Blueprint, Response, render_template, request, stream_with_context
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from iom import audit
from iom.audit import wording
from iom.audit.models import AuditEntry
from iom.auth.models import User
from iom.auth.permissions import ADMIN, OVERSIGHT, allow_blueprint
from iom.clock import LONDON, parse_date_text, today_in_london
from iom.csv_cells import BOM, csv_line
from iom.extensions import db
from iom.form_fields import control_character_message, has_control_characters
from iom.pagination import PAGE_SIZE, Key, Page, Paging, keyset_page

bp = Blueprint("audit", __name__, url_prefix="/audit")
allow_blueprint(bp, OVERSIGHT)

# Administrators manage accounts and may not see the caseload: for them, entries about people on
# the scheme show which fields changed, never the values (names, dates of birth, health needs).
ACCOUNT_SUBJECTS = {None, "user_account"}


def values_shown_to(role: str):
    def show_values(entry: AuditEntry) -> bool:
        return role != ADMIN or entry.subject_type in ACCOUNT_SUBJECTS
    return show_values


def _london_midnight_utc(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LONDON)


# newest first: the next page is the older entries, `?before=N`; the previous the newer, `?after=N`
TRAIL_PAGING = Paging(next_name="before", previous_name="after")


def _page_of(filters: list, args) -> Page:
    """One page of the trail, newest first, keyed by entry number rather than OFFSET (the trail only
    grows, so a page neither repeats nor skips an entry written meanwhile). Two queries whatever the page."""
    return keyset_page(select(AuditEntry).where(*filters), [Key(AuditEntry.seq, descending=True)],
                       TRAIL_PAGING.cursor(args), row_id=lambda entry: entry.seq, paging=TRAIL_PAGING)


@dataclass
class TrailFilters:
    """The trail's filters, read once from the address (the page) or the form (the download)."""
    conditions: list
    errors: dict[str, str]
    kept: dict[str, str]  # the filters as given, blanks left out: what the download form carries


FILTER_LABELS = {"user": "Who", "action": "What", "subject_type": "Record type", "subject_id": "Record number",
                 "from": "From date", "to": "To date"}
FILTER_KEYS = tuple(FILTER_LABELS)


def _trail_filters(values) -> TrailFilters:
    # The page's address is checked for hidden characters before any view; the download's form is checked here.
    errors = {key: control_character_message(label) for key, label in FILTER_LABELS.items()
              if has_control_characters(values.get(key, ""))}
    if errors:
        return TrailFilters([], errors, {})
    conditions = []
    dates = {}
    for key, label in (("from", "From"), ("to", "To")):
        try:
            dates[key] = parse_date_text(values.get(key, ""))
        except ValueError:
            dates[key] = None
            errors[key] = f"{label} date must be a real date, like 27/3/2011"
    if dates.get("from") and dates.get("to") and dates["to"] < dates["from"]:
        errors["to"] = "To date must be the same as or after the from date"
    if not errors:
        if dates.get("from"):
            conditions.append(AuditEntry.occurred_at >= _london_midnight_utc(dates["from"]))
        if dates.get("to"):
            conditions.append(AuditEntry.occurred_at < _london_midnight_utc(dates["to"] + timedelta(days=1)))
    user_id = values.get("user", type=int)
    if user_id is not None and not 0 < user_id < 2**31:
        user_id = -1  # no such user: an empty page, not a database overflow
    if user_id:
        conditions.append(AuditEntry.actor_id == user_id)
    for key, column in (("subject_type", AuditEntry.subject_type), ("subject_id", AuditEntry.subject_id),
                        ("action", AuditEntry.action)):
        value = values.get(key, "").strip()
        if value:
            conditions.append(column == value)
    kept = {key: values.get(key, "").strip() for key in FILTER_KEYS if values.get(key, "").strip()}
    return TrailFilters(conditions, errors, kept)


@bp.route("")
def list_entries():
    return _trail_page(request.args, _trail_filters(request.args))


def _trail_page(args, filters: TrailFilters):
    """The page of the trail the filters (from the address, or a download's form) match."""
    page = _page_of(filters.conditions, args)
    users = {user.id: user.display_name + (f" ({user.username})" if user.display_name != user.username else "")
             for user in db.session.scalars(select(User).order_by(User.username))}
    subject_types = {kind: wording.subject_noun(kind) for kind in db.session.scalars(
        select(AuditEntry.subject_type).where(AuditEntry.subject_type.is_not(None)).distinct()
        .order_by(AuditEntry.subject_type))}
    audit.record("audit.viewed", "Viewed the audit trail",
                 changes={"filters": [None, {k: v for k, v in args.items() if v}]})
    db.session.commit()
    rows = wording.describe(page.rows, show_values=values_shown_to(current_user.role))
    return render_template("audit/list.html", rows=rows, page=page, users=users,
                           subject_types=subject_types, actions=dict(sorted(wording.ACTIONS.items(), key=lambda a: a[1])),
                           subject_noun=wording.subject_noun, errors=filters.errors, args=args,
                           kept=filters.kept, page_size=PAGE_SIZE)


CSV_HEADER = ["entry", "occurred_at_utc", "username", "who", "action", "what", "record_type", "record_id",
              "record", "summary", "changes", "changes_in_words", "request_id", "entry_hash"]
CSV_BATCH = 500


def _csv_rows(conditions: list, upto: int, show_values):
    """The matching entries older than entry `upto`, oldest first, as CSV lines: read in batches keyed
    by entry number, so a long trail is never held in memory at once."""
    yield BOM + csv_line(CSV_HEADER)
    after = 0
    while True:
        batch = db.session.scalars(select(AuditEntry).where(*conditions, AuditEntry.seq > after,
                                                            AuditEntry.seq < upto)
                                   .order_by(AuditEntry.seq).limit(CSV_BATCH)).all()
        if not batch:
            return
        for row in wording.describe(batch, show_values=show_values, iso_dates=True):
            entry = row.entry
            changes = entry.changes if row.shows_values or not isinstance(entry.changes, dict) \
                else sorted(entry.changes)
            yield csv_line([entry.seq, wording.occurred_at_utc(entry), entry.actor_label, row.who, entry.action,
                            row.what, entry.subject_type, entry.subject_id, row.record, entry.summary,
                            None if changes is None else json.dumps(changes, ensure_ascii=False, sort_keys=True),
                            row.changes_text, entry.request_id, entry.entry_hash])
        after = batch[-1].seq
        for entry in batch:  # the batch written is not kept
            db.session.expunge(entry)


@bp.route("/download", methods=["POST"])
def download():
    """The entries the trail's filters match, as CSV; audited as an export."""
    filters = _trail_filters(request.form)
    if filters.errors:  # the page says what is wrong with them; nothing is downloaded
        shown = MultiDict({key: value for key in FILTER_KEYS if (value := request.form.get(key, ""))
                           and not has_control_characters(value)})
        return _trail_page(shown, filters), 400
    count = db.session.scalar(select(func.count()).select_from(AuditEntry).where(*filters.conditions))
    exported = audit.record("audit.exported", f"Downloaded the audit trail as CSV ({count:,} "
                            f"{'entry' if count == 1 else 'entries'})",
                            changes={"format": [None, "csv"], "filters": [None, filters.kept], "rows": [None, count]})
    db.session.commit()
    show_values = values_shown_to(current_user.role)
    name = f"audit-trail-{today_in_london().isoformat()}.csv"
    return Response(stream_with_context(_csv_rows(filters.conditions, exported.seq, show_values)),
                    headers={"Content-Type": "text/csv; charset=utf-8",
                             "Content-Disposition": f'attachment; filename="{name}"'})
