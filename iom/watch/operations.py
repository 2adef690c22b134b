"""Changes to the watch list. Each checks its rule, changes the row, writes the audit entry and
flushes; the caller commits once."""
from datetime import date

from sqlalchemy import select

from iom import audit
from iom.clients.models import Client
from iom.clock import today_in_london, uk_date
from iom.extensions import db
from iom.form_fields import normalise_pnc_id, pnc_id_problem
from iom.rules import Conflict, RuleBroken, StaleEdit, flush_or_stale
from iom.watch.models import WATCH_OUTCOMES, WatchEntry

ENTRY_FIELDS = ("given_name", "family_name", "date_of_birth", "pnc_id", "partner_agency", "reason",
                "added_on", "next_review_on")
REQUIRED = {
    "given_name": "Enter their given name",
    "family_name": "Enter their family name",
    "partner_agency": "Enter the partner agency dealing with them",
    "reason": "Enter why they are on the watch list",
}
CLOSING_OUTCOMES = {value: label for value, label in WATCH_OUTCOMES.items() if value != "adopted"}
NOTES_LIMIT = 5_000


def entry_snapshot(entry: WatchEntry) -> dict:
    return {field: getattr(entry, field) for field in ENTRY_FIELDS}


def _clean(details: dict) -> dict:
    """The details with text trimmed and blanks as None, so rules and the audit see one form."""
    cleaned = {}
    for field in ENTRY_FIELDS:
        if field not in details:
            continue
        value = details[field]
        if isinstance(value, str):
            value = value.strip() or None
        cleaned[field] = value
    if "pnc_id" in cleaned:
        cleaned["pnc_id"] = normalise_pnc_id(cleaned["pnc_id"])
    return cleaned


def _check_details(details: dict, entry_id: int | None = None) -> None:
    """The rules a watch list entry's details must keep, whoever sends them (form, CLI, import)."""
    for field, message in REQUIRED.items():
        if not details.get(field):
            raise RuleBroken(message, field)
    today = today_in_london()
    added_on = details.get("added_on")
    if added_on is None:
        raise RuleBroken("Enter date added to the watch list", "added_on")
    if added_on > today:
        raise RuleBroken("Date added to the watch list must be today or in the past", "added_on")
    date_of_birth = details.get("date_of_birth")
    if date_of_birth is not None and date_of_birth >= today:
        raise RuleBroken("Date of birth must be in the past", "date_of_birth")
    next_review_on = details.get("next_review_on")
    if next_review_on is not None and next_review_on < added_on:
        raise RuleBroken(f"Next review date must be the same as or after the date added, {uk_date(added_on)}",
                         "next_review_on")
    pnc_id = details.get("pnc_id")
    problem = pnc_id_problem(pnc_id)
    if problem:
        raise RuleBroken(problem, "pnc_id")
    if pnc_id:
        # one open entry a person: a second would split their reviews between two records
        other = db.session.scalar(select(WatchEntry.id).where(
            WatchEntry.pnc_id == pnc_id, WatchEntry.outcome.is_(None), WatchEntry.id != (entry_id or -1)))
        if other is not None:
            raise RuleBroken(f"PNC ID {pnc_id} is already on the watch list (entry {other}). "
                             "Update that entry instead", "pnc_id")


def _flush(entry: WatchEntry) -> None:
    """Flush; the version counter refuses an UPDATE that races another save of the same entry."""
    flush_or_stale(f"The watch list entry for {entry.full_name} was changed by someone else at the same moment. "
                   "Your changes have not been saved. Check what is saved now, then try again if your changes "
                   "are still right.")


def entry_conflicts(entry: WatchEntry, details: dict) -> list[Conflict]:
    """Each field where these (form) details differ from what the entry holds now."""
    details = _clean(details)
    saved = entry_snapshot(entry)
    return [Conflict(field, details[field], saved[field]) for field in ENTRY_FIELDS
            if field in details and details[field] != saved[field]]


def _check_version(entry: WatchEntry, version, conflicts: list[Conflict], what: str) -> None:
    if str(version) != str(entry.version):
        raise StaleEdit(f"The watch list entry for {entry.full_name} was changed by someone else after you "
                        f"opened this page. {what} Check what is saved now, then try again if your "
                        "changes are still right.", conflicts)


def _check_open(entry: WatchEntry) -> None:
    if not entry.is_open:
        raise RuleBroken(f"This watch list entry was closed on {uk_date(entry.closed_on)} "
                         f"({WATCH_OUTCOMES[entry.outcome].lower()}), so it can no longer be changed")


