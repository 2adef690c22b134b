"""Reads for the watch list pages: a fixed number of queries whatever the number of entries."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Date, and_, case, func, literal, select
from sqlalchemy.orm import joinedload

from iom.audit.models import AuditEntry
from iom.clients.models import Client, SchemePeriod
from iom.clients.queries import period_on
from iom.extensions import db
from iom.offending.models import Offence
from iom.offending.scores import PersonScore, Scoring, person_score, score_of, sort_value, watch_entry_scores
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
    scores: dict[int, PersonScore]   # entry id -> adoption score, for those with offences

    def score(self, entry: WatchEntry) -> PersonScore | None:
        return self.scores.get(entry.id)


WATCH_LIST_SORTS = {"review": "Reviews due first", "score": "Highest adoption score first"}

# the ends of time, for the order's empty dates: an open entry's closing day, a closed one's review
NO_DATE_FIRST, NO_DATE_LAST = date(1, 1, 1), date(9999, 12, 31)


def _order(today: date, sort: str, scores) -> list[Key]:
    """Reviews due first (soonest first), then the other open entries (no review date last), then the
    closed (most recently closed first); or, sorted by score, the open entries highest score first (no
    offences last), then the closed; by name within each."""
    if sort == "score":
        leading = [Key(case((_is_open(), 0), else_=1)), Key(sort_value(scores), descending=True)]
    else:
        leading = [Key(case((_is_due(today), 0), (_is_open(), 1), else_=2)),
                   Key(func.coalesce(case((_is_open(), WatchEntry.next_review_on)), literal(NO_DATE_LAST, Date)))]
    closed = func.coalesce(WatchEntry.closed_on, literal(NO_DATE_FIRST, Date))
    return [*leading, Key(closed, descending=True), Key(func.lower(WatchEntry.family_name)),
            Key(func.lower(WatchEntry.given_name)), Key(WatchEntry.id)]


def watch_list(status: str, cursor: Cursor | None, today: date, scoring: Scoring,
               sort: str = "review") -> WatchListPage:
    """One page of the list in the chosen order (see _order), each entry with its adoption score: three
    queries (the counts of each, the page's count, its rows)."""
    due, open_, closed = db.session.execute(select(
        func.count(case((_is_due(today), 1))),
        func.count(case((_is_open(), 1))),
        func.count(case((WatchEntry.outcome.is_not(None), 1))),
    )).one()
    counts = WatchListCounts(due or 0, open_ or 0, closed or 0)

    scores = watch_entry_scores(scoring, today)
    score_columns = list(scores.c)[1:]

    def with_scores(*columns):
        return select(*columns).select_from(WatchEntry).outerjoin(scores, scores.c.watch_entry_id == WatchEntry.id)

    query = with_scores(WatchEntry, *score_columns).options(joinedload(WatchEntry.client))
    if status == "open":
        query = query.where(_is_open())
    elif status == "closed":
        query = query.where(WatchEntry.outcome.is_not(None))
    keys = _order(today, sort, scores)
    page = keyset_page(query, keys, cursor, anchor=lambda entry_id: with_scores(
        *(key.expression.label(f"key_{index}") for index, key in enumerate(keys))).where(WatchEntry.id == entry_id),
        row_id=lambda row: row[0].id, scalars=False)
    entries = [entry for entry, *_ in page.rows]
    scored = {entry.id: person_score(dict(zip((c.name for c in score_columns), values)), today, scoring,
                                     watch_entry_id=entry.id) for entry, *values in page.rows}
    page.rows = entries
    is_due = (lambda e: False) if sort == "score" else (
        lambda e: e.next_review_on is not None and e.next_review_on <= today)
    return WatchListPage(
        due=[e for e in entries if e.is_open and is_due(e)],
        open=[e for e in entries if e.is_open and not is_due(e)],
        closed=[e for e in entries if not e.is_open],
        counts=counts, page=page, scores={key: value for key, value in scored.items() if value is not None})


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


@dataclass
class EntryOffending:
    """The offences partners reported for a watch-list person, newest first, and their adoption score."""
    offences: list[Offence]
    score: PersonScore | None
    scoring: Scoring


def entry_offending(entry: WatchEntry, scoring: Scoring, today: date) -> EntryOffending:
    """Two statements, whatever the number of offences."""
    offences = list(db.session.scalars(select(Offence).options(joinedload(Offence.recorded_by))
                                       .where(Offence.watch_entry_id == entry.id)
                                       .order_by(Offence.offence_on.desc(), Offence.id.desc())))
    return EntryOffending(offences, score_of(Offence.watch_entry_id, entry.id, today, scoring), scoring)
