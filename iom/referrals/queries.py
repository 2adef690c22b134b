"""Reads for referral pages and panels: a fixed number of queries whatever the number of rows."""
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import case, func, literal, or_, select
from sqlalchemy.orm import aliased, contains_eager, joinedload

from iom.clients.models import Client
from iom.clients.queries import custody_event_on, period_on
from iom.custody.models import CustodyEvent
from iom.extensions import db
from iom.referrals.models import Agency, Referral, ReferralStatusChange, agency_kinds_for
from iom.referrals.operations import OPEN_STATUSES

RELEASE_WINDOW_DAYS = 28
IN_CUSTODY = ("custody", "remand")


def for_client(client, *, kinds: tuple[str, ...]) -> list[Referral]:
    """The client's referrals of the given kinds, newest first, for the client page panel."""
    return list(db.session.scalars(
        select(Referral).options(joinedload(Referral.agency))
        .where(Referral.client_id == client.id, Referral.kind.in_(kinds))
        .order_by(Referral.referred_on.desc(), Referral.id.desc())))


def load_referral(referral_id: int) -> Referral | None:
    """The referral with its client, agency and author; fresh from the database, even after a rollback."""
    return db.session.get(Referral, referral_id, populate_existing=True, options=[
        joinedload(Referral.client).joinedload(Client.offender_manager),
        joinedload(Referral.agency), joinedload(Referral.created_by)])


def status_history(referral: Referral) -> list[ReferralStatusChange]:
    """Each change of status, newest first."""
    return list(db.session.scalars(
        select(ReferralStatusChange).options(joinedload(ReferralStatusChange.changed_by))
        .where(ReferralStatusChange.referral_id == referral.id)
        .order_by(ReferralStatusChange.changed_at.desc(), ReferralStatusChange.id.desc())))


def agencies_for(kind: str, *, keep_id: int | None = None) -> list[Agency]:
    """Agencies a referral of this kind can go to, plus the one it already has (even if since retired)."""
    return list(db.session.scalars(
        select(Agency).where(or_(Agency.id == (keep_id or -1),
                                 Agency.is_active.is_(True) & Agency.kind.in_(agency_kinds_for(kind))))
        .order_by(func.lower(Agency.name))))


def all_agencies() -> list[Agency]:
    """The whole list, those still in use first."""
    return list(db.session.scalars(select(Agency).order_by(Agency.is_active.desc(), func.lower(Agency.name))))


def next_action_state(referral: Referral, today: date) -> str | None:
    """'overdue', 'due' (today) or None, for the tag beside a next action on an open referral."""
    if referral.status not in OPEN_STATUSES or referral.next_action_due_on is None:
        return None
    if referral.next_action_due_on < today:
        return "overdue"
    return "due" if referral.next_action_due_on == today else None


# --- the housing queue ------------------------------------------------------------------------

@dataclass
class QueueRow:
    referral: Referral
    age_days: int
    next_action: str | None  # 'overdue', 'due' or None

    @property
    def client(self) -> Client:
        return self.referral.client


def housing_queue(today: date) -> list[QueueRow]:
    """Open and accepted housing referrals: overdue next actions first (oldest due first), then by
    due date, then the oldest referral. One query."""
    overdue = Referral.next_action_due_on < today
    referrals = db.session.scalars(
        select(Referral).join(Referral.client)
        .options(contains_eager(Referral.client), joinedload(Referral.agency))
        .where(Referral.kind == "housing", Referral.status.in_(OPEN_STATUSES))
        .order_by(case((overdue, 0), else_=1), Referral.next_action_due_on.asc().nulls_last(),
                  Referral.referred_on, Referral.id)
    ).all()
    return [QueueRow(referral, (today - referral.referred_on).days, next_action_state(referral, today))
            for referral in referrals]


# --- the release worklist ---------------------------------------------------------------------

@dataclass
class ReleaseRow:
    client: Client
    custody: CustodyEvent
    open_referral: Referral | None
    duty_to_refer: Referral | None  # the referral carrying the Duty to Refer that counts, if any
    on_scheme: bool
    days_to_release: int  # below zero: the expected release date has passed with no release recorded

    @property
    def has_neither(self) -> bool:
        return self.open_referral is None and self.duty_to_refer is None

    @property
    def is_release_passed(self) -> bool:
        return self.days_to_release < 0

    @property
    def days_since_release_date(self) -> int:
        return max(-self.days_to_release, 0)


def _open_housing_referral():
    """Correlated scalar: the client's most recent open or accepted housing referral."""
    return (select(Referral.id)
            .where(Referral.client_id == Client.id, Referral.kind == "housing", Referral.status.in_(OPEN_STATUSES))
            .order_by(Referral.referred_on.desc(), Referral.id.desc()).limit(1)
            .correlate(Client).scalar_subquery())


def _last_in_community(day: date):
    """Correlated scalar: the start of the client's latest spell in the community on or before a day."""
    return (select(func.max(CustodyEvent.from_date))
            .where(CustodyEvent.client_id == Client.id, CustodyEvent.status == "community",
                   CustodyEvent.from_date <= day)
            .correlate(Client).scalar_subquery())


def _duty_to_refer(day: date):
    """Correlated scalar: the housing referral carrying the client's current Duty to Refer: one made on
    an open referral, or made on any housing referral since they last left the community."""
    since = func.coalesce(_last_in_community(day), literal(date(1900, 1, 1)))
    return (select(Referral.id)
            .where(Referral.client_id == Client.id, Referral.kind == "housing",
                   Referral.duty_to_refer_made.is_(True),
                   or_(Referral.status.in_(OPEN_STATUSES), Referral.duty_to_refer_on >= since))
            .order_by(Referral.duty_to_refer_on.desc(), Referral.id.desc()).limit(1)
            .correlate(Client).scalar_subquery())


def release_worklist(today: date, days: int = RELEASE_WINDOW_DAYS) -> list[ReleaseRow]:
    """Everyone in custody or on remand today whose expected release is on or before today+days, with
    their open housing referral and Duty to Refer. Those whose release date has passed with no
    release recorded come first (the longest passed first): they stay until a custody change is
    recorded. Then those with neither a referral nor a Duty to Refer, then those with one, each by
    release date. One query."""
    event = aliased(CustodyEvent)
    open_referral = aliased(Referral)
    duty = aliased(Referral)
    open_agency = aliased(Agency)
    current_period_id = period_on(today).label("current_period_id")
    passed = event.expected_release_on < today
    group = case((open_referral.id.is_(None) & duty.id.is_(None), 0),
                 (open_referral.id.is_(None) | duty.id.is_(None), 1), else_=2)
    rows = db.session.execute(
        select(Client, event, open_referral, duty, current_period_id).select_from(Client)
        .join(event, event.id == custody_event_on(today))
        .outerjoin(open_referral, open_referral.id == _open_housing_referral())
        .outerjoin(open_agency, open_agency.id == open_referral.agency_id)
        .outerjoin(duty, duty.id == _duty_to_refer(today))
        .options(contains_eager(open_referral.agency.of_type(open_agency)))
        .where(event.status.in_(IN_CUSTODY),
               event.expected_release_on <= today + timedelta(days=days))
        .order_by(case((passed, 0), else_=1), case((passed, event.expected_release_on)), group,
                  event.expected_release_on, func.lower(Client.family_name), func.lower(Client.given_name),
                  Client.id)
    ).all()
    return [ReleaseRow(client, custody, referral, duty_referral, period_id is not None,
                       (custody.expected_release_on - today).days)
            for client, custody, referral, duty_referral, period_id in rows]
