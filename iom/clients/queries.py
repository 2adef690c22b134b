"""Reads for the caseload pages: a fixed number of queries whatever the number of clients."""
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import Integer, String, and_, bindparam, case, exists, func, literal, not_, or_, select
from sqlalchemy.orm import aliased, joinedload

from iom import generations
from iom.audit.models import AuditEntry
from iom.auth.models import User
from iom.clients.models import (AlcoholScreening, CaseNote, Client, DistinctPeople,
                               SchemePeriod, match_key)
from iom.custody.models import CustodyEvent
from iom.extensions import db
from iom.form_fields import normalise_pnc_id
from iom.offending.scores import PersonScore, Scoring, client_scores, person_score, sort_value
from iom.pagination import Cursor, Key, Page, Prepared, prepare

def custody_status_on(day: date):
    """Correlated scalar: the client's custody status on a day ('community' when no event)."""
    latest = (select(CustodyEvent.status)
              .where(CustodyEvent.client_id == Client.id, CustodyEvent.from_date <= day)
              .order_by(CustodyEvent.from_date.desc()).limit(1).correlate(Client).scalar_subquery())
    return func.coalesce(latest, literal("community"))


def custody_event_on(day: date):
    """Correlated scalar: the id of the custody event in force on a day."""
    return (select(CustodyEvent.id)
            .where(CustodyEvent.client_id == Client.id, CustodyEvent.from_date <= day)
            .order_by(CustodyEvent.from_date.desc()).limit(1).correlate(Client).scalar_subquery())


def period_on(day: date):
    """Correlated scalar: the id of the scheme period covering a day, if any."""
    return (select(SchemePeriod.id)
            .where(SchemePeriod.client_id == Client.id, SchemePeriod.joined_on <= day,
                   or_(SchemePeriod.left_on.is_(None), SchemePeriod.left_on >= day))
            .order_by(SchemePeriod.joined_on.desc()).limit(1).correlate(Client).scalar_subquery())


def escape_like(text: str) -> str:
    """Make % and _ in a search term match themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass
class CaseloadFilters:
    search: str = ""
    strand: str = ""
    custody: str = ""
    officer: str = ""          # user id, "none" for unassigned, "" for anyone
    scheme: str = "on"         # "on", "left", "all"
    tier: str = ""             # a COHORT_TIERS code, "none" for not set, "" for any
    sort: str = "name"
    direction: str = "asc"


SORTS = {"name", "reference", "strand", "custody", "officer", "joined", "risk", "tier", "score"}
RISK_ORDER = {"low": 1, "medium": 2, "high": 3, "very_high": 4}
TIER_ORDER = {"fixed": 1, "flex": 2, "free": 3}   # the most intensive first; not set before them


@dataclass(frozen=True)
class ShownPeriod:
    """The period a caseload row shows: today's, else the client's latest."""
    strand: str
    joined_on: date
    left_on: date | None

    covers = SchemePeriod.covers


# What a caseload row shows of its client, read as plain columns under Client's attribute names
LISTED = (Client.id, Client.reference, Client.family_name, Client.given_name, Client.pnc_id, Client.risk_level,
          Client.tier, Client.latest_strand, Client.latest_joined_on, Client.latest_left_on,
          Client.latest_custody_status)


@dataclass
class CaseloadRow:
    client: Any                # the client's LISTED columns (a row: client.reference, client.family_name, ...)
    period: ShownPeriod
    manager_name: str | None   # their offender manager's name; None when not assigned
    custody_status: str
    on_scheme: bool
    score: PersonScore | None = None   # their adoption score, when asked for and they have offences


def on_scheme_today(today: date):
    """On the scheme today, from the latest period kept on the client (iom/clients/latest.py)."""
    return and_(Client.latest_joined_on <= today,
                or_(Client.latest_left_on.is_(None), Client.latest_left_on >= today))


class _Caseload:
    """The caseload's rows: each client with the period shown (their latest, which is today's whenever one
    covers today) and their offender manager, and the expressions it sorts by. The period and the custody
    status are the client's own columns, kept by iom/clients/latest.py, so neither is worked out per page."""

    def __init__(self, today: date, scoring: Scoring | None = None):
        self.today = today
        self.manager = aliased(User)
        # each client's adoption score (one aggregate over their offences), when the viewer may see it
        self.scores = client_scores(scoring, today) if scoring is not None else None

    def select(self, *columns, scored: bool = True, manager: bool = True):
        """The rows' joins; for a count or an anchor, without those neither its filters nor its keys need:
        the scores (scored=False), the offender manager (manager=False: at most one a client)."""
        query = select(*columns).select_from(Client)
        if manager:
            query = query.outerjoin(self.manager, self.manager.id == Client.offender_manager_id)
        if self.scores is not None and scored:
            query = query.outerjoin(self.scores, self.scores.c.client_id == Client.id)
        return query

    @property
    def score_columns(self) -> list:
        return list(self.scores.c)[1:] if self.scores is not None else []

    def keys(self, sort: str, direction: str) -> list[Key]:
        """The sort's expressions, then the client's id (ascending either way) to break ties."""
        expressions = {
            "name": [func.lower(Client.family_name), func.lower(Client.given_name)],
            "reference": [Client.reference],
            "strand": [Client.latest_strand],
            "custody": [Client.latest_custody_status],
            "officer": [func.lower(func.coalesce(self.manager.display_name, ""))],
            "joined": [Client.latest_joined_on],
            "risk": [case(RISK_ORDER, value=Client.risk_level, else_=0)],
            "tier": [case(TIER_ORDER, value=Client.tier, else_=0)],
            # descending: the highest score first, no offences last
            "score": [sort_value(self.scores)] if self.scores is not None else [func.lower(Client.family_name)],
        }[sort if sort in SORTS else "name"]
        return [Key(expression, descending=direction == "desc") for expression in expressions] + [Key(Client.id)]

    def anchor(self, keys: list[Key], **joins):
        """The sort keys of one client, whatever the filters: where a page after (or before) them starts."""
        return lambda client_id: self.select(*(key.expression.label(f"key_{index}") for index, key in
                                               enumerate(keys)), **joins).where(Client.id == client_id)


