"""Recording, correcting and removing a client's offences, and the partnership's own cost of crime
per offence type. Each checks its rules (iom.offending.rules), changes the rows, writes one audit
entry and flushes; the caller commits once.

Offences are audited with the client as the subject (so they appear in the client's change
history), the offence's id under "offence" in the changes. Offending sits below the clients area,
so the client is passed in (only its type is imported, for the hints)."""
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from iom import audit
from iom.clock import today_in_london, uk_date
from iom.extensions import db
from iom.money import gbp, money_text
from iom.offending.models import OFFENCE_TYPES, Offence, OffenceUnitCost
from iom.offending.queries import merged_unit_costs
from iom.offending.rules import (check_alcohol_involved, check_crime_reference, check_offence_date,
                                 check_offence_type, check_outcome, check_price_year, check_unit_cost)
from iom.rules import Conflict, RuleBroken, StaleEdit, check_reason

if TYPE_CHECKING:  # offending is beneath the clients area: only the type is needed
    from iom.clients.models import Client

OFFENCE_FIELDS = ("offence_on", "offence_type", "outcome", "crime_reference", "alcohol_involved")
UNIT_COST_FIELDS = ("cost_gbp", "price_year", "source")
REASON_LIMIT = 5_000
SOURCE_LIMIT = 5_000


# --- offences ---------------------------------------------------------------------------------------

def offence_snapshot(offence: Offence) -> dict:
    return {field: getattr(offence, field) for field in OFFENCE_FIELDS}


def _as_entered(details: dict) -> dict:
    """The details as the rules will read them (text trimmed, blanks as None, alcohol blank as not
    known), for comparing with what is saved before any rule is checked."""
    entered = {field: details.get(field) for field in OFFENCE_FIELDS}
    for field, value in entered.items():
        if isinstance(value, str):
            entered[field] = value.strip() or None
    entered["alcohol_involved"] = entered["alcohol_involved"] or "unknown"
    return entered


def check_offence(details: dict, *, date_of_birth: date | None) -> dict:
    """Every rule an offence keeps, in the form's order; the cleaned details."""
    offence_on = details.get("offence_on")
    if offence_on is None:
        raise RuleBroken("Enter the date the offence was committed", "offence_on")
    check_offence_date(offence_on, today=today_in_london(), date_of_birth=date_of_birth)
    return {"offence_on": offence_on,
            "offence_type": check_offence_type(details.get("offence_type")),
            "outcome": check_outcome(details.get("outcome")),
            "crime_reference": check_crime_reference(details.get("crime_reference")),
            "alcohol_involved": check_alcohol_involved(details.get("alcohol_involved"))}


def _describe(offence: Offence | dict) -> str:
    values = offence if isinstance(offence, dict) else offence_snapshot(offence)
    return f"{OFFENCE_TYPES[values['offence_type']].lower()} on {uk_date(values['offence_on'])}"


def _check_belongs(offence: Offence, client: "Client") -> None:
    if offence.client_id != client.id:
        raise RuleBroken(f"This offence is not recorded for {client.reference}")


def record_offence(client: "Client", details: dict, recorded_by=None) -> Offence:
    """Record an offence the client committed (details: offence_on, offence_type, outcome,
    crime_reference, alcohol_involved)."""
    cleaned = check_offence(details, date_of_birth=client.date_of_birth)
    offence = Offence(client_id=client.id, recorded_by_id=recorded_by.id if recorded_by is not None else None,
                      **cleaned)
    db.session.add(offence)
    db.session.flush()
    audit.record("offence.recorded", f"Client {client.reference}: offence recorded ({_describe(cleaned)})",
                 subject=client, changes={"offence": [None, offence.id],
                                          **{field: [None, value] for field, value in cleaned.items()
                                             if value is not None}})
    return offence


def correct_offence(offence: Offence, client: "Client", details: dict, *, version) -> dict:
    """Save a corrected offence, refusing if someone else saved it after this form was opened.
    Returns the changes ({} when nothing changed)."""
    _check_belongs(offence, client)
    saved = offence_snapshot(offence)
    if str(version) != str(offence.version):
        entered = _as_entered(details)
        raise StaleEdit("This offence was changed by someone else after you opened this page. Your changes have "
                        "not been saved. Check what is saved now, then save again if your changes are still right.",
                        [Conflict(field, entered[field], saved[field]) for field in OFFENCE_FIELDS
                         if entered[field] != saved[field]])
    cleaned = check_offence(details, date_of_birth=client.date_of_birth)
    for field, value in cleaned.items():
        setattr(offence, field, value)
    changes = audit.field_changes(saved, offence_snapshot(offence))
    if not changes:
        return changes
    db.session.flush()  # the version counter refuses an UPDATE that races another save (StaleDataError)
    audit.record("offence.corrected", f"Client {client.reference}: offence {offence.id} corrected "
                 f"({', '.join(field.replace('_', ' ') for field in changes)})", subject=client,
                 changes={"offence": [offence.id, offence.id], **changes})
    return changes


