"""The audit trail in words: each entry's action, fields, values, record and person as the rest of
the service names them ("Signed in", "Strand: Prevent and deter → Catch and convict", "Client
IOM-0001", "J Smith"), and the filters of a list that was viewed as a sentence.

The entries are the record and never change; only how they read does. Labels are keyed by the
action's and the field's name, so an area's entries read in words as soon as it writes them. The
words for coded values (strands, statuses, offence types) are the areas' own dicts, given by the app
factory (`init_app`): the audit trail sits below the areas that own them. People, clients and
agencies named by number are looked up in one query for a whole page (`describe`)."""
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation

from flask import Flask, current_app
from sqlalchemy import literal, union_all

from iom.clock import parse_date_text, uk_date, uk_datetime
from iom.extensions import db
from iom.money import gbp

# --- actions ------------------------------------------------------------------------------------
# Every action the code records has a label here (tests/audit/test_wording.py finds them all in the
# source and fails on one without). Offence actions are here ahead of the pages that write them.
ACTIONS = {
    # signing in and accounts
    "sign_in.succeeded": "Signed in",
    "sign_in.failed": "Sign-in failed",
    "sign_in.refused_locked": "Sign-in refused: account locked",
    "sign_in.refused_throttled": "Sign-in refused: too many failed sign-ins",
    "sign_in.password_accepted": "Password accepted; second factor next",
    "sign_in.second_factor_passed": "Second factor given at sign-in",
    "sign_in.second_factor_failed": "Second factor refused at sign-in",
    "step_up.required": "Asked for the code again before a download",
    "step_up.second_factor_passed": "Code given again before a download",
    "step_up.second_factor_failed": "Code refused before a download",
    "step_up.refused_throttled": "Code refused: too many failed sign-ins",
    "second_factor.set_up": "Second factor set up",
    "second_factor.reset": "Second factor reset by an administrator",
    "sign_out": "Signed out",
    "setup.link_issued": "First set-up link issued",
    "account.created": "Account created",
    "account.role_changed": "Role changed",
    "account.deactivated": "Account deactivated",
    "account.reactivated": "Account reactivated",
    "account.password_reset": "Password reset by an administrator",
    "account.password_changed": "Password changed",
    "access.denied": "Refused access to a page",
    "audit.viewed": "Viewed the audit trail",
    "audit.exported": "Downloaded the audit trail",
    "audit.checkpoint_taken": "Audit trail checkpoint taken",
    "audit.verify_failed": "Audit trail check failed",
    "database.service_role_granted": "Database role for the service granted its rights",
    "database.backed_up": "Database backed up",
    "database.restored": "Database restored from a backup",
    # the caseload
    "clients.listed": "Viewed the caseload",
    "clients.duplicates_listed": "Viewed the possible duplicates",
    "client.viewed": "Viewed the client's record",
    "client.not_found": "Asked for a client that does not exist",
    "client.added": "Client added and adopted onto the scheme",
    "client.disposed": "Client's record disposed of under the retention rule",
    "watch_entry.disposed": "Watch list entry disposed of under the retention rule",
    "watch_entry.subject_access_exported": "Downloaded a watch list entry's subject access export",
    "client.subject_access_exported": "Subject access export downloaded",
    "retention.listed": "Viewed the retention review list",
    "client.updated": "Details changed",
    "client.duplicate_warned": "Warned of a possible duplicate",
    "client.merged": "Records merged",
    "client.different_people": "Marked as not the same person",
    "scheme_period.adopted": "Adopted onto the scheme",
    "scheme_period.left": "Left the scheme",
    "case_note.added": "Case note added",
    "custody.recorded": "Custody change recorded",
    # offences and the cost of crime
    "offence.recorded": "Offence recorded",
    "offence.corrected": "Offence corrected",
    "offence.removed": "Offence removed (recorded in error)",
    "offence.not_found": "Asked for an offence that does not exist",
    "offence.viewed": "Viewed an offence",
    "offence_unit_cost.set": "Cost of crime set",
    "offence_unit_cost.reverted": "Cost of crime back to the published figure",
    "offence_unit_costs.viewed": "Viewed the cost of crime",
    "scheme_cost.set": "Scheme costs set",
    "reoffending.viewed": "Viewed offending before and after adoption",
    "reoffending.exported": "Downloaded offending before and after adoption",
    "reoffending.checked": "Offending before and after adoption, from the command line",
    "offence.moved_from_watch_list": "Offences moved from the watch list on adoption",
    "score_settings.changed": "Adoption scoring changed",
    # the watch list
    "watch.listed": "Viewed the watch list",
    "watch_entry.viewed": "Viewed a watch list entry",
    "watch_entry.not_found": "Asked for a watch list entry that does not exist",
    "watch_entry.added": "Added to the watch list",
    "watch_entry.updated": "Watch list details changed",
    "watch_entry.reviewed": "Watch list entry reviewed",
    "watch_entry.closed": "Watch list entry closed",
    "watch_entry.adopted": "Adopted from the watch list",
    "watch_entry.offence_recorded": "Offence reported for someone on the watch list",
    # referrals
    "referral.made": "Referral made",
    "referral.updated": "Referral changed",
    "referral.reopened": "Referral reopened",
    "referral.viewed": "Viewed a referral",
    "referral.not_found": "Asked for a referral that does not exist",
    "referrals.queue_listed": "Viewed the open housing referrals",
    "referrals.releases_listed": "Viewed the release worklist",
    "agency.added": "Agency added",
    "agency.updated": "Agency changed",
    # support payments
    "payment.requested": "Support payment requested",
    "payment.approved": "Support payment approved",
    "payment.rejected": "Support payment rejected",
    "payment.achievement_recorded": "What a support payment achieved recorded",
    "payment.viewed": "Viewed a support payment",
    "payment.not_found": "Asked for a support payment that does not exist",
    "payments.ledger_viewed": "Viewed the support payments ledger",
    "payments.approvals_viewed": "Viewed the payments waiting for approval",
    "budget.set": "Support budget set",
    "budgets.viewed": "Viewed the support budgets",
    # monthly figures
    "figures.viewed": "Viewed the monthly figures",
    "figures.month_viewed": "Viewed a month's figures",
    "figures.exported": "Downloaded the monthly figures",
    "figures.checked": "Monthly check from the command line",
    "sac_count.recorded": "Serious acquisitive crime count recorded",
    "sac_count.corrected": "Serious acquisitive crime count corrected",
    "scheme_rule.set": "Minimum cohort rule set",
    "month.closed": "Month closed",
    # the end-of-year review
    "report.viewed": "Viewed the end-of-year review",
    "report.downloaded": "Downloaded the end-of-year review",
    "report.exported": "End-of-year review written from the command line",
    "report.pseudonym_looked_up": "Looked up a pseudonym",
    "self_assessment.answered": "Self-assessment answered",
    "self_assessment_question.added": "Self-assessment question added",
    "self_assessment_question.updated": "Self-assessment question changed",
    "unit_cost.added": "Value-for-money unit cost added",
    "unit_cost.updated": "Value-for-money unit cost changed",
    "vfm_baseline.set": "Value-for-money baseline set",
    "vfm_baseline.removed": "Value-for-money baseline removed",
    # alcohol: AUDIT-C screenings and the discussion paper
    "alcohol_screening.recorded": "AUDIT-C screening recorded",
    "alcohol_screening.corrected": "AUDIT-C screening corrected",
    "alcohol_screening.not_found": "Asked for an AUDIT-C screening that does not exist",
    "alcohol_paper.viewed": "Viewed the alcohol discussion paper",
    "alcohol_paper.downloaded": "Downloaded the alcohol discussion paper",
    "alcohol_paper.drafted": "Alcohol discussion paper: new draft started",
    "alcohol_paper.edited": "Alcohol discussion paper: draft changed",
    "alcohol_paper.published": "Alcohol discussion paper published",
    # the review designed by the outside reviewer
    "review.started": "Review started",
    "review.version_started": "New version of the review started",
    "review.sections_chosen": "Review's sections chosen",
    "review.findings_written": "Review's findings written",
    "review.question_raised": "Question raised in the review",
    "review.question_answered": "Question in the review answered",
    "review.signed_off": "Review signed off",
    # import and export
    "import.checked": "Import files checked",
    "import.refused": "Import files refused",
    "import.cancelled": "Import cancelled",
    "caseload.imported": "Caseload imported",
    "caseload.exported": "Caseload downloaded",
}