@dataclass(frozen=True)
class _Shape:
    """What a caseload's statements depend on, apart from the values given as parameters."""
    search: bool
    name_key: bool          # the search term has letters or digits to match names by
    strand: bool
    custody: bool
    officer: str            # "none", "id" or ""
    scheme: str
    tier: str               # "none", "one" or ""
    sort: str
    direction: str


def _parameters(filters: CaseloadFilters) -> dict:
    """The filters' values, for the bound parameters of the caseload's statements."""
    term = filters.search.strip()
    return {"q_like": f"%{escape_like(term.lower())}%", "q_pnc": f"%{escape_like(normalise_pnc_id(term) or '')}%",
            "q_key": f"%{escape_like(match_key(term, ''))}%", "strand": filters.strand, "custody": filters.custody,
            "officer": int(filters.officer) if filters.officer.isdigit() else None, "tier": filters.tier}


@lru_cache(maxsize=256)
def _prepared(shape: _Shape, scoring: tuple | None, today: date) -> tuple[Prepared, tuple]:
    """The caseload's statements for one shape of filters, scoring and day, built once (pagination.prepare),
    and the names of the score columns. Every value a person typed or chose is a bound parameter."""
    rows = _Caseload(today, Scoring(scoring[0], dict(scoring[1])) if scoring is not None else None)
    merged = aliased(Client)
    # a client with no scheme period at all is in no list
    conditions = [Client.merged_into_id.is_(None), Client.latest_joined_on.is_not(None)]
    if shape.search:
        like = bindparam("q_like", type_=String)
        conditions.append(or_(
            func.lower(Client.given_name + " " + Client.family_name).like(like, escape="\\"),
            func.lower(Client.family_name + " " + Client.given_name).like(like, escape="\\"),
            func.lower(Client.family_name + ", " + Client.given_name).like(like, escape="\\"),
            func.lower(Client.reference).like(like, escape="\\"),
            Client.pnc_id.like(bindparam("q_pnc", type_=String), escape="\\"),
            # "sean obrien" finds Seán O'Brien-Smith
            Client.match_key.like(bindparam("q_key", type_=String), escape="\\") if shape.name_key
            else literal(False),
            # a merged-away reference finds the record it was merged into
            Client.id.in_(select(merged.merged_into_id)
                          .where(func.lower(merged.reference).like(like, escape="\\"))),
        ))
    if shape.strand:
        conditions.append(Client.latest_strand == bindparam("strand", type_=String))
    if shape.custody:
        conditions.append(Client.latest_custody_status == bindparam("custody", type_=String))
    if shape.officer == "none":
        conditions.append(Client.offender_manager_id.is_(None))
    elif shape.officer == "id":
        conditions.append(Client.offender_manager_id == bindparam("officer", type_=Integer))
    if shape.scheme == "on":
        conditions.append(on_scheme_today(today))
    elif shape.scheme == "left":
        conditions.append(not_(on_scheme_today(today)))
    if shape.tier == "none":
        conditions.append(Client.tier.is_(None))
    elif shape.tier:
        conditions.append(Client.tier == bindparam("tier", type_=String))

    keys = rows.keys(shape.sort, shape.direction)
    score_columns = rows.score_columns
    # plain columns, not entities: loading 50 Client objects (identity map, every column, the manager as an
    # aliased entity) cost the ORM more than the query itself
    query = rows.select(*LISTED, rows.manager.display_name, *score_columns).where(*conditions)
    # The count and the anchor join only what their filters and keys use: the scores are an aggregate over
    # every offence, and a client has one manager at most.
    joins = {"scored": shape.sort == "score" and scoring is not None, "manager": shape.sort == "officer"}
    prepared = prepare(query, keys, anchor=rows.anchor(keys, **joins),
                       counted_from=rows.select(Client.id, **joins).where(*conditions))
    return prepared, tuple(column.name for column in score_columns)


