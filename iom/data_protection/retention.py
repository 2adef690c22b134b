"""The retention rule: people whose last period on the scheme ended more than RETENTION_YEARS whole years
before today are listed for a manager's review; disposing of one erases their personal data and keeps
only what the published figures count, so every past monthly, yearly and reoffending figure reads the
same, byte for byte.

What is kept, and why (each is counted by a figure): the client row itself and its id (the review pack's
pseudonyms and its data-quality list are keyed by it); scheme periods (strand, dates, reason for
leaving); custody statuses and their days; offences' types, days, outcomes and alcohol involvement;
referrals' kinds, dates, statuses, outcomes and Duty to Refer; payments' amounts, days, purposes,
statuses and results; watch list dates and outcomes; the programme, tier, risk level, alcohol-related
flag and offender manager; case notes' dates (the data-quality check dates the last update from them);
the record's own last-updated time. A date of birth becomes 1 January of its year, or 1 April when it
fell after 31 March: the same age on every 31 March, so the same age band in every year's pack. A
PNC ID and a ward that were recorded become placeholders (the pack counts records without one). AUDIT-C
answers become the split of their total score that fills the first question first (the paper counts
only the total).

People partners watched who never joined the scheme have no client record: a watch list entry closed more
than RETENTION_YEARS before today, and not adopted (an adopted one goes with its client), is listed too.
Disposing of it erases the person's name, date of birth, PNC ID, the reason they were watched and the
closing notes, and the crime references of offences recorded on the entry; its dates, partner agency,
outcome and offences' types and days are kept (the watch list's counts read them)."""
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import case, func, or_, select, update

from iom import audit
from iom.clients.models import AlcoholScreening, CaseNote, Client, SchemePeriod
from iom.clock import today_in_london, uk_date, utcnow
from iom.custody.models import CustodyEvent
from iom.extensions import db
from iom.offending.models import Offence
from iom.payments.models import SupportPayment
from iom.referrals.models import Referral, ReferralStatusChange
from iom.rules import RuleBroken, StaleEdit, check_reason
from iom.watch.models import WatchEntry

ERASED = "[erased]"
DISPOSED_NAMES = ("Disposed", "record")
REASON_LIMIT = 2_000


