"""Changes to clients, their scheme periods, case notes and AUDIT-C screenings. Each checks its rule, changes the
rows, writes the audit entry and flushes; the caller commits once."""
import re
from collections.abc import Iterable
from datetime import date

from sqlalchemy import func, select, update

from iom import audit
from iom.clients import queries
from iom.clients.models import (AUDIT_C_HIGHEST, AUDIT_C_LOWEST, AUDIT_C_POSITIVE, AUDIT_C_QUESTIONS, COHORT_TIERS,
                                EXIT_REASONS, STRANDS, AlcoholScreening, CaseNote, Client, DistinctPeople, SchemePeriod)
from iom.clients.rules import (audit_c_answer_problem, exit_reason_problem, left_before_joined, periods_overlap,
                               screening_date_problem)
from iom.clock import today_in_london, uk_date
from iom.custody.models import CustodyEvent
from iom.extensions import db
from iom.rules import Conflict, RuleBroken, StaleEdit

CLIENT_FIELDS = ("given_name", "family_name", "date_of_birth", "pnc_id", "ward", "programme",
                 "alcohol_related", "risk_level", "tier", "offender_manager_id")
REFERENCE_PATTERN = re.compile(r"^IOM-(\d+)$")


class PossibleDuplicate(RuleBroken):
    """The person may already be a client. `is_certain` when the PNC ID is already recorded: that
    can never be saved; otherwise the user may confirm these are different people."""

    def __init__(self, message: str, field: str, clients: list[Client], *, is_certain: bool):
        super().__init__(message, field)
        self.clients = clients
        self.is_certain = is_certain


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


def _check_tier(details: dict) -> None:
    if details.get("tier") not in (None, *COHORT_TIERS):
        raise RuleBroken("Select the cohort tier: fixed, flex or free, or not set", "tier")


def _check_not_future(joined_on: date) -> None:
    if joined_on > today_in_london():
        raise RuleBroken("Date adopted onto the scheme must be today or in the past", "joined_on")


def _check_new_person(details: dict, different_from: Iterable[int]) -> list[Client]:
    """Refuse a person who is already a client; returns the same-name records the user said are
    other people."""
    pnc_owner, same = queries.same_person(details.get("given_name"), details.get("family_name"),
                                          details.get("date_of_birth"), details.get("pnc_id"))
    if pnc_owner is not None:
        raise PossibleDuplicate(f"PNC ID {pnc_owner.pnc_id} is already recorded for client {pnc_owner.reference}. "
                                "A PNC ID belongs to one person, so this person is already a client: open their "
                                "record instead of adding them again", "pnc_id", [pnc_owner], is_certain=True)
    confirmed = set(different_from)
    if any(client.id not in confirmed for client in same):
        records = ", ".join(client.reference for client in same)
        noun = "client" if len(same) == 1 else "clients"
        raise PossibleDuplicate(f"This person may already be {noun} {records}: same name and date of birth. "
                                "Check the record before you add them. If this is someone else, select "
                                "‘These are different people’ and add the client again",
                                "different_people", same, is_certain=False)
    return same


def add_client(details: dict, *, strand: str, joined_on: date, reference: str | None = None,
               different_from: Iterable[int] = ()) -> Client:
    """Create a client and their first scheme period. A person already recorded (same PNC ID, or
    same name and date of birth) is refused, unless the user confirmed those records are other
    people (`different_from`: their ids)."""
    _check_not_future(joined_on)
    if strand not in STRANDS:
        raise RuleBroken("Select a strand", "strand")
    _check_tier(details)
    others = _check_new_person(details, different_from)
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
                          "strand": [None, strand], "joined_on": [None, joined_on],
                          **({"confirmed_different_from": [None, [c.reference for c in others]]} if others else {})})
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
    _check_tier(details)
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
        if periods_overlap(joined_on, left_on, period.joined_on, period.left_on):
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
    if exit_reason_problem(exit_reason, has_left=True):
        raise RuleBroken("Select why they left the scheme", "exit_reason")
    if left_before_joined(period.joined_on, left_on):
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


# --- duplicate records ---------------------------------------------------------------------------

FILLED_FROM_DUPLICATE = ("date_of_birth", "pnc_id", "ward", "risk_level", "tier", "offender_manager_id")


def _span(period: SchemePeriod) -> str:
    ends = f"to {uk_date(period.left_on)}" if period.left_on else "with no leaving date"
    return f"{uk_date(period.joined_on)} {ends}"


