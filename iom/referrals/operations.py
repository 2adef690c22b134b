"""Making and working referrals, and keeping the list of agencies. Each change checks its rule,
changes the rows, writes the audit entry and flushes; the caller commits once.

Changes to a referral are audited with the client as the subject (so they appear in the
client's change history) and the referral's id under "referral" in the changes."""
from sqlalchemy import func, select

from iom import audit
from iom.clients.models import Client
from iom.clock import today_in_london, uk_date
from iom.extensions import db
from iom.form_fields import database_id
from iom.referrals.models import (CLOSED_STATUSES, DUTY_TO_REFER_OUTCOMES, REFERRAL_KINDS, REFERRAL_OUTCOMES,
                                  REFERRAL_STATUSES, Agency, Referral, ReferralStatusChange, agency_kinds_for)
from iom.referrals.rules import (CLOSED_BEFORE_REFERRED, CLOSED_ON_FUTURE, CLOSED_ON_MISSING, CLOSED_ON_NOT_CLOSED,
                                 closing_problem)
from iom.rules import Conflict, RuleBroken, StaleEdit, check_reason, flush_or_stale

OPEN_STATUSES = tuple(status for status in REFERRAL_STATUSES if status not in CLOSED_STATUSES)
REFERRAL_FIELDS = ("referred_on", "agency_id", "agency_other", "need", "status", "closed_on", "outcome",
                   "outcome_notes", "next_action", "next_action_due_on", "duty_to_refer_made", "duty_to_refer_on",
                   "duty_to_refer_local_authority", "duty_to_refer_outcome")
DUTY_TO_REFER_FIELDS = ("duty_to_refer_made", "duty_to_refer_on", "duty_to_refer_local_authority",
                        "duty_to_refer_outcome")
TEXT_LIMITS = {
    "agency_other": (120, "Name of the agency must be 120 characters or fewer"),
    "need": (5_000, "What they need must be 5,000 characters or fewer"),
    "outcome_notes": (5_000, "Outcome notes must be 5,000 characters or fewer"),
    "next_action": (500, "Next action must be 500 characters or fewer"),
    "duty_to_refer_local_authority": (120, "Local authority must be 120 characters or fewer"),
}
AGENCY_KINDS = {"housing": "Housing", "mental_health": "Mental health", "both": "Housing and mental health",
                "alcohol": "Alcohol services"}


# --- referrals --------------------------------------------------------------------------------

def referral_snapshot(referral: Referral) -> dict:
    return {field: getattr(referral, field) for field in REFERRAL_FIELDS}


def clean_referral(kind: str, details: dict) -> dict:
    """Every field, text trimmed and blanks as None, with what the status and kind make moot
    cleared: an outcome only on a closed referral, the Duty to Refer only on a housing one."""
    cleaned = {}
    for field in REFERRAL_FIELDS:
        value = details.get(field)
        if isinstance(value, str):
            value = value.strip() or None
        cleaned[field] = value
    if cleaned["agency_id"] is not None:
        cleaned["agency_other"] = None
    if cleaned["status"] in OPEN_STATUSES:
        # radios cannot be unticked in a browser: reopening a referral drops its outcome
        cleaned["outcome"] = cleaned["outcome_notes"] = None
    if kind != "housing":
        for field in DUTY_TO_REFER_FIELDS:
            cleaned[field] = None
    elif cleaned["duty_to_refer_made"] is not True:
        for field in DUTY_TO_REFER_FIELDS[1:]:
            cleaned[field] = None
    return cleaned