# --- fields ---------------------------------------------------------------------------------------
# In the order a change reads (which row it was about first, then as the forms ask).
FIELDS = {
    # rows a change is about
    "period": "Scheme period number",
    "custody_event": "Custody change number",
    "case_note": "Case note number",
    "referral": "Referral number",
    "payment": "Support payment number",
    "offence": "Offence number",
    "alcohol_screening": "AUDIT-C screening number",
    "id": "Number",
    # people
    "given_name": "Given name",
    "family_name": "Family name",
    "date_of_birth": "Date of birth",
    "pnc_id": "PNC ID",
    "ward": "Ward",
    "programme": "Programme",
    "alcohol_related": "Alcohol-related offending",
    "risk_level": "Risk level",
    "offender_manager_id": "Offender manager",
    "tier": "Cohort tier",
    "strand": "Strand",
    "joined_on": "Joined the scheme",
    "left_on": "Left the scheme",
    "exit_reason": "Reason for leaving",
    "confirmed_different_from": "Confirmed as a different person from",
    "possible_duplicates": "Possible duplicates",
    "different_from": "Not the same person as",
    "merged_from": "Merged from",
    "merged_into": "Merged into",
    "moved": "Records moved",
    "pairs": "Pairs shown",
    "reference": "Reference",
    "client": "Client",
    "client_id": "Client",
    # custody
    "status": "Status",
    "from_date": "From",
    "establishment": "Establishment",
    "expected_release_on": "Expected release",
    # offences and the cost of crime
    "offence_on": "Date of the offence",
    "offence_type": "Type of offence",
    "crime_reference": "Crime reference",
    "alcohol_involved": "Alcohol involved",
    "recorded_at": "Recorded",
    "recorded_by_id": "Recorded by",
    "price_year": "Price year",
    "source": "Source",
    "is_default": "Published figure",
    "staff_costs_gbp": "Staff costs",
    "other_costs_gbp": "Other costs",
    "set_by_id": "Set by",
    "offences": "Offences",
    "watch_entry_id": "Watch list entry",
    # the adoption score's settings (each offence type's weight reads by the type's name)
    "recent_days": "Days in the first band",
    "recent_points": "Points in the first band",
    "middle_days": "Days in the second band",
    "middle_points": "Points in the second band",
    "older_days": "Days in the third band",
    "older_points": "Points in the third band",
    "points_per_offence": "Points for each offence",
    "offence_cap": "Most offences counted",
    "points_per_gravity": "Points for each point of gravity",
    "threshold": "Score to consider for adoption",
    "gravity_weights": "Gravity weights",
    # the watch list
    "partner_agency": "Partner agency",
    "reason": "Reason",
    "added_on": "Date added to the watch list",
    "next_review_on": "Next review date",
    "reviewed_on": "Reviewed on",
    "review_notes": "Review notes",
    "outcome_notes": "Outcome notes",
    # referrals and agencies
    "kind": "Kind",
    "referred_on": "Date referred",
    "agency_id": "Agency",
    "agency_other": "Agency (other)",
    "need": "What they need",
    "closed_on": "Date closed",
    "outcome": "Outcome",
    "next_action": "Next action",
    "next_action_due_on": "Next action due",
    "duty_to_refer_made": "Duty to Refer made",
    "duty_to_refer_on": "Date of the Duty to Refer",
    "duty_to_refer_local_authority": "Local authority",
    "duty_to_refer_outcome": "Local authority's response",
    "name": "Name",
    "is_active": "Active",
    "shown": "Rows shown",
    # support payments and budgets
    "amount_gbp": "Amount",
    "paid_on": "Date paid",
    "financial_year": "Financial year",
    "purpose": "Purpose",
    "detail": "Description",
    "decided_by": "Decided by",
    "decision_note": "Decision note",
    "budget_left_gbp": "Left in the budget",
    "achieved": "What it achieved",
    "achieved_notes": "Notes on what it achieved",
    # monthly figures
    "crimes": "Serious acquisitive crimes",
    "minimum": "Minimum cohort",
    "counted_strands": "Strands counted",
    "effective_from": "From",
    "on_scheme": "On the scheme",
    "counted_for_minimum": "Counted for the minimum",
    "in_custody_or_remand": "In custody or on remand",
    "minimum_met": "Minimum met",
    "serious_acquisitive_crimes": "Serious acquisitive crimes",
    # AUDIT-C screenings and the alcohol discussion paper
    "screened_on": "Date of the screening",
    "drinking_frequency": "How often they drink (AUDIT-C question 1)",
    "typical_units": "Units on a typical drinking day (AUDIT-C question 2)",
    "heavy_drinking_frequency": "How often 6 or 8 units or more on one occasion (AUDIT-C question 3)",
    "score": "AUDIT-C score (of 12)",
    "paper_version": "Version of the paper",
    "introduction": "Introduction",
    "discussion": "Discussion",
    "interventions": "Proposed interventions and services",
    # the end-of-year review
    "rating": "Rating",
    "evidence": "Evidence",
    "principle": "Principle",
    "text": "Question",
    "position": "Position",
    "crime_type": "Crime type",
    "cost_gbp": "Cost",
    "share_percent": "Share",
    "baseline_from": "First month of the baseline",
    "baseline_to": "Last month of the baseline",
    "code": "Pseudonym",
    "review_version": "Version of the review",
    "number": "Version",
    "copied_from": "Copied from version",
    "organisation": "Reviewer's organisation",
    "sections": "Sections, in order",
    "section": "Section",
    "findings": "Findings",
    "recommendations": "Recommendations",
    "question": "Question",
    "answer": "Answer",
    "signed_off_by_id": "Signed off by",
    # accounts and access
    "username": "Username",
    "display_name": "Name",
    "role": "Role",
    "password": "Password",
    "must_change_password": "Must choose a new password",
    "failures_in_a_row": "Failed attempts in a row",
    "address": "Address",
    "method": "Method",
    "second_factor": "Second factor",
    "recovery_codes": "Recovery codes",
    "recovery_codes_left": "Recovery codes left",
    "path": "Page",
    # import and export
    "files": "Files",
    "counts": "Rows",
    "rows_by_file": "Rows in each file",
    "problems": "Problems found",
    "format": "Format",
    "rows": "Rows",
    "bytes": "Size in bytes",
    "left_out": "Left out",
    "filters": "Filters",
    # backups
    "file": "File",
    "revision": "Database migration",
    "entries_checked": "Audit entries checked",
    # the retention rule
    "retention_years": "Retention period in years",
    "erased": "Rows erased, by kind",
    "disposal_reason": "Why it was disposed of",
    "watch_entries": "Watch list entries due",
}