def add_watch_entry(details: dict) -> WatchEntry:
    """Put someone on the watch list."""
    details = _clean(details)
    _check_details(details)
    entry = WatchEntry(**{field: details.get(field) for field in ENTRY_FIELDS})
    db.session.add(entry)
    db.session.flush()
    audit.record("watch_entry.added", f"Watch list entry {entry.id} added (from {entry.partner_agency})",
                 subject=entry,
                 changes={field: [None, value] for field, value in entry_snapshot(entry).items() if value is not None})
    return entry


def update_watch_entry(entry: WatchEntry, details: dict, *, version) -> dict:
    """Save edited details, refusing if someone else saved since the form was opened."""
    _check_open(entry)
    details = _clean(details)
    saved = entry_snapshot(entry)
    _check_version(entry, version, entry_conflicts(entry, details), "Your changes have not been saved.")
    _check_details({**saved, **details}, entry.id)
    for field, value in details.items():
        setattr(entry, field, value)
    changes = audit.field_changes(saved, entry_snapshot(entry))
    if changes:
        _flush(entry)
        audit.record("watch_entry.updated", f"Watch list entry {entry.id}: details changed ({', '.join(changes)})",
                     subject=entry, changes=changes)
    return changes


def record_review(entry: WatchEntry, next_review_on: date, notes: str | None, *, version) -> None:
    """Record that the entry was reviewed today and when to review it next; the notes live in the audit trail."""
    _check_open(entry)
    _check_version(entry, version, [], "The review has not been recorded.")
    if next_review_on is None:
        raise RuleBroken("Enter next review date", "next_review_on")
    today = today_in_london()
    if next_review_on <= today:
        raise RuleBroken("Next review date must be in the future", "next_review_on")
    notes = (notes or "").strip() or None
    if notes is not None and len(notes) > NOTES_LIMIT:
        raise RuleBroken("Notes must be 5,000 characters or fewer", "notes")
    previous = entry.next_review_on
    entry.next_review_on = next_review_on
    _flush(entry)
    audit.record("watch_entry.reviewed", f"Watch list entry {entry.id} reviewed on {uk_date(today)}; next review "
                 f"{uk_date(next_review_on)}", subject=entry,
                 changes={"next_review_on": [previous, next_review_on], "reviewed_on": [None, today],
                          **({"review_notes": [None, notes]} if notes else {})})


def close_watch_entry(entry: WatchEntry, outcome: str, closed_on: date, notes: str | None, *, version) -> None:
    """Close an entry with an outcome other than adoption (adoption closes it through mark_adopted)."""
    _check_open(entry)
    _check_version(entry, version, [], "The entry has not been closed.")
    if outcome == "adopted":
        raise RuleBroken("To adopt them onto the scheme, select Adopt onto the scheme", "outcome")
    if outcome not in CLOSING_OUTCOMES:
        raise RuleBroken("Select the outcome", "outcome")
    if closed_on is None:
        raise RuleBroken("Enter date closed", "closed_on")
    if closed_on > today_in_london():
        raise RuleBroken("Date closed must be today or in the past", "closed_on")
    if closed_on < entry.added_on:
        raise RuleBroken(f"Date closed must be the same as or after the date they were added to the watch list, "
                         f"{uk_date(entry.added_on)}", "closed_on")
    notes = (notes or "").strip() or None
    if outcome == "other" and notes is None:
        raise RuleBroken("Enter what the outcome was", "notes")
    if notes is not None and len(notes) > NOTES_LIMIT:
        raise RuleBroken("Notes must be 5,000 characters or fewer", "notes")
    entry.outcome = outcome
    entry.closed_on = closed_on
    entry.outcome_notes = notes
    _flush(entry)
    audit.record("watch_entry.closed", f"Watch list entry {entry.id} closed on {uk_date(closed_on)} "
                 f"({WATCH_OUTCOMES[outcome].lower()})", subject=entry,
                 changes={"outcome": [None, outcome], "closed_on": [None, closed_on],
                          **({"outcome_notes": [None, notes]} if notes else {})})


def get_open_entry(entry_id: int) -> WatchEntry | None:
    """The entry if it is still open; None when there is no such entry or it is closed."""
    entry = db.session.get(WatchEntry, entry_id)
    return entry if entry is not None and entry.is_open else None


def mark_adopted(entry: WatchEntry, client: Client) -> None:
    """Close the entry because the person was adopted onto the scheme as this client."""
    _check_open(entry)
    entry.outcome = "adopted"
    entry.closed_on = today_in_london()
    entry.client_id = client.id
    _flush(entry)
    audit.record("watch_entry.adopted", f"Watch list entry {entry.id} closed: adopted onto the scheme as client "
                 f"{client.reference}", subject=entry,
                 changes={"outcome": [None, "adopted"], "closed_on": [None, entry.closed_on],
                          "client_id": [None, client.id]})
