"""Reads for the caseload pages: a fixed number of queries whatever the number of clients."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, literal, or_, select
from sqlalchemy.orm import aliased, contains_eager, joinedload

from iom.audit.models import AuditEntry
from iom.auth.models import User
from iom.clients.models import CaseNote, Client, SchemePeriod
from iom.custody.models import CustodyEvent
from iom.extensions import db
from iom.form_fields import normalise_pnc_id

PAGE_SIZE = 50


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


def latest_period():
    """Correlated scalar: the id of the client's most recent scheme period."""
    return (select(SchemePeriod.id).where(SchemePeriod.client_id == Client.id)
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
    sort: str = "name"
    direction: str = "asc"
    page: int = 1


SORTS = {"name", "reference", "strand", "custody", "officer", "joined", "risk"}


@dataclass
class CaseloadRow:
    client: Client
    period: SchemePeriod | None
    custody_status: str
    on_scheme: bool


def caseload(filters: CaseloadFilters, today: date) -> tuple[list[CaseloadRow], int]:
    """One page of the caseload and the total matching: two queries."""
    current_period_id = period_on(today).label("current_period_id")
    status = custody_status_on(today).label("custody_status")
    shown_period = aliased(SchemePeriod)
    manager = aliased(User)
    shown_period_id = func.coalesce(current_period_id, latest_period())

    conditions = []
    if filters.search:
        term = filters.search.strip()
        like = f"%{escape_like(term.lower())}%"
        pnc = escape_like(normalise_pnc_id(term) or "")
        conditions.append(or_(
            func.lower(Client.given_name + " " + Client.family_name).like(like, escape="\\"),
            func.lower(Client.family_name + " " + Client.given_name).like(like, escape="\\"),
            func.lower(Client.family_name + ", " + Client.given_name).like(like, escape="\\"),
            func.lower(Client.reference).like(like, escape="\\"),
            Client.pnc_id.like(f"%{pnc}%", escape="\\"),
        ))
    if filters.strand:
        conditions.append(shown_period.strand == filters.strand)
    if filters.custody:
        conditions.append(custody_status_on(today) == filters.custody)
    if filters.officer == "none":
        conditions.append(Client.offender_manager_id.is_(None))
    elif filters.officer.isdigit():
        conditions.append(Client.offender_manager_id == int(filters.officer))
    if filters.scheme == "on":
        conditions.append(period_on(today).is_not(None))
    elif filters.scheme == "left":
        conditions.append(period_on(today).is_(None))

    base = (select(Client).join(shown_period, shown_period.id == shown_period_id)
            .outerjoin(manager, manager.id == Client.offender_manager_id).where(*conditions))
    total = db.session.scalar(select(func.count()).select_from(base.with_only_columns(Client.id).subquery()))

    order_columns = {
        "name": [func.lower(Client.family_name), func.lower(Client.given_name)],
        "reference": [Client.reference],
        "strand": [shown_period.strand],
        "custody": [status],
        "officer": [func.lower(func.coalesce(manager.display_name, ""))],
        "joined": [shown_period.joined_on],
        "risk": [case({"low": 1, "medium": 2, "high": 3, "very_high": 4}, value=Client.risk_level, else_=0)],
    }[filters.sort if filters.sort in SORTS else "name"]
    if filters.direction == "desc":
        order_columns = [column.desc() for column in order_columns]
    rows = db.session.execute(
        base.add_columns(shown_period, status, current_period_id)
        .options(contains_eager(Client.offender_manager.of_type(manager)))
        .order_by(*order_columns, Client.id)
        .limit(PAGE_SIZE).offset((max(filters.page, 1) - 1) * PAGE_SIZE)
    ).all()
    return [CaseloadRow(client, period, custody, current is not None)
            for client, period, custody, current in rows], total


def officers() -> list[User]:
    """People who can hold a caseload, for the officer filter and the offender manager field."""
    return list(db.session.scalars(select(User).where(User.role.in_(("officer", "manager")))
                                   .order_by(User.display_name)))


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