# A field that reads differently on one kind of record, by the subject type its entries carry.
FIELDS_BY_SUBJECT = {
    "watch_entry": {"reason": "Why they are on the watch list", "client_id": "Adopted as client",
                    "outcome_notes": "Notes"},
}

# Records, by the subject type their entries carry.
SUBJECTS = {
    "client": "Client",
    "user_account": "Account",
    "referral": "Referral",
    "support_payment": "Support payment",
    "watch_entry": "Watch list entry",
    "agency": "Agency",
    "budget": "Support budget",
    "caseload": "The caseload",
    "import": "Import",
    "export": "Caseload download",
    "month": "Month",
    "financial_year": "Financial year",
    "annual_report": "End-of-year review",
    "sac_count": "Serious acquisitive crime count",
    "scheme_rule": "Minimum cohort rule",
    "month_closure": "Month closed",
    "self_assessment_answer": "Self-assessment answer",
    "self_assessment_question": "Self-assessment question",
    "unit_cost": "Value-for-money unit cost",
    "vfm_baseline": "Value-for-money baseline",
    "offence": "Offence",
    "offence_unit_cost": "Cost of crime",
    "scheme_cost": "Scheme costs",
    "score_settings": "Adoption scoring",
    "alcohol_screening": "AUDIT-C screening",
    "alcohol_paper": "Alcohol discussion paper",
    "review_version": "Version of the review",
    "review_question": "Question in the review",
    "database": "The database",
}

