"""Reads for the watch list pages: a fixed number of queries whatever the number of entries."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Date, and_, case, func, literal, select
from sqlalchemy.orm import joinedload

from iom.audit.models import AuditEntry
from iom.clients.models import Client, SchemePeriod
from iom.clients.queries import period_on
from iom.extensions import db
from iom.pagination import Cursor, Key, Page, keyset_page
from iom.watch.models import WatchEntry

def _is_open():
    return WatchEntry.outcome.is_(None)


def _is_due(today: date):
    return and_(WatchEntry.outcome.is_(None), WatchEntry.next_review_on <= today)


@dataclass
class WatchListCounts:
    due: int
    open: int
    closed: int


@dataclass
class WatchListPage:
    due: list[WatchEntry]
    open: list[WatchEntry]
    closed: list[WatchEntry]
    counts: WatchListCounts
    page: Page


# the ends of time, for the order's empty dates: an open entry's closing day, a closed one's review
NO_DATE_FIRST, NO_DATE_LAST = date(1, 1, 1), date(9999, 12, 31)


def _order(today: date) -> list[Key]:
    """Reviews due first (soonest first), then the other open entries (no review date last), then the
    closed (most recently closed first); by name within each."""
    group = case((_is_due(today), 0), (_is_open(), 1), else_=2)
    review = func.coalesce(case((_is_open(), WatchEntry.next_review_on)), literal(NO_DATE_LAST, Date))
    closed = func.coalesce(WatchEntry.closed_on, literal(NO_DATE_FIRST, Date))
    return [Key(group), Key(review), Key(closed, descending=True), Key(func.lower(WatchEntry.family_name)),
            Key(func.lower(WatchEntry.given_name)), Key(WatchEntry.id)]


def watch_list(status: str, cursor: Cursor | None, today: date) -> WatchListPage:
    """One page of the list, reviews due first, then the other open entries, then closed: three queries
    (the counts of each, the page's count, its rows)."""
    due, open_, closed = db.session.execute(select(
        func.count(case((_is_due(today), 1))),
        func.count(case((_is_open(), 1))),
        func.count(case((WatchEntry.outcome.is_not(None), 1))),
    )).one()
    counts = WatchListCounts(due or 0, open_ or 0, closed or 0)

    query = select(WatchEntry).options(joinedload(WatchEntry.client))
    if status == "open":
        query = query.where(_is_open())
    elif status == "closed":
        query = query.where(WatchEntry.outcome.is_not(None))
    keys = _order(today)
    page = keyset_page(query, keys, cursor, anchor=lambda entry_id: select(
        *(key.expression.label(f"key_{index}") for index, key in enumerate(keys))).where(WatchEntry.id == entry_id))
    entries = page.rows
    return WatchListPage(
        due=[e for e in entries if e.is_open and e.next_review_on is not None and e.next_review_on <= today],
        open=[e for e in entries if e.is_open and (e.next_review_on is None or e.next_review_on > today)],
        closed=[e for e in entries if not e.is_open],
        counts=counts, page=page)


def entry_history(entry: WatchEntry) -> list[AuditEntry]:
    """What happened to an entry, newest first, from the audit trail (views left out)."""
    return list(db.session.scalars(
        select(AuditEntry).where(AuditEntry.subject_type == "watch_entry", AuditEntry.subject_id == str(entry.id),
                                 AuditEntry.action != "watch_entry.viewed")
        .order_by(AuditEntry.seq.desc()).limit(100)))


@dataclass
class MatchingClient:
    """The client already recorded with an entry's PNC ID, and where they stand on the scheme today."""
    client: Client
    is_on_scheme: bool
    left_on: date | None  # the day their last period ended, when they are not on the scheme today


def matching_client(pnc_id: str | None, today: date) -> MatchingClient | None:
    """An existing client with the same PNC ID (to be re-adopted or looked up, never added again). One query."""
    if not pnc_id:
        return None
    last_left_on = (select(func.max(SchemePeriod.left_on)).where(SchemePeriod.client_id == Client.id)
                    .correlate(Client).scalar_subquery())
    row = db.session.execute(select(Client, period_on(today), last_left_on).where(Client.pnc_id == pnc_id)).first()
    if row is None:
        return None
    client, period_id, left_on = row
    return MatchingClient(client, period_id is not None, None if period_id is not None else left_on)


def load_entry(entry_id: int) -> WatchEntry | None:
    """The entry with its client (if adopted); fresh from the database, even after a rollback."""
    return db.session.get(WatchEntry, entry_id, options=[joinedload(WatchEntry.client)], populate_existing=True)
