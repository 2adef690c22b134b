"""The audit trail, read-only, for managers and administrators."""
from datetime import date, datetime, time, timedelta

from flask import Blueprint, render_template, request
from flask_login import current_user
from sqlalchemy import select

from iom import audit
from iom.audit.models import AuditEntry
from iom.auth.models import User
from iom.auth.permissions import ADMIN, OVERSIGHT, allow_blueprint
from iom.clock import LONDON, parse_date_text
from iom.extensions import db
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
    page = _page_of(filters, args)
    users = dict(db.session.execute(select(User.id, User.username).order_by(User.username)).all())
    subject_types = {kind: kind for kind in db.session.scalars(
        select(AuditEntry.subject_type).where(AuditEntry.subject_type.is_not(None)).distinct()
        .order_by(AuditEntry.subject_type))}
    audit.record("audit.viewed", "Viewed the audit trail",
                 changes={"filters": [None, {k: v for k, v in args.items() if v}]})
    db.session.commit()
    return render_template("audit/list.html", show_values=values_shown_to(current_user.role), page=page,
                           entries=page.rows, users=users, subject_types=subject_types, errors=errors, args=args,
                           page_size=PAGE_SIZE)