def _check_mergeable(kept: Client, duplicate: Client) -> None:
    if kept.id == duplicate.id:
        raise RuleBroken("Choose two different records: a record cannot be merged with itself", "keep")
    for client in (kept, duplicate):
        if client.merged_into_id is not None:
            raise RuleBroken(f"{client.reference} has already been merged into another record", "keep")
    if kept.pnc_id and duplicate.pnc_id and kept.pnc_id != duplicate.pnc_id:
        raise RuleBroken(f"{kept.reference} has PNC ID {kept.pnc_id} and {duplicate.reference} has PNC ID "
                         f"{duplicate.pnc_id}. A PNC ID belongs to one person, so these are two people and "
                         "cannot be merged", "keep")
    kept_periods = _periods(kept)
    clashes = [f"{duplicate.reference} from {_span(period)} overlaps {kept.reference} from {_span(clash)}"
               for period in _periods(duplicate)
               if (clash := overlapping_period(kept_periods, period.joined_on, period.left_on)) is not None]
    if clashes:
        raise RuleBroken("These records cannot be merged because their periods on the scheme overlap ("
                         + "; ".join(clashes) + "). One person can only be on the scheme once at a time: record "
                         "the duplicate record leaving the scheme the day before the other period starts, then "
                         "merge them", "keep")
    same_days = db.session.scalars(
        select(CustodyEvent.from_date).where(CustodyEvent.client_id == kept.id)
        .intersect(select(CustodyEvent.from_date).where(CustodyEvent.client_id == duplicate.id))).all()
    if same_days:
        days = ", ".join(uk_date(day) for day in sorted(same_days))
        raise RuleBroken(f"These records cannot be merged because both have a custody change recorded on {days}. "
                         "Only one custody change can be recorded for a person on a day: ask an administrator to "
                         "correct the custody history of one record, then merge them", "keep")


def merge_clients(kept: Client, duplicate: Client) -> dict[str, int]:
    """Move everything of the duplicate record to the kept one; the duplicate's reference then leads
    to the kept record. Returns the rows moved, by table."""
    _check_mergeable(kept, duplicate)
    for client in sorted((kept, duplicate), key=lambda c: c.id):  # one order, so two merges cannot deadlock
        _lock_client(client)
    moved: dict[str, int] = {}
    for column in queries.client_foreign_keys():
        result = db.session.execute(update(column.table).where(column == duplicate.id).values({column: kept.id}))
        if result.rowcount:
            moved[column.table.name] = moved.get(column.table.name, 0) + result.rowcount
    # earlier merges into the duplicate now lead straight to the kept record
    db.session.execute(update(Client).where(Client.merged_into_id == duplicate.id)
                       .values(merged_into_id=kept.id).execution_options(synchronize_session=False))
    before = client_snapshot(kept)
    filled = {field: getattr(duplicate, field) for field in FILLED_FROM_DUPLICATE
              if getattr(kept, field) is None and getattr(duplicate, field) is not None}
    if kept.alcohol_related == "unknown" and duplicate.alcohol_related != "unknown":
        filled["alcohol_related"] = duplicate.alcohol_related
    if "pnc_id" in filled:
        duplicate.pnc_id = None  # one PNC ID, one record
        db.session.flush()
    for field, value in filled.items():
        setattr(kept, field, value)
    duplicate.merged_into_id = kept.id
    db.session.flush()
    db.session.expire_all()  # the moved rows were changed behind the ORM's back
    summary = ", ".join(f"{count} {table.replace('_', ' ')}" for table, count in sorted(moved.items())) or "nothing"
    audit.record("client.merged", f"Client {duplicate.reference} merged into client {kept.reference} "
                 f"(moved: {summary})", subject=kept,
                 changes={"merged_from": [duplicate.reference, None], "merged_into": [None, kept.reference],
                          "moved": [None, moved], **audit.field_changes(before, {**before, **filled})})
    return moved


def mark_different_people(first: Client, second: Client, actor) -> None:
    """Record that two records with the same name and date of birth are two people."""
    if first.id == second.id:
        raise RuleBroken("Choose two different records", "first")
    low, high = sorted((first, second), key=lambda c: c.id)
    if db.session.scalar(select(DistinctPeople.id).where(DistinctPeople.first_client_id == low.id,
                                                         DistinctPeople.second_client_id == high.id)):
        return
    db.session.add(DistinctPeople(first_client_id=low.id, second_client_id=high.id, marked_by_id=actor.id))
    db.session.flush()
    audit.record("client.different_people", f"Clients {low.reference} and {high.reference} marked as not the "
                 "same person", subject=low, changes={"different_from": [None, high.reference]})


