"""The audit trail, read-only, for managers and administrators."""
from datetime import date, datetime, time, timedelta

from flask import Blueprint, render_template, request
from flask_login import current_user
from sqlalchemy import case, func, select

from iom import audit
from iom.audit.models import AuditEntry
from iom.auth.models import User
from iom.auth.permissions import ADMIN, OVERSIGHT, allow_blueprint
from iom.clock import LONDON, parse_date_text
from iom.extensions import db

bp = Blueprint("audit", __name__, url_prefix="/audit")
allow_blueprint(bp, OVERSIGHT)

PAGE_SIZE = 50


# Administrators manage accounts and may not see the caseload: for them, entries about people on
# the scheme show which fields changed, never the values (names, dates of birth, health needs).
ACCOUNT_SUBJECTS = {None, "user_account"}


def values_shown_to(role: str):
    def show_values(entry: AuditEntry) -> bool:
        return role != ADMIN or entry.subject_type in ACCOUNT_SUBJECTS
    return show_values


def _london_midnight_utc(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LONDON)


def _seq_arg(args, name: str) -> int | None:
    """An entry number from the address; a hand-edited one out of range is treated as none."""
    value = args.get(name, type=int)
    return value if value is not None and 0 < value < 2**62 else None


def _page_of(filters: list, args) -> tuple:
    """One page of the trail, newest first, keyed by entry number rather than OFFSET (the trail only
    grows: `?before=N` is the page of entries older than N, `?after=N` the page just newer than N).
    Two queries whatever the page: one count (the total, and where the page falls), one page of rows.

    Returns (entries, page number, pages, total, previous page's args or None, next page's args or None)."""
    before, after = _seq_arg(args, "before"), _seq_arg(args, "after")
    seq = AuditEntry.seq
    total, newer_than_before, newer_than_after = db.session.execute(
        select(func.count(), func.count(case((seq >= (before or 0), 1))), func.count(case((seq > (after or 0), 1))))
        .select_from(AuditEntry).where(*filters)).one()
    query = select(AuditEntry).where(*filters)
    if before is not None:
        newer = newer_than_before
        entries = db.session.scalars(query.where(seq < before).order_by(seq.desc()).limit(PAGE_SIZE)).all()
    elif after is not None and newer_than_after > PAGE_SIZE:
        newer = newer_than_after - PAGE_SIZE
        entries = db.session.scalars(query.where(seq > after).order_by(seq.asc()).limit(PAGE_SIZE)).all()[::-1]
    else:  # the first page (also where a previous page would run past the newest entry)
        newer = 0
        entries = db.session.scalars(query.order_by(seq.desc()).limit(PAGE_SIZE)).all()
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(newer // PAGE_SIZE + 1, pages)  # entries written since the first page was read push no page on
    kept = {key: value for key, value in args.items() if value and key not in ("page", "before", "after")}
    previous_args = kept | {"after": entries[0].seq} if entries and newer > 0 else None
    next_args = kept | {"before": entries[-1].seq} if entries and newer + len(entries) < total else None
    return entries, page, pages, total, previous_args, next_args


@bp.route("")
def list_entries():
    args = request.args
    errors: dict[str, str] = {}
    filters = []
    dates = {}
    for key, label in (("from", "From"), ("to", "To")):
        try:
            dates[key] = parse_date_text(args.get(key, ""))
        except ValueError:
            dates[key] = None
            errors[key] = f"{label} date must be a real date, like 27/3/2011"
    if dates.get("from") and dates.get("to") and dates["to"] < dates["from"]:
        errors["to"] = "To date must be the same as or after the from date"
    if not errors:
        if dates.get("from"):
            filters.append(AuditEntry.occurred_at >= _london_midnight_utc(dates["from"]))
        if dates.get("to"):
            filters.append(AuditEntry.occurred_at < _london_midnight_utc(dates["to"] + timedelta(days=1)))
    user_id = args.get("user", type=int)
    if user_id is not None and not 0 < user_id < 2**31:
        user_id = -1  # no such user: an empty page, not a database overflow
    if user_id:
        filters.append(AuditEntry.actor_id == user_id)
    subject_type = args.get("subject_type", "").strip()
    if subject_type:
        filters.append(AuditEntry.subject_type == subject_type)
    subject_id = args.get("subject_id", "").strip()
    if subject_id:
        filters.append(AuditEntry.subject_id == subject_id)
    action = args.get("action", "").strip()
    if action:
        filters.append(AuditEntry.action == action)
    entries, page, pages, total, previous_args, next_args = _page_of(filters, args)
    users = dict(db.session.execute(select(User.id, User.username).order_by(User.username)).all())
    subject_types = {kind: kind for kind in db.session.scalars(
        select(AuditEntry.subject_type).where(AuditEntry.subject_type.is_not(None)).distinct()
        .order_by(AuditEntry.subject_type))}
    audit.record("audit.viewed", "Viewed the audit trail",
                 changes={"filters": [None, {k: v for k, v in args.items() if v}]})
    db.session.commit()
    return render_template("audit/list.html", show_values=values_shown_to(current_user.role), entries=entries,
                           total=total, page=page, pages=pages, previous_args=previous_args, next_args=next_args,
                           users=users, subject_types=subject_types, errors=errors, args=args,
                           page_size=PAGE_SIZE)