# Who acted when nobody was signed in, by the label the entry carries.
ACTORS = {
    "system": "The service",
    "system (command line)": "The command line",
    "anonymous": "Someone not signed in",
    "first set-up link": "The first set-up link",
    "demo data": "Demo data",
}

# Fields that name another record by its number, and which lookup gives its words.
LOOKUP_FIELDS = {
    "offender_manager_id": "person", "recorded_by_id": "person", "set_by_id": "person",
    "requested_by_id": "person", "signed_off_by_id": "person", "decided_by_id": "person", "author_id": "person",
    "client_id": "client", "agency_id": "agency",
    "officer": "person", "user": "person",  # the caseload's and the audit trail's filters
}
SUBJECT_LOOKUPS = {"client": "client", "user_account": "account", "agency": "agency"}
HIDDEN_VALUES = frozenset({"password"})
ROW_NUMBERS = frozenset({"period", "custody_event", "case_note", "referral", "payment", "offence", "alcohol_screening",
                         "paper_version", "id"})
MONTH_FIELDS = frozenset({"effective_from", "month", "baseline_from", "baseline_to"})
NUMBER_FIELDS = frozenset({"share_percent"})
EMPTY = {"offender_manager_id": "Not assigned", "risk_level": "Not assessed"}
NOT_RECORDED = "Not recorded"
FORMATS = {"csv": "CSV", "xlsx": "Excel workbook", "json": "JSON", "pdf": "PDF", "sqlite": "SQLite database",
           "postgresql": "PostgreSQL dump (custom format)"}