def years_before(day: date, years: int) -> date:
    """The same day `years` years earlier (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def retention_years() -> int:
    return int(current_app.config["RETENTION_YEARS"])


def cutoff(today: date | None = None, years: int | None = None) -> date:
    """People who left before this day are due: more than the retention years ago."""
    return years_before(today or today_in_london(), years if years is not None else retention_years())


@dataclass
class Due:
    """One person due for review: their record, the day their last period ended and how many periods."""
    client: Client
    last_left_on: date
    periods: int

    @property
    def reference(self) -> str:
        return self.client.reference


def _due_query(before: date):
    last_left = func.max(SchemePeriod.left_on)
    still_on = func.sum(case((SchemePeriod.left_on.is_(None), 1), else_=0))
    return (select(Client, last_left, func.count(SchemePeriod.id))
            .join(SchemePeriod, SchemePeriod.client_id == Client.id)
            .where(Client.disposed_at.is_(None), Client.merged_into_id.is_(None))
            .group_by(Client.id)
            .having(still_on == 0, last_left < before))


def _as_date(value) -> date:
    return date.fromisoformat(value[:10]) if isinstance(value, str) else value


def due_for_review(today: date | None = None, years: int | None = None) -> list[Due]:
    """Everyone due, longest gone first: one query, whatever the length of the list."""
    last_left = func.max(SchemePeriod.left_on)
    rows = db.session.execute(_due_query(cutoff(today, years)).order_by(last_left, Client.reference)).all()
    return [Due(client, _as_date(left_on), periods) for client, left_on, periods in rows]


def due_entry(client: Client, today: date | None = None, years: int | None = None) -> Due | None:
    """This person, when they are due; None when not (still on the scheme, left too recently, disposed)."""
    row = db.session.execute(_due_query(cutoff(today, years)).where(Client.id == client.id)).first()
    return Due(row[0], _as_date(row[1]), row[2]) if row else None


def coarse_birth_date(born: date | None) -> date | None:
    """1 January of the year, or 1 April when the birthday falls after 31 March: the same age on every 31 March
    (the day the review pack takes ages on), and never after the real date."""
    if born is None:
        return None
    return date(born.year, 1, 1) if (born.month, born.day) <= (3, 31) else date(born.year, 4, 1)


def _split_score(first, second, third):
    """The three AUDIT-C answers as the split of their total that fills the first question first (4, 4, then
    the rest): the total, all a figure counts, unchanged; the answers themselves gone."""
    total = first + second + third
    return (case((total >= 4, 4), else_=total),
            case((total >= 8, 4), (total >= 4, total - 4), else_=0),
            case((total >= 8, total - 8), else_=0))


def not_due_message(client: Client, today: date | None = None, years: int | None = None) -> str:
    years = years if years is not None else retention_years()
    if client.is_disposed:
        return f"The record {client.reference} was already disposed of on {uk_date(client.disposed_at)}"
    return (f"{client.reference} is not due for review: they are still on the scheme, or left it "
            f"{years} years ago or less (on or after {uk_date(cutoff(today, years))})")


def dispose(client: Client, *, reason: str | None, version, today: date | None = None,
            years: int | None = None) -> dict[str, int]:
    """Erase the person's personal data under the retention rule, keeping what the figures count, with its
    audit entry (who, why, what was erased). The caller commits. Returns the rows changed, by table."""
    reason = check_reason(reason, "reason", "Enter why this record is being disposed of",
                          "Why it is being disposed of", REASON_LIMIT)
    years = years if years is not None else retention_years()
    due = due_entry(client, today, years)
    if due is None:
        raise RuleBroken(not_due_message(client, today, years))
    if str(version) != str(client.version):
        raise StaleEdit(f"The record {client.reference} was changed by someone else after you opened this page. "
                        "Nothing was erased. Check the record, then dispose of it again if it is still right.", [])
    client_id, old_reference = client.id, client.reference
    watched = select(WatchEntry.id).where(WatchEntry.client_id == client_id).scalar_subquery()
    referrals = select(Referral.id).where(Referral.client_id == client_id).scalar_subquery()
    statements = {
        "case_note": update(CaseNote).where(CaseNote.client_id == client_id).values(body=ERASED),
        "custody_event": update(CustodyEvent).where(CustodyEvent.client_id == client_id)
        .values(establishment=None, expected_release_on=None),
        "offence": update(Offence).where(or_(Offence.client_id == client_id, Offence.watch_entry_id.in_(watched)))
        .values(crime_reference=None, version=Offence.version + 1),
        "referral_status_change": update(ReferralStatusChange)
        .where(ReferralStatusChange.referral_id.in_(referrals)).values(note=None),
        "referral": update(Referral).where(Referral.client_id == client_id)
        .values(need=None, outcome_notes=None, next_action=None, next_action_due_on=None, agency_other=None,
                version=Referral.version + 1),
        "support_payment": update(SupportPayment).where(SupportPayment.client_id == client_id)
        .values(detail=None, decision_note=None, achieved_notes=None, version=SupportPayment.version + 1),
        "alcohol_screening": update(AlcoholScreening).where(AlcoholScreening.client_id == client_id)
        .values(**dict(zip(("drinking_frequency", "typical_units", "heavy_drinking_frequency"), _split_score(
            AlcoholScreening.drinking_frequency, AlcoholScreening.typical_units,
            AlcoholScreening.heavy_drinking_frequency))), version=AlcoholScreening.version + 1),
        "watch_entry": update(WatchEntry).where(WatchEntry.client_id == client_id)
        .values(given_name=DISPOSED_NAMES[0], family_name=DISPOSED_NAMES[1], date_of_birth=None, pnc_id=None,
                reason=ERASED, outcome_notes=None, disposed_at=utcnow(), version=WatchEntry.version + 1),
    }
    erased = {}
    for name, statement in statements.items():
        erased[name] = db.session.execute(statement.execution_options(synchronize_session=False)).rowcount
    # the client row last, guarded by its version; its last-updated time kept (the data-quality check reads it)
    changed = db.session.execute(
        update(Client).where(Client.id == client_id, Client.version == client.version)
        .values(reference=f"DISPOSED-{client_id}", given_name=DISPOSED_NAMES[0], family_name=DISPOSED_NAMES[1],
                match_key="", date_of_birth=coarse_birth_date(client.date_of_birth),
                pnc_id=None if client.pnc_id is None else f"ERASED-{client_id}",
                ward=None if client.ward is None else (ERASED if client.ward.strip() else client.ward),
                disposed_at=utcnow(), updated_at=Client.updated_at, version=Client.version + 1)
        .execution_options(synchronize_session=False)).rowcount
    if changed != 1:
        raise StaleEdit(f"The record {old_reference} was changed by someone else at the same moment. Nothing "
                        "was erased. Check the record, then dispose of it again if it is still right.", [])
    erased = {name: count for name, count in erased.items() if count}
    audit.record("client.disposed", f"Client {old_reference} disposed of under the retention rule: personal "
                 "data erased, the figures' counts kept", subject=("client", client_id),
                 changes={"reference": [old_reference, f"DISPOSED-{client_id}"], "reason": [None, reason],
                          "left_on": [None, due.last_left_on], "retention_years": [None, years],
                          "erased": [None, erased]})
    db.session.expire_all()
    return erased


# --- watch list entries of people who never joined the scheme -------------------------------------------

def _watch_due_query(before: date):
    return (select(WatchEntry)
            .where(WatchEntry.client_id.is_(None), WatchEntry.disposed_at.is_(None),
                   WatchEntry.closed_on.is_not(None), WatchEntry.closed_on < before))


def watch_entries_due(today: date | None = None, years: int | None = None) -> list[WatchEntry]:
    """Closed watch list entries, not adopted, closed before the cutoff; longest closed first: one query."""
    return list(db.session.scalars(_watch_due_query(cutoff(today, years))
                                   .order_by(WatchEntry.closed_on, WatchEntry.id)))


def watch_entry_is_due(entry: WatchEntry, today: date | None = None, years: int | None = None) -> bool:
    return db.session.scalar(_watch_due_query(cutoff(today, years)).with_only_columns(WatchEntry.id)
                             .where(WatchEntry.id == entry.id)) is not None


def watch_not_due_message(entry: WatchEntry, today: date | None = None, years: int | None = None) -> str:
    years = years if years is not None else retention_years()
    if entry.is_disposed:
        return f"Watch list entry {entry.id} was already disposed of on {uk_date(entry.disposed_at)}"
    if entry.client_id is not None:
        return (f"Watch list entry {entry.id} was adopted onto the scheme: it is disposed of with the client's "
                "record, under the client's retention rule")
    return (f"Watch list entry {entry.id} is not due for review: it is still open, or was closed {years} years "
            f"ago or less (on or after {uk_date(cutoff(today, years))})")


def dispose_watch_entry(entry: WatchEntry, *, reason: str | None, version, today: date | None = None,
                        years: int | None = None) -> dict[str, int]:
    """Erase a watch-list-only person's details under the retention rule, keeping the entry's dates, agency
    and outcome, with its audit entry (who, why, what was erased). The caller commits."""
    reason = check_reason(reason, "reason", "Enter why this record is being disposed of",
                          "Why it is being disposed of", REASON_LIMIT)
    years = years if years is not None else retention_years()
    if not watch_entry_is_due(entry, today, years):
        raise RuleBroken(watch_not_due_message(entry, today, years))
    if str(version) != str(entry.version):
        raise StaleEdit(f"Watch list entry {entry.id} was changed by someone else after you opened this page. "
                        "Nothing was erased. Check the entry, then dispose of it again if it is still right.", [])
    entry_id, closed_on = entry.id, entry.closed_on
    offences = db.session.execute(
        update(Offence).where(Offence.watch_entry_id == entry_id)
        .values(crime_reference=None, version=Offence.version + 1)
        .execution_options(synchronize_session=False)).rowcount
    changed = db.session.execute(
        update(WatchEntry).where(WatchEntry.id == entry_id, WatchEntry.version == entry.version)
        .values(given_name=DISPOSED_NAMES[0], family_name=DISPOSED_NAMES[1], date_of_birth=None, pnc_id=None,
                reason=ERASED, outcome_notes=None, disposed_at=utcnow(), version=WatchEntry.version + 1)
        .execution_options(synchronize_session=False)).rowcount
    if changed != 1:
        raise StaleEdit(f"Watch list entry {entry_id} was changed by someone else at the same moment. Nothing "
                        "was erased. Check the entry, then dispose of it again if it is still right.", [])
    erased = {name: count for name, count in (("watch_entry", 1), ("offence", offences)) if count}
    audit.record("watch_entry.disposed", f"Watch list entry {entry_id} disposed of under the retention rule: the "
                 "person's details erased, the entry's dates and outcome kept", subject=("watch_entry", entry_id),
                 changes={"disposal_reason": [None, reason], "closed_on": [None, closed_on],
                          "retention_years": [None, years],
                          "erased": [None, erased]})
    db.session.expire_all()
    return erased