def referral_problems(kind: str, details: dict, *, current_agency_id: int | None = None,
                      imported: bool = False) -> list[tuple[str, str]]:
    """Every rule the cleaned details break, as (field, message), in the order the form shows them.

    `imported` relaxes what historical rows (referrals.csv) cannot carry: the agency, the need,
    the outcome and the Duty to Refer. The contract's date rules always hold."""
    problems: list[tuple[str, str]] = []
    today = today_in_london()
    referred_on = details.get("referred_on")
    if referred_on is None:
        problems.append(("referred_on", "Enter date referred"))
    elif referred_on > today:
        problems.append(("referred_on", "Date referred must be today or in the past"))

    agency_id = details.get("agency_id")
    if agency_id is not None:
        agency = db.session.get(Agency, agency_id) if database_id(agency_id) else None
        if agency is None:
            problems.append(("agency_id", "Select the agency"))
        elif agency.id != current_agency_id and (not agency.is_active or agency.kind not in agency_kinds_for(kind)):
            problems.append(("agency_id", f"{agency.name} is not in the list of {REFERRAL_KINDS[kind].lower()} agencies. "
                                          "Select another agency, or select Other and enter its name"))
    elif not details.get("agency_other") and not imported:
        problems.append(("agency_id", "Select the agency"))

    for field, (limit, message) in TEXT_LIMITS.items():
        if details.get(field) is not None and len(details[field]) > limit:
            problems.append((field, message))
    if not details.get("need") and not imported:
        problems.append(("need", "Enter what they need"))

    status = details.get("status")
    closed_on = details.get("closed_on")
    if status not in REFERRAL_STATUSES:
        problems.append(("status", "Select the status"))
    elif closing := closing_problem(status, closed_on, referred_on, today=today):
        problems.append(("closed_on", _closing_words(closing, referred_on)))
    if status in CLOSED_STATUSES:
        outcome = details.get("outcome")
        if outcome is None:
            if not imported:
                problems.append(("outcome", "Select the outcome"))
        elif outcome not in REFERRAL_OUTCOMES[kind]:
            problems.append(("outcome", "Select the outcome"))
        elif outcome == "other" and not details.get("outcome_notes") and not imported:
            problems.append(("outcome_notes", "Enter what the outcome was"))

    next_action, due_on = details.get("next_action"), details.get("next_action_due_on")
    if due_on is not None and not next_action:
        problems.append(("next_action", "Enter the next action, or remove its due date"))
    if next_action and due_on is None:
        problems.append(("next_action_due_on", "Enter when the next action is due"))
    elif due_on is not None and referred_on is not None and due_on < referred_on:
        problems.append(("next_action_due_on", "Next action due date must be the same as or after the date "
                                               f"referred, {uk_date(referred_on)}"))

    if kind == "housing":
        made = details.get("duty_to_refer_made")
        if made is None and not imported:
            problems.append(("duty_to_refer_made", "Select whether a Duty to Refer has been made"))
        elif made is True:
            made_on = details.get("duty_to_refer_on")
            if made_on is None:
                problems.append(("duty_to_refer_on", "Enter date of the Duty to Refer"))
            elif made_on > today:
                problems.append(("duty_to_refer_on", "Date of the Duty to Refer must be today or in the past"))
            if not details.get("duty_to_refer_local_authority"):
                problems.append(("duty_to_refer_local_authority", "Enter the local authority it was made to"))
            if details.get("duty_to_refer_outcome") not in DUTY_TO_REFER_OUTCOMES:
                problems.append(("duty_to_refer_outcome",
                                 "Select the local authority's response, or Waiting for a decision"))
    return problems


def _closing_words(problem: str, referred_on) -> str:
    return {
        CLOSED_ON_MISSING: "Enter date closed for a completed, declined or withdrawn referral",
        CLOSED_ON_FUTURE: "Date closed must be today or in the past",
        CLOSED_BEFORE_REFERRED: f"Date closed must be the same as or after the date referred, {uk_date(referred_on)}",
        CLOSED_ON_NOT_CLOSED: "Remove date closed, or select completed, declined or withdrawn to close the referral",
    }[problem]


def _enforce(problems: list[tuple[str, str]]) -> None:
    if problems:
        field, message = problems[0]
        raise RuleBroken(message, field)