def caseload(filters: CaseloadFilters, today: date, cursor: Cursor | None = None,
             scoring: Scoring | None = None) -> Page:
    """One page of the caseload (CaseloadRows), and the total matching: two queries. With `scoring`,
    each row carries the client's adoption score and the list may be sorted by it."""
    shape = _Shape(search=bool(filters.search), name_key=bool(match_key(filters.search.strip(), "")),
                   strand=bool(filters.strand), custody=bool(filters.custody),
                   officer="none" if filters.officer == "none" else "id" if filters.officer.isdigit() else "",
                   scheme=filters.scheme, tier="none" if filters.tier == "none" else "one" if filters.tier else "",
                   sort=filters.sort if filters.sort in SORTS else "name", direction=filters.direction)
    scored = (scoring.rules, tuple(sorted(scoring.weights.items()))) if scoring is not None else None
    prepared, names = _prepared(shape, scored, today)
    page = prepared.page(cursor, _parameters(filters), row_id=lambda row: row.id, scalars=False)
    listed = len(LISTED)
    page.rows = [CaseloadRow(row, period, row[listed], row.latest_custody_status, period.covers(today),
                             person_score(dict(zip(names, row[listed + 1:])), today, scoring, client_id=row.id)
                             if scoring is not None else None)
                 for row in page.rows
                 for period in [ShownPeriod(row.latest_strand, row.latest_joined_on, row.latest_left_on)]]
    return page


# Statements read on every caseload page, built once (building one costs SQLAlchemy more than running it).
_OFFICERS = (select(User.id, User.display_name, User.is_active).where(User.role.in_(("officer", "manager")))
             .order_by(User.display_name))


def officers() -> list:
    """People who can hold a caseload, for the officer filter and the offender manager field: rows of their
    id, display_name and is_active (plain columns: the lists need no more of an account)."""
    return db.session.execute(_OFFICERS).all()


def kept_officers() -> tuple:
    """officers(), kept by the worker until the caseload's generation changes (any change to an account
    replaces it): for the caseload's filter."""
    return generations.kept("officers", lambda: tuple(officers()))


@dataclass
class ClientPage:
    client: Client
    periods: list[SchemePeriod]
    custody_events: list[CustodyEvent]
    notes: list[CaseNote]
    history: list[AuditEntry]
    current_period: SchemePeriod | None
    current_custody: CustodyEvent | None

    @property
    def custody_status(self) -> str:
        return self.current_custody.status if self.current_custody else "community"


def client_by_reference(reference: str) -> Client | None:
    return db.session.scalar(select(Client).options(joinedload(Client.offender_manager))
                             .where(Client.reference == reference))


def same_person(given_name: str, family_name: str, date_of_birth: date | None, pnc_id: str | None,
                ) -> tuple[Client | None, list[Client]]:
    """Records already held for this person: the one with this PNC ID, and those (not merged away)
    with the same date of birth and the same name ignoring case, accents and punctuation."""
    pnc_owner = db.session.scalar(select(Client).where(Client.pnc_id == pnc_id)) if pnc_id else None
    key = match_key(given_name, family_name)
    same = [] if date_of_birth is None or not key else list(db.session.scalars(
        select(Client).where(Client.match_key == key, Client.date_of_birth == date_of_birth,
                             Client.merged_into_id.is_(None)).order_by(Client.reference)))
    return pnc_owner, [client for client in same if client is not pnc_owner]