LONGEST_FILTER_VALUE = 60

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}")
_MONTH = re.compile(r"^\d{4}-\d{2}$")


def action_label(action: str) -> str:
    """An action in words; one the code has not labelled yet reads as its own name, tidied."""
    return ACTIONS.get(action) or action.replace(".", " ").replace("_", " ").capitalize()


def field_label(name: str, subject_type: str | None = None) -> str:
    """A field in words (on this kind of record); one not labelled yet reads as its own name, tidied."""
    return (FIELDS_BY_SUBJECT.get(subject_type or "", {}).get(name) or FIELDS.get(name)
            or str(name).replace("_", " ").capitalize())


def subject_noun(subject_type: str | None) -> str:
    return SUBJECTS.get(subject_type or "") or str(subject_type or "").replace("_", " ").capitalize()


def join_and(parts: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


# --- the filters of a list that was viewed --------------------------------------------------------

@dataclass(frozen=True)
class Listing:
    """How a list view's filters read: (key, label, field whose value words apply) in reading order.
    A field of None quotes what was typed; keys not named read by their own name."""
    filters: tuple[tuple[str, str, str | None], ...]
    words: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # key -> value -> phrase on its own
    defaults: Mapping[str, str] = field(default_factory=dict)  # key -> the value that is no filter at all
    sorts: Mapping[str, str] = field(default_factory=dict)


LISTINGS = {
    "clients.listed": Listing(
        filters=(("search", "search", None), ("officer", "officer", "officer"),
                 ("strand", "strand", "strand"), ("custody", "custody status", "status"),
                 ("tier", "tier", "tier"), ("scheme", "scheme", None)),
        words={"officer": {"none": "no offender manager"}, "tier": {"none": "no cohort tier set"},
               "scheme": {"left": "people who have left the scheme", "all": "people on the scheme or not"}},
        defaults={"scheme": "on", "sort": "name", "direction": "asc", "page": "1"},
        sorts={"name": "name", "reference": "reference", "strand": "strand", "custody": "custody status",
               "officer": "offender manager", "joined": "date joined", "risk": "risk level",
               "tier": "cohort tier", "score": "adoption score"}),
    "audit.viewed": Listing(
        filters=(("user", "who", "user"), ("action", "what", "action"),
                 ("subject_type", "record type", "subject_type"), ("subject_id", "record number", None),
                 ("from", "from", "date_text"), ("to", "to", "date_text"))),
    "watch.listed": Listing(
        filters=(("status", "status", "watch_list_status"),),
        defaults={"status": "open", "page": "1", "sort": "review"},
        sorts={"score": "adoption score, highest first"}),
}
PAGE_KEYS = ("page", "before", "after")


# --- the words of one entry -------------------------------------------------------------------------

@dataclass(frozen=True)
class ChangeInWords:
    """One field of an entry: its label, the value before (None when it had none to show) and after."""
    name: str
    label: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class EntryInWords:
    entry: object  # the AuditEntry, unchanged
    what: str
    who: str
    username: str | None  # the account's username when a person acted
    record: str | None
    changes: list[ChangeInWords]
    shows_values: bool

    @property
    def changes_text(self) -> str:
        """The changes as one line of text (the CSV's)."""
        parts = []
        for change in self.changes:
            if change.after is None and change.before is None:
                parts.append(change.label)
            elif change.before is None:
                parts.append(f"{change.label}: {change.after}")
            else:
                parts.append(f"{change.label}: {change.before} → {change.after}")
        return "; ".join(parts)


@dataclass
class Vocabulary:
    """The areas' words, given by the app factory: value words by field, lookups by kind."""
    values: dict[str, Mapping[str, str]]
    lookups: dict[str, tuple]  # kind -> (id column, words column)


def merged(*dicts: Mapping[str, str]) -> dict[str, str]:
    """One field's words from several areas' dicts; a code with two different labels is a mistake."""
    result: dict[str, str] = {}
    for words in dicts:
        for code, label in words.items():
            if result.setdefault(code, label) != label:
                raise ValueError(f"{code!r} is both {result[code]!r} and {label!r}")
    return result


def init_app(app: Flask, *, values: dict[str, Mapping[str, str]], lookups: dict[str, tuple]) -> None:
    """Give the describer the areas' words, and templates `in_words(entries)`."""
    app.extensions["iom.wording"] = Vocabulary(
        values={"action": ACTIONS, "subject_type": SUBJECTS, "format": FORMATS, **values}, lookups=lookups)
    app.jinja_env.globals["in_words"] = describe


def _vocabulary() -> Vocabulary:
    return current_app.extensions["iom.wording"]


def _database_id(value) -> int | None:
    """A record number as the database holds one, or None (hand-typed text, a huge number)."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


def _pairs(changes) -> list[tuple[str, object, object]]:
    """(field, before, after) for an entry's changes; a value that is not a [before, after] pair is an after."""
    if not isinstance(changes, dict):
        return []
    result = []
    for name, pair in changes.items():
        if isinstance(pair, list) and len(pair) == 2:
            result.append((str(name), pair[0], pair[1]))
        else:
            result.append((str(name), None, pair))
    return result


class Describer:
    """Words for a batch of entries, with the records they name looked up once for the batch."""

    def __init__(self, entries: list, *, show_values: Callable[[object], bool], iso_dates: bool):
        self.vocabulary = _vocabulary()
        self.show_values = show_values
        self.iso_dates = iso_dates
        self.names: dict[str, dict[int, str]] = {kind: {} for kind in self.vocabulary.lookups}
        self._look_up(entries)

    # -- looking up the records entries name by number, one query for all of them

    def _wanted(self, entries: list) -> dict[str, set[int]]:
        wanted: dict[str, set[int]] = {kind: set() for kind in self.vocabulary.lookups}

        def want(kind: str, value) -> None:
            for item in value if isinstance(value, list) else [value]:
                number = _database_id(item)
                if number is not None and kind in wanted:
                    wanted[kind].add(number)

        for entry in entries:
            if entry.subject_type in SUBJECT_LOOKUPS:
                want(SUBJECT_LOOKUPS[entry.subject_type], entry.subject_id)
            for name, before, after in _pairs(entry.changes):
                if name in LOOKUP_FIELDS:
                    want(LOOKUP_FIELDS[name], before)
                    want(LOOKUP_FIELDS[name], after)
            listing = LISTINGS.get(entry.action)
            filters = self._filters_of(entry)
            if listing and filters:
                for key, _, field_name in listing.filters:
                    if field_name in LOOKUP_FIELDS and key in filters:
                        want(LOOKUP_FIELDS[field_name], filters[key])
        return wanted

    def _look_up(self, entries: list) -> None:
        if not entries or not self.vocabulary.lookups:
            return
        wanted = self._wanted(entries)
        selects = [db.select(literal(kind).label("kind"), id_column.label("id"), words_column.label("words"))
                   .where(id_column.in_(sorted(wanted[kind])))
                   for kind, (id_column, words_column) in self.vocabulary.lookups.items()]
        for kind, number, words in db.session.execute(union_all(*selects)):
            self.names[kind][number] = words

    # -- values

    def say(self, name: str, value) -> str:
        """A field's value as the rest of the service shows it."""
        if value is None or value == "" or value == []:
            return EMPTY.get(name, NOT_RECORDED)
        if name in HIDDEN_VALUES:
            return "Not shown"
        if isinstance(value, bool):
            return "Yes" if value else "No"
        if isinstance(value, list):  # commas: the labels themselves may hold an "and"
            return ", ".join(self.say(name, item) for item in value)
        if isinstance(value, dict):
            return "; ".join(f"{field_label(key)}: {self.say(key, item)}" for key, item in value.items())
        if name in LOOKUP_FIELDS:
            return self._named(LOOKUP_FIELDS[name], value)
        words = self.vocabulary.values.get(name)
        if words is not None and str(value) in words:
            return words[str(value)]
        if name.endswith("_gbp"):
            return self._money(value)
        if name == "date_text":
            return self._date_text(value)
        if name in NUMBER_FIELDS:
            return str(value)
        if isinstance(value, str):
            return self._text(name, value)
        if isinstance(value, int):
            return str(value) if name in ROW_NUMBERS else f"{value:,}"
        return str(value)

    def _named(self, kind: str, value) -> str:
        number = _database_id(value)
        if number is not None and number in self.names.get(kind, {}):
            return self.names[kind][number]
        return f"Number {value}"

    def _money(self, value) -> str:
        try:
            return gbp(Decimal(str(value)))
        except (InvalidOperation, ValueError):
            return str(value)

    def _date_text(self, value) -> str:
        """A date as someone typed it into a filter: a UK date when it is a real one."""
        try:
            day = parse_date_text(str(value))
        except (ValueError, OverflowError):
            day = None
        return self._day(day) if day else _shortened(str(value))

    def _day(self, day: date) -> str:
        return day.isoformat() if self.iso_dates else uk_date(day)

    def _text(self, name: str, value: str) -> str:
        try:
            if _ISO_DATE.match(value):
                return self._day(date.fromisoformat(value))
            if _ISO_MOMENT.match(value):
                moment = datetime.fromisoformat(value)
                return moment.isoformat() if self.iso_dates else uk_datetime(moment)
            if name in MONTH_FIELDS and _MONTH.match(value):
                return value if self.iso_dates else f"{date.fromisoformat(value + '-01'):%B %Y}"
        except ValueError:
            pass
        return value

    # -- the entry

    def _filters_of(self, entry) -> dict | None:
        changes = entry.changes if isinstance(entry.changes, dict) else {}
        pair = changes.get("filters")
        filters = pair[1] if isinstance(pair, list) and len(pair) == 2 else pair
        return filters if isinstance(filters, dict) else None

    def what(self, entry, shows_values: bool) -> str:
        """The action in words; a list's filters as a sentence after it."""
        label = action_label(entry.action)
        listing, filters = LISTINGS.get(entry.action), self._filters_of(entry)
        if listing is None or not filters:
            return label
        filters = {str(key): value for key, value in filters.items()
                   if value not in ("", None) and str(value) != listing.defaults.get(str(key))}
        parts = []
        known = {key for key, _, _ in listing.filters} | {"sort", "direction", *PAGE_KEYS}
        for key, name, field_name in listing.filters:
            if key in filters:
                parts.append(self._filter_part(listing, key, name, field_name, filters[key], shows_values))
        for key in sorted(set(filters) - known):
            parts.append(self._filter_part(listing, key, field_label(key).lower(), None, filters[key], shows_values))
        sentence = label + (", filtered by " + join_and(parts) if parts else "")
        sort = filters.get("sort") or (listing.defaults.get("sort") if "direction" in filters else None)
        if sort is not None and listing.sorts:
            sentence += f", sorted by {listing.sorts.get(str(sort), _shortened(str(sort)))}"
            if filters.get("direction") == "desc":
                sentence += " in reverse order"
        if _database_id(filters.get("page")) not in (None, 1):
            sentence += f", page {_database_id(filters['page'])}"
        elif "before" in filters or "after" in filters:
            sentence += ", a later page" if "before" in filters else ", an earlier page"
        return sentence

    def _filter_part(self, listing: Listing, key: str, name: str, field_name: str | None, value,
                     shows_values: bool) -> str:
        if not shows_values:
            return name
        phrase = listing.words.get(key, {}).get(str(value))
        if phrase:
            return phrase
        if field_name is None:
            return f"{name} “{_shortened(str(value))}”"
        return f"{name} {_shortened(self.say(field_name, value))}"

    def record(self, entry) -> str | None:
        """The record an entry is about, in words: Client IOM-0001, Account jsmith, October 2011."""
        if entry.subject_type is None:
            return None
        noun = subject_noun(entry.subject_type)
        ident = entry.subject_id
        if ident is None:
            return noun
        kind = SUBJECT_LOOKUPS.get(entry.subject_type)
        if kind is not None:
            named = self.names.get(kind, {}).get(_database_id(ident))
            return f"{noun} {named}" if named else f"{noun} number {ident}"
        if _MONTH.match(ident):
            return f"{noun}, {self._text('month', ident)}"
        if entry.subject_type == "offence_unit_cost":
            return f"{noun}: {self.say('offence_type', ident)}"
        if entry.subject_type in ("caseload", "import"):
            return noun
        return f"{noun} {ident}"

    def who(self, entry) -> tuple[str, str | None]:
        actor = entry.actor
        if actor is not None:
            return actor.display_name or actor.username, actor.username
        return ACTORS.get(entry.actor_label, entry.actor_label), None

    def changes(self, entry, shows_values: bool) -> list[ChangeInWords]:
        listing = LISTINGS.get(entry.action)
        result = []
        for name, before, after in sorted(_pairs(entry.changes), key=_reading_order):
            if name == "filters" and listing is not None:
                continue  # in the sentence
            label = field_label(name, entry.subject_type)
            if not shows_values:
                result.append(ChangeInWords(name, label, None, None))
                continue
            shown_before = None if before is None or before == after else self.say(name, before)
            result.append(ChangeInWords(name, label, shown_before, self.say(name, after)))
        return result

    def describe(self, entry) -> EntryInWords:
        shows_values = bool(self.show_values(entry))
        who, username = self.who(entry)
        return EntryInWords(entry=entry, what=self.what(entry, shows_values), who=who, username=username,
                            record=self.record(entry), changes=self.changes(entry, shows_values),
                            shows_values=shows_values)


_FIELD_ORDER = {name: index for index, name in enumerate(FIELDS)}


def _reading_order(change: tuple) -> tuple:
    """Labelled fields in FIELDS' order, then any others by name (the stored JSON is alphabetical)."""
    return _FIELD_ORDER.get(change[0], len(_FIELD_ORDER)), change[0]


def _shortened(text: str) -> str:
    return text if len(text) <= LONGEST_FILTER_VALUE else text[:LONGEST_FILTER_VALUE] + "…"


def _every_value(entry) -> bool:
    return True


def describe(entries: Iterable, *, show_values: Callable[[object], bool] = _every_value,
             iso_dates: bool = False) -> list[EntryInWords]:
    """The entries in words, in the same order; one query looks up every record they name.
    show_values(entry) False: only which fields changed, never their values. iso_dates: dates as a
    file writes them (2011-04-05, timestamps in UTC) rather than as a page shows them."""
    entries = list(entries)
    describer = Describer(entries, show_values=show_values, iso_dates=iso_dates)
    return [describer.describe(entry) for entry in entries]


def occurred_at_utc(entry) -> str:
    """When an entry was written, ISO 8601 in UTC, to the second."""
    moment = entry.occurred_at
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")
