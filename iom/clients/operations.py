"""Changes to clients, their scheme periods and case notes. Each checks its rule, changes the
rows, writes the audit entry and flushes; the caller commits once."""
import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select, update

from iom import audit
from iom.clients.models import EXIT_REASONS, STRANDS, CaseNote, Client, SchemePeriod
from iom.clock import today_in_london, uk_date
from iom.extensions import db

CLIENT_FIELDS = ("given_name", "family_name", "date_of_birth", "pnc_id", "ward", "programme",
                 "alcohol_related", "risk_level", "offender_manager_id")
REFERENCE_PATTERN = re.compile(r"^IOM-(\d+)$")


class RuleBroken(ValueError):
    """A caseload rule was broken; the message is for the person at the screen."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass
class Conflict:
    """Someone else saved the record after this form was opened."""

    field: str
    yours: object
    saved: object


class StaleEdit(RuleBroken):
    def __init__(self, message: str, conflicts: list[Conflict]):
        super().__init__(message)
        self.conflicts = conflicts


def client_snapshot(client: Client) -> dict:
    return {field: getattr(client, field) for field in CLIENT_FIELDS}


def next_reference() -> str:
    """The next IOM-0001 style reference after the highest one in use."""
    # Longest then highest text first: IOM-10000 sorts after IOM-9999. Imported references that are
    # not numbered (IOM-ABC) are skipped.
    references = db.session.scalars(select(Client.reference).where(Client.reference.like("IOM-%"))
                                    .order_by(func.length(Client.reference).desc(), Client.reference.desc())
                                    .limit(50)).all()
    numbers = [int(match.group(1)) for ref in references if (match := REFERENCE_PATTERN.match(ref))]
    if references and not numbers:  # only unnumbered ones near the top: look at them all
        references = db.session.scalars(select(Client.reference).where(Client.reference.like("IOM-%"))).all()
        numbers = [int(match.group(1)) for ref in references if (match := REFERENCE_PATTERN.match(ref))]
    return f"IOM-{max(numbers, default=0) + 1:04d}"


def _check_pnc_unique(pnc_id: str | None, client_id: int | None = None) -> None:
    if not pnc_id:
        return
    other = db.session.scalar(select(Client.reference).where(Client.pnc_id == pnc_id, Client.id != (client_id or -1)))
    if other:
        raise RuleBroken(f"PNC ID {pnc_id} is already recorded for client {other}", "pnc_id")


def _check_not_future(joined_on: date) -> None:
    if joined_on > today_in_london():
        raise RuleBroken("Date adopted onto the scheme must be today or in the past", "joined_on")


def add_client(details: dict, *, strand: str, joined_on: date, reference: str | None = None) -> Client:
    """Create a client and their first scheme period."""
    _check_not_future(joined_on)
    _check_pnc_unique(details.get("pnc_id"))
    if strand not in STRANDS:
        raise RuleBroken("Select a strand", "strand")
    client = Client(reference=reference or next_reference(), **{k: details.get(k) for k in CLIENT_FIELDS})
    client.programme = client.programme or "other"
    client.alcohol_related = client.alcohol_related or "unknown"
    db.session.add(client)
    db.session.flush()
    period = SchemePeriod(client_id=client.id, strand=strand, joined_on=joined_on)
    db.session.add(period)
    audit.record("client.added", f"Client {client.reference} added and adopted onto the scheme "
                 f"({STRANDS[strand]}) from {uk_date(joined_on)}", subject=client,
                 changes={**{k: [None, v] for k, v in client_snapshot(client).items() if v is not None},
                          "strand": [None, strand], "joined_on": [None, joined_on]})
    return client


def update_client(client: Client, details: dict, *, version) -> dict:
    """Save edited details, refusing if someone else saved since the form was opened."""
    if str(version) != str(client.version):
        saved = client_snapshot(client)
        conflicts = [Conflict(field, details.get(field), saved[field]) for field in CLIENT_FIELDS
                     if field in details and details.get(field) != saved[field]]
        raise StaleEdit(f"{client.full_name}'s details were changed by someone else after you opened this "
                        "page. Your changes have not been saved. Check what is saved now, then save again "
                        "if your changes are still right.", conflicts)
    _check_pnc_unique(details.get("pnc_id"), client.id)
    before = client_snapshot(client)
    for field in CLIENT_FIELDS:
        if field in details:
            setattr(client, field, details[field])
    changes = audit.field_changes(before, client_snapshot(client))
    if changes:
        db.session.flush()  # the version counter guards the UPDATE against a racing save too
        audit.record("client.updated", f"Client {client.reference}: details changed ({', '.join(changes)})",
                     subject=client, changes=changes)
    return changes


def _lock_client(client: Client) -> None:
    """Serialise changes to one client's periods: a row lock on PostgreSQL, the write lock on SQLite.
    Two people adopting the same client at the same moment then cannot both pass the overlap check."""
    table = Client.__table__
    db.session.execute(update(table).where(table.c.id == client.id).values(id=table.c.id))


def _periods(client: Client) -> list[SchemePeriod]:
    return list(db.session.scalars(select(SchemePeriod).where(SchemePeriod.client_id == client.id)
                                   .order_by(SchemePeriod.joined_on)))


def overlapping_period(periods: list[SchemePeriod], joined_on: date, left_on: date | None,
                       ignore_id: int | None = None) -> SchemePeriod | None:
    """The first period that shares a day with [joined_on, left_on] (open-ended when left_on is None)."""
    for period in periods:
        if period.id == ignore_id:
            continue
        starts_before_other_ends = period.left_on is None or joined_on <= period.left_on
        other_starts_before_this_ends = left_on is None or period.joined_on <= left_on
        if starts_before_other_ends and other_starts_before_this_ends:
            return period
    return None


def adopt_client(client: Client, *, strand: str, joined_on: date) -> SchemePeriod:
    """Adopt (or re-adopt) a client onto the scheme from a date."""
    if strand not in STRANDS:
        raise RuleBroken("Select a strand", "strand")
    _check_not_future(joined_on)
    _lock_client(client)
    periods = _periods(client)
    clash = overlapping_period(periods, joined_on, None)
    if clash is not None:
        if clash.left_on is None:
            raise RuleBroken(f"{client.full_name} is already on the scheme (since {uk_date(clash.joined_on)}). "
                             "Record them leaving before adopting them again", "joined_on")
        raise RuleBroken(f"Date adopted must be after {uk_date(clash.left_on)}, when the earlier period on "
                         "the scheme ended", "joined_on")
    period = SchemePeriod(client_id=client.id, strand=strand, joined_on=joined_on)
    db.session.add(period)
    db.session.flush()
    again = " again" if periods else ""
    audit.record("scheme_period.adopted", f"Client {client.reference} adopted onto the scheme{again} "
                 f"({STRANDS[strand]}) from {uk_date(joined_on)}", subject=client,
                 changes={"period": [None, period.id], "strand": [None, strand], "joined_on": [None, joined_on]})
    return period


def leave_scheme(client: Client, period: SchemePeriod, *, left_on: date, exit_reason: str, version) -> None:
    """Record the day a client leaves the scheme (that day still counts as on the scheme)."""
    if str(version) != str(period.version):
        raise StaleEdit("This period on the scheme was changed by someone else after you opened this page. "
                        "Check it below and try again.", [])
    _lock_client(client)
    if period.left_on is not None:
        raise RuleBroken(f"{client.full_name} already left the scheme on {uk_date(period.left_on)}", "left_on")
    if exit_reason not in EXIT_REASONS:
        raise RuleBroken("Select why they left the scheme", "exit_reason")
    if left_on < period.joined_on:
        raise RuleBroken(f"Date they left must be the same as or after the date they joined, "
                         f"{uk_date(period.joined_on)}", "left_on")
    clash = overlapping_period(_periods(client), period.joined_on, left_on, ignore_id=period.id)
    if clash is not None:
        raise RuleBroken("This would overlap another period on the scheme", "left_on")
    period.left_on = left_on
    period.exit_reason = exit_reason
    db.session.flush()
    audit.record("scheme_period.left", f"Client {client.reference} left the scheme on {uk_date(left_on)} "
                 f"({EXIT_REASONS[exit_reason]})", subject=client,
                 changes={"period": [period.id, period.id], "left_on": [None, left_on],
                          "exit_reason": [None, exit_reason]})


def add_case_note(client: Client, author, body: str) -> CaseNote:
    body = (body or "").strip()
    if not body:
        raise RuleBroken("Enter the note", "body")
    if len(body) > 10_000:
        raise RuleBroken("Note must be 10,000 characters or fewer", "body")
    note = CaseNote(client_id=client.id, author_id=author.id, body=body)
    db.session.add(note)
    db.session.flush()
    audit.record("case_note.added", f"Case note added to client {client.reference}", subject=client,
                 changes={"case_note": [None, note.id]})
    return note


def is_reference_taken(reference: str) -> bool:
    return db.session.scalar(select(func.count()).select_from(Client).where(Client.reference == reference)) > 0


def today() -> date:
    return today_in_london()