@dataclass
class DuplicatePair:
    first: Client
    second: Client


PAIR_LIMIT = 200


def possible_duplicates() -> tuple[list[DuplicatePair], int]:
    """Pairs of records (not merged away, not marked as two people) with the same match key and
    date of birth, and how many there are: two queries. Same-PNC pairs cannot exist (the column is unique)."""
    first, second = aliased(Client), aliased(Client)
    marked = exists().where(DistinctPeople.first_client_id == first.id, DistinctPeople.second_client_id == second.id)
    pairs = (select(first, second)
             .join(second, and_(second.match_key == first.match_key, second.date_of_birth == first.date_of_birth,
                                second.id > first.id))
             .where(first.merged_into_id.is_(None), second.merged_into_id.is_(None), first.match_key != "",
                    first.date_of_birth.is_not(None), ~marked))
    total = db.session.scalar(select(func.count()).select_from(pairs.with_only_columns(first.id).subquery()))
    rows = db.session.execute(pairs.order_by(first.family_name, first.given_name, first.id, second.id)
                              .limit(PAIR_LIMIT)).all()
    return [DuplicatePair(a, b) for a, b in rows], total


# Rows that are a record's own bookkeeping about other records, not the person's history: a merge
# does not move them.
NOT_MOVED_ON_MERGE = {"client", "distinct_people"}


def client_foreign_keys() -> list:
    """Every column that points at a client (scheme periods, custody, notes, referrals, payments,
    watch entries, and whatever table is added later)."""
    return [foreign_key.parent for table in db.metadata.sorted_tables if table.name not in NOT_MOVED_ON_MERGE
            for foreign_key in table.foreign_keys if foreign_key.column.table.name == "client"]


def rows_held(client: Client) -> dict[str, int]:
    """How many rows of each table belong to this record (what a merge would move): one query."""
    counts = [select(func.count()).select_from(column.table).where(column == client.id).scalar_subquery()
              .label(column.table.name) for column in client_foreign_keys()]
    row = db.session.execute(select(*counts)).one()
    return {name: count for name, count in row._mapping.items() if count}


def merged_references(client: Client) -> list[str]:
    """The references of the records merged into this one."""
    return list(db.session.scalars(select(Client.reference).where(Client.merged_into_id == client.id)
                                   .order_by(Client.reference)))


def client_page(client: Client, today: date, *, with_notes: bool) -> ClientPage:
    """Everything the client page shows: a fixed five queries."""
    periods = list(db.session.scalars(select(SchemePeriod).where(SchemePeriod.client_id == client.id)
                                      .order_by(SchemePeriod.joined_on.desc())))
    events = list(db.session.scalars(select(CustodyEvent).options(joinedload(CustodyEvent.recorded_by))
                                     .where(CustodyEvent.client_id == client.id)
                                     .order_by(CustodyEvent.from_date.desc())))
    notes = list(db.session.scalars(select(CaseNote).options(joinedload(CaseNote.author))
                                    .where(CaseNote.client_id == client.id)
                                    .order_by(CaseNote.written_at.desc()))) if with_notes else []
    history = list(db.session.scalars(
        select(AuditEntry).where(AuditEntry.subject_type == "client", AuditEntry.subject_id == str(client.id),
                                 AuditEntry.action != "client.viewed")
        .order_by(AuditEntry.seq.desc()).limit(100)))
    current_period = next((p for p in periods if p.covers(today)), None)
    current_custody = next((e for e in events if e.from_date <= today), None)
    return ClientPage(client, periods, events, notes, history, current_period, current_custody)


def screenings_for(client_id: int) -> list[AlcoholScreening]:
    """A client's AUDIT-C screenings, newest first (by the day screened, then the latest recorded): one query."""
    return list(db.session.scalars(select(AlcoholScreening).options(joinedload(AlcoholScreening.recorded_by))
                                   .where(AlcoholScreening.client_id == client_id)
                                   .order_by(AlcoholScreening.screened_on.desc(), AlcoholScreening.id.desc())))


def load_screening(screening_id: int) -> AlcoholScreening | None:
    return db.session.get(AlcoholScreening, screening_id, options=[joinedload(AlcoholScreening.recorded_by)],
                          populate_existing=True)