def record_client_viewed(client: Client, page: str | None = None) -> None:
    """Audit a page that shows the person. One action for every such page (the client page, each
    form about them), so "who looked at this person" is one filter; the summary names the page."""
    where = f" ({page})" if page else ""
    audit.record("client.viewed", f"Viewed client {client.reference}{where}", subject=client)


# --- AUDIT-C screenings (health data: officers and managers only) -----------------------------------

SCREENING_FIELDS = ("screened_on", *AUDIT_C_QUESTIONS)


def screening_snapshot(screening: AlcoholScreening) -> dict:
    return {field: getattr(screening, field) for field in SCREENING_FIELDS}


def _answer_words(question: str, problem: str) -> str:
    number = list(AUDIT_C_QUESTIONS).index(question) + 1
    if problem == "missing":
        return f"Select an answer to question {number}: {AUDIT_C_QUESTIONS[question][0]}"
    return (f"The answer to question {number} must be one of its five answers, scored {AUDIT_C_LOWEST} to "
            f"{AUDIT_C_HIGHEST}")


def check_screening(details: dict, *, date_of_birth: date | None) -> dict:
    """Every rule an AUDIT-C screening keeps, in the form's order; the cleaned details (answers as ints)."""
    screened_on = details.get("screened_on")
    problem = screening_date_problem(screened_on, today=today_in_london(), date_of_birth=date_of_birth)
    if problem == "missing":
        raise RuleBroken("Enter the date of the screening", "screened_on")
    if problem == "future":
        raise RuleBroken("Date of the screening must be today or in the past", "screened_on")
    if problem == "before_birth":
        raise RuleBroken(f"Date of the screening must be on or after their date of birth ({uk_date(date_of_birth)})",
                         "screened_on")
    cleaned = {"screened_on": screened_on}
    for question in AUDIT_C_QUESTIONS:
        value = details.get(question)
        if problem := audit_c_answer_problem(value):
            raise RuleBroken(_answer_words(question, problem), question)
        cleaned[question] = int(value)
    return cleaned


def _score_words(values: dict) -> str:
    score = sum(values[question] for question in AUDIT_C_QUESTIONS)
    return f"score {score} of 12, {'positive' if score >= AUDIT_C_POSITIVE else 'negative'}"


def record_alcohol_screening(client: Client, details: dict, recorded_by=None) -> AlcoholScreening:
    """Record an AUDIT-C screening of the client (details: screened_on and the three answers, 0 to 4)."""
    cleaned = check_screening(details, date_of_birth=client.date_of_birth)
    screening = AlcoholScreening(client_id=client.id, recorded_by_id=recorded_by.id if recorded_by else None,
                                 **cleaned)
    db.session.add(screening)
    db.session.flush()
    audit.record("alcohol_screening.recorded", f"Client {client.reference}: AUDIT-C screening recorded "
                 f"({uk_date(cleaned['screened_on'])}, {_score_words(cleaned)})", subject=client,
                 changes={"alcohol_screening": [None, screening.id],
                          **{field: [None, value] for field, value in cleaned.items()},
                          "score": [None, screening.score]})
    return screening


def correct_alcohol_screening(screening: AlcoholScreening, client: Client, details: dict, *, version) -> dict:
    """Save a corrected screening, refusing if someone else saved it after this form was opened.
    Returns the changes ({} when nothing changed)."""
    if screening.client_id != client.id:
        raise RuleBroken(f"This screening is not recorded for {client.reference}")
    saved = screening_snapshot(screening)
    if str(version) != str(screening.version):
        entered = {field: details.get(field) for field in SCREENING_FIELDS}
        for question in AUDIT_C_QUESTIONS:
            if audit_c_answer_problem(entered[question]) is None:
                entered[question] = int(entered[question])
        raise StaleEdit("This screening was changed by someone else after you opened this page. Your changes have "
                        "not been saved. Check what is saved now, then save again if your changes are still right.",
                        [Conflict(field, entered[field], saved[field]) for field in SCREENING_FIELDS
                         if entered[field] != saved[field]])
    cleaned = check_screening(details, date_of_birth=client.date_of_birth)
    score_before = screening.score
    for field, value in cleaned.items():
        setattr(screening, field, value)
    changes = audit.field_changes(saved, screening_snapshot(screening))
    if not changes:
        return changes
    if screening.score != score_before:
        changes["score"] = [score_before, screening.score]
    db.session.flush()  # the version counter refuses an UPDATE that races another save (StaleDataError)
    audit.record("alcohol_screening.corrected", f"Client {client.reference}: AUDIT-C screening {screening.id} "
                 f"corrected ({_score_words(cleaned)})", subject=client,
                 changes={"alcohol_screening": [screening.id, screening.id], **changes})
    return changes