def remove_offence(offence: Offence, client: "Client", *, version, reason: str | None) -> None:
    """Remove an offence recorded in error, saying why. The audit entry keeps every value it had."""
    _check_belongs(offence, client)
    if str(version) != str(offence.version):
        raise StaleEdit("This offence was changed by someone else after you opened this page. It has not been "
                        "removed. Check it below, then remove it again if that is still right.", [])
    reason = check_reason(reason, "reason", "Enter why you are removing this offence", "Why you are removing it",
                          REASON_LIMIT)
    kept = {**offence_snapshot(offence), "recorded_at": offence.recorded_at, "recorded_by_id": offence.recorded_by_id}
    offence_id, described = offence.id, _describe(offence)
    db.session.delete(offence)
    db.session.flush()  # the version counter refuses a DELETE that races another save (StaleDataError)
    audit.record("offence.removed", f"Client {client.reference}: offence {offence_id} removed ({described})",
                 subject=client, changes={"offence": [offence_id, None],
                                          **{field: [value, None] for field, value in kept.items()
                                             if value is not None},
                                          "reason": [None, reason]})


# --- the cost of crime per offence type -------------------------------------------------------------

def _figure(offence_type: str, row: OffenceUnitCost | None) -> dict:
    """The figure in force for a type, as the audit trail records it."""
    cost = merged_unit_costs({offence_type: row} if row is not None else {})[offence_type]
    return {"cost_gbp": money_text(cost.cost_gbp), "price_year": cost.price_year, "source": cost.source,
            "is_default": cost.is_default}


def _check_unit_cost_version(offence_type: str, row: OffenceUnitCost | None, version, yours: dict,
                             what: str) -> None:
    """Version 0 means the published figure was in force when the page was opened."""
    if str(version) == str(row.version if row is not None else 0):
        return
    saved = _figure(offence_type, row)
    raise StaleEdit(f"The cost of {OFFENCE_TYPES[offence_type].lower()} was changed by someone else after you "
                    f"opened this page. {what} Check the figure now in force, then try again if yours is still "
                    "right.", [Conflict(field, value, saved[field]) for field, value in yours.items()
                               if value != saved[field]])


def set_unit_cost(offence_type: str, cost_gbp: Decimal, price_year: str, source: str | None, set_by=None,
                  version=0) -> dict:
    """Set the partnership's own cost of one offence of a type, replacing the published figure; `version`
    is the figure's version when the form was opened (0: the published one). Returns the changes."""
    offence_type = check_offence_type(offence_type)
    row = db.session.get(OffenceUnitCost, offence_type)
    _check_unit_cost_version(offence_type, row, version,
                             {"cost_gbp": money_text(cost_gbp) if isinstance(cost_gbp, Decimal) else cost_gbp,
                              "price_year": price_year, "source": source}, "Your figure has not been saved.")
    cost_gbp = check_unit_cost(cost_gbp)
    price_year = check_price_year(price_year)
    source = " ".join((source or "").split()) or None
    if source is None:
        raise RuleBroken("Enter where the figure comes from", "source")
    if len(source) > SOURCE_LIMIT:
        raise RuleBroken(f"Source must be {SOURCE_LIMIT:,} characters or fewer", "source")
    before = _figure(offence_type, row)
    if row is None:
        row = OffenceUnitCost(offence_type=offence_type)
        db.session.add(row)
    row.cost_gbp, row.price_year, row.source = cost_gbp, price_year, source
    row.set_by_id = set_by.id if set_by is not None else None
    changes = audit.field_changes(before, _figure(offence_type, row))
    if not changes:
        db.session.expire(row)  # nothing to save: the same figure again
        return changes
    db.session.flush()  # a row added at the same moment (IntegrityError) or saved (StaleDataError) refuses it
    audit.record("offence_unit_cost.set", f"Cost of crime for {OFFENCE_TYPES[offence_type].lower()} set to "
                 f"{gbp(cost_gbp)} ({price_year} prices)", subject=row, changes=changes)
    return changes


def revert_unit_cost(offence_type: str, version) -> dict:
    """Go back to the published figure for a type. Returns the changes ({} when already published)."""
    offence_type = check_offence_type(offence_type)
    row = db.session.get(OffenceUnitCost, offence_type)
    if row is None:
        return {}
    _check_unit_cost_version(offence_type, row, version, {}, "The published figure has not been restored.")
    before = _figure(offence_type, row)
    db.session.delete(row)
    db.session.flush()
    after = _figure(offence_type, None)
    changes = audit.field_changes(before, after)
    audit.record("offence_unit_cost.reverted", f"Cost of crime for {OFFENCE_TYPES[offence_type].lower()} back to "
                 f"the published figure ({gbp(Decimal(after['cost_gbp']))})",
                 subject=("offence_unit_cost", offence_type), changes=changes)
    return changes