def _flush_referral(referral: Referral) -> None:
    """Flush; the version counter refuses an UPDATE that races another save of the same referral."""
    flush_or_stale("This referral was changed by someone else at the same moment. Your changes have not been "
                   "saved. Reload the page to see their changes.")


def make_referral(client: Client, kind: str, details: dict, *, actor=None, imported: bool = False) -> Referral:
    """Record a housing or mental-health referral for a client, with the first step of its history."""
    if kind not in REFERRAL_KINDS:
        raise RuleBroken("Select the kind of referral", "kind")
    details = clean_referral(kind, details)
    _enforce(referral_problems(kind, details, imported=imported))
    referral = Referral(client_id=client.id, kind=kind, created_by_id=actor.id if actor is not None else None,
                        **details)
    db.session.add(referral)
    db.session.flush()
    db.session.add(ReferralStatusChange(
        referral_id=referral.id, from_status=None, to_status=referral.status,
        changed_on=referral.closed_on or referral.referred_on,
        changed_by_id=actor.id if actor is not None else None))
    db.session.flush()
    audit.record("referral.made", f"Client {client.reference}: {REFERRAL_KINDS[kind].lower()} referral {referral.id} "
                 f"made on {uk_date(referral.referred_on)} ({REFERRAL_STATUSES[referral.status].lower()})", subject=client,
                 changes={"referral": [None, referral.id], "kind": [None, kind],
                          **{field: [None, value] for field, value in details.items() if value is not None}})
    return referral


def closed_message(referral: Referral) -> str:
    """Why a closed referral's form refuses to save, in words the person can act on."""
    return (f"This referral was {REFERRAL_STATUSES[referral.status].lower()} on {uk_date(referral.closed_on)}, so it can no "
            "longer be changed. If it was closed by mistake, ask a manager to reopen it")


def update_referral(referral: Referral, client: Client, details: dict, *, version, actor=None) -> dict:
    """Save a changed referral (status, dates, outcome, next action, Duty to Refer), refusing if
    someone else saved it after this form was opened. A change of status adds to its history.
    A completed, declined or withdrawn referral is final: only reopen_referral changes it."""
    details = clean_referral(referral.kind, details)
    saved = referral_snapshot(referral)
    if referral.status in CLOSED_STATUSES:
        raise RuleBroken(closed_message(referral))
    if str(version) != str(referral.version):
        raise StaleEdit("This referral was changed by someone else after you opened this page. Your changes "
                        "have not been saved. Check what is saved now, then save again if your changes are "
                        "still right.",
                        [Conflict(field, details[field], saved[field]) for field in REFERRAL_FIELDS
                         if details[field] != saved[field]])
    _enforce(referral_problems(referral.kind, details, current_agency_id=referral.agency_id))
    for field, value in details.items():
        setattr(referral, field, value)
    changes = audit.field_changes(saved, referral_snapshot(referral))
    if not changes:
        return changes
    if "status" in changes:
        db.session.add(ReferralStatusChange(
            referral_id=referral.id, from_status=saved["status"], to_status=referral.status,
            changed_on=referral.closed_on if referral.status in CLOSED_STATUSES else today_in_london(),
            changed_by_id=actor.id if actor is not None else None))
    _flush_referral(referral)
    what = (f"{REFERRAL_STATUSES[saved['status']].lower()} to {REFERRAL_STATUSES[referral.status].lower()}" if "status" in changes
            else ", ".join(changes))
    audit.record("referral.updated", f"Client {client.reference}: {REFERRAL_KINDS[referral.kind].lower()} referral "
                 f"{referral.id} changed ({what})", subject=client,
                 changes={"referral": [referral.id, referral.id], **changes})
    return changes


REOPEN_REASON_LIMIT = 5_000


def reopen_referral(referral: Referral, client: Client, reason: str | None, *, version, actor) -> None:
    """A manager reopens a completed, declined or withdrawn referral, saying why: it returns to open,
    with no date closed and no outcome (the old ones stay in the audit trail and the history)."""
    if referral.status not in CLOSED_STATUSES:
        raise RuleBroken(f"This referral is {REFERRAL_STATUSES[referral.status].lower()}, not closed, so it cannot be "
                         "reopened")
    if str(version) != str(referral.version):
        raise StaleEdit("This referral was changed by someone else after you opened this page. It has not been "
                        "reopened. Check what is saved now, then reopen it again if that is still right.", [])
    reason = check_reason(reason, "reason", "Enter why you are reopening this referral", "Why you are reopening it",
                          REOPEN_REASON_LIMIT)
    saved = referral_snapshot(referral)
    referral.status = "open"
    referral.closed_on = referral.outcome = referral.outcome_notes = None
    db.session.add(ReferralStatusChange(
        referral_id=referral.id, from_status=saved["status"], to_status="open", changed_on=today_in_london(),
        changed_by_id=actor.id if actor is not None else None, note=reason))
    _flush_referral(referral)
    audit.record("referral.reopened", f"Client {client.reference}: {REFERRAL_KINDS[referral.kind].lower()} referral "
                 f"{referral.id} reopened ({REFERRAL_STATUSES[saved['status']].lower()} to open)", subject=client,
                 changes={"referral": [referral.id, referral.id],
                          **audit.field_changes(saved, referral_snapshot(referral)), "reason": [None, reason]},
                 actor=actor)


# --- agencies ---------------------------------------------------------------------------------

def _check_agency(name: str | None, kind: str | None, agency_id: int | None = None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise RuleBroken("Enter the agency's name", "name")
    if len(name) > 120:
        raise RuleBroken("Agency name must be 120 characters or fewer", "name")
    if kind not in AGENCY_KINDS:
        raise RuleBroken("Select which referrals the agency takes", "kind")
    clash = db.session.scalar(select(Agency.name).where(func.lower(Agency.name) == name.lower(),
                                                        Agency.id != (agency_id or -1)))
    if clash is not None:
        raise RuleBroken(f"{clash} is already in the list", "name")
    return name


def add_agency(name: str, kind: str) -> Agency:
    """Add an agency that referrals can be made to."""
    name = _check_agency(name, kind)
    agency = Agency(name=name, kind=kind, is_active=True)
    db.session.add(agency)
    db.session.flush()
    audit.record("agency.added", f"Agency {agency.id} added: {name} ({AGENCY_KINDS[kind].lower()})", subject=agency,
                 changes={"name": [None, name], "kind": [None, kind], "is_active": [None, True]})
    return agency


def update_agency(agency: Agency, *, name: str, kind: str, is_active: bool, version) -> dict:
    """Rename an agency, change what it takes, or stop offering it (past referrals keep it)."""
    before = {"name": agency.name, "kind": agency.kind, "is_active": agency.is_active}
    if str(version) != str(agency.version):
        raise StaleEdit(f"{agency.name} was changed by someone else after you opened this page. Your changes "
                        "have not been saved. Check what is saved now, then save again if your changes are "
                        "still right.",
                        [Conflict(field, yours, before[field]) for field, yours in
                         (("name", name), ("kind", kind), ("is_active", is_active)) if yours != before[field]])
    name = _check_agency(name, kind, agency.id)
    agency.name, agency.kind, agency.is_active = name, kind, bool(is_active)
    changes = audit.field_changes(before, {"name": agency.name, "kind": agency.kind, "is_active": agency.is_active})
    if changes:
        flush_or_stale(f"{before['name']} was changed by someone else at the same moment. Your changes have "
                       "not been saved. Reload the page to see their changes.")
        audit.record("agency.updated", f"Agency {agency.id} changed ({', '.join(changes)})", subject=agency,
                     changes=changes)
    return changes
