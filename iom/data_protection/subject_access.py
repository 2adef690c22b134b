"""A subject access export: one person's whole record (identity, scheme periods, custody, offences,
referrals with their history, payments, case notes, AUDIT-C screenings, watch list entries, and the
audit entries about any of them in words), as one JSON-ready dict. The JSON and the PDF are both
written from it, so they cannot disagree. A fixed handful of queries, whatever the record's size."""
import json
from datetime import date, datetime
from decimal import Decimal

from flask import current_app
from sqlalchemy import and_, or_, select

from iom.audit import wording
from iom.audit.models import AuditEntry
from iom.auth.models import User
from iom.clients.models import (ALCOHOL, AUDIT_C_QUESTIONS, COHORT_TIERS, EXIT_REASONS, PROGRAMMES, RISK_LEVELS,
                                STRANDS, AlcoholScreening, CaseNote, Client, SchemePeriod)
from iom.clock import utcnow
from iom.custody.models import CUSTODY_STATUSES, CustodyEvent
from iom.extensions import db
from iom.offending.models import OFFENCE_OUTCOMES, OFFENCE_TYPES, Offence
from iom.payments.models import PURPOSES, SupportPayment
from iom.referrals.models import REFERRAL_KINDS, Agency, Referral, ReferralStatusChange
from iom.watch.models import WatchEntry

FORMAT_VERSION = 1


def _value(value):
    """JSON's form of a stored value: ISO dates, UTC timestamps, money as text with two decimals."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value.quantize(Decimal('0.01'))}"
    return value


def _row(row, columns: tuple[str, ...], words: dict | None = None) -> dict:
    result = {column: _value(getattr(row, column)) for column in columns}
    for column, labels in (words or {}).items():
        code = getattr(row, column)
        result[f"{column}_in_words"] = labels.get(code, code) if code is not None else None
    return result


WATCH_COLUMNS = ("given_name", "family_name", "date_of_birth", "pnc_id", "partner_agency", "reason", "added_on",
                 "next_review_on", "outcome", "outcome_notes", "closed_on")


def _offence(offence: Offence) -> dict:
    return _row(offence, ("offence_on", "offence_type", "outcome", "crime_reference", "alcohol_involved"),
                {"offence_type": OFFENCE_TYPES, "outcome": OFFENCE_OUTCOMES}) | {
        "while_on_the_watch_list": offence.watch_entry_id is not None}


def _head(kind: str, disposed_at) -> dict:
    return {"format_version": FORMAT_VERSION, "kind": kind, "partnership": current_app.config.get("PARTNERSHIP_NAME"),
            "produced_at": _value(utcnow().replace(microsecond=0)), "disposed_at": _value(disposed_at)}


def _audit_entries_about(about: dict[str, list[int]]) -> list[dict]:
    """Every audit entry about these records ({subject type: ids}), oldest first, in words: one query."""
    entries = db.session.scalars(select(AuditEntry).where(or_(*(
        and_(AuditEntry.subject_type == kind, AuditEntry.subject_id.in_([str(i) for i in ids]))
        for kind, ids in about.items() if ids))).order_by(AuditEntry.seq)).all()
    return [{"occurred_at": wording.occurred_at_utc(words.entry), "who": words.who, "what": words.what,
             "record": words.record, "changes": words.changes_text}
            for words in wording.describe(entries, iso_dates=True)]


def collect(client: Client) -> dict:
    """The person's whole record, as the service holds it now."""
    cid = client.id
    names = dict(db.session.execute(select(User.id, User.display_name)).all())
    periods = db.session.scalars(select(SchemePeriod).where(SchemePeriod.client_id == cid)
                                 .order_by(SchemePeriod.joined_on)).all()
    custody = db.session.scalars(select(CustodyEvent).where(CustodyEvent.client_id == cid)
                                 .order_by(CustodyEvent.from_date)).all()
    watch = db.session.scalars(select(WatchEntry).where(WatchEntry.client_id == cid).order_by(WatchEntry.id)).all()
    watch_ids = [entry.id for entry in watch]
    offences = db.session.scalars(select(Offence).where(or_(Offence.client_id == cid, Offence.watch_entry_id.in_(
        watch_ids or [-1]))).order_by(Offence.offence_on, Offence.id)).all()
    referrals = db.session.scalars(select(Referral).where(Referral.client_id == cid)
                                   .order_by(Referral.referred_on, Referral.id)).all()
    referral_ids = [referral.id for referral in referrals]
    steps = db.session.scalars(select(ReferralStatusChange).where(ReferralStatusChange.referral_id.in_(
        referral_ids or [-1])).order_by(ReferralStatusChange.changed_at, ReferralStatusChange.id)).all()
    agencies = dict(db.session.execute(select(Agency.id, Agency.name)).all())
    payments = db.session.scalars(select(SupportPayment).where(SupportPayment.client_id == cid)
                                  .order_by(SupportPayment.paid_on, SupportPayment.id)).all()
    notes = db.session.scalars(select(CaseNote).where(CaseNote.client_id == cid)
                               .order_by(CaseNote.written_at, CaseNote.id)).all()
    screenings = db.session.scalars(select(AlcoholScreening).where(AlcoholScreening.client_id == cid)
                                    .order_by(AlcoholScreening.screened_on, AlcoholScreening.id)).all()
    about = {"client": [cid], "referral": referral_ids, "support_payment": [p.id for p in payments],
             "watch_entry": watch_ids, "offence": [o.id for o in offences],
             "alcohol_screening": [s.id for s in screenings]}

    def person(user_id):
        return names.get(user_id) if user_id is not None else None

    history = {}
    for step in steps:
        history.setdefault(step.referral_id, []).append(
            _row(step, ("from_status", "to_status", "changed_on", "note")) | {"changed_by": person(step.changed_by_id)})
    return _head("subject access export", client.disposed_at) | {
        "identity": _row(client, ("reference", "given_name", "family_name", "date_of_birth", "pnc_id", "ward",
                                  "programme", "alcohol_related", "risk_level", "tier", "created_at", "updated_at"),
                         {"programme": PROGRAMMES, "alcohol_related": ALCOHOL, "risk_level": RISK_LEVELS,
                          "tier": COHORT_TIERS}) | {"offender_manager": person(client.offender_manager_id)},
        "scheme_periods": [_row(p, ("strand", "joined_on", "left_on", "exit_reason"),
                                {"strand": STRANDS, "exit_reason": EXIT_REASONS}) for p in periods],
        "custody": [_row(c, ("status", "from_date", "establishment", "expected_release_on"),
                         {"status": CUSTODY_STATUSES}) for c in custody],
        "offences": [_offence(o) for o in offences],
        "referrals": [_row(r, ("kind", "referred_on", "status", "closed_on", "outcome", "need", "outcome_notes",
                               "next_action", "next_action_due_on", "duty_to_refer_made", "duty_to_refer_on",
                               "duty_to_refer_local_authority", "duty_to_refer_outcome"), {"kind": REFERRAL_KINDS})
                      | {"agency": r.agency_other or agencies.get(r.agency_id), "history": history.get(r.id, [])}
                      for r in referrals],
        "payments": [_row(p, ("paid_on", "amount_gbp", "purpose", "detail", "status", "decision_note", "achieved",
                              "achieved_notes"), {"purpose": PURPOSES})
                     | {"requested_by": person(p.requested_by_id), "decided_by": person(p.decided_by_id)}
                     for p in payments],
        "case_notes": [_row(n, ("written_at", "body")) | {"author": person(n.author_id)} for n in notes],
        "alcohol_screenings": [_row(s, ("screened_on", *AUDIT_C_QUESTIONS)) | {"score": s.score,
                                                                             "is_positive": s.is_positive}
                               for s in screenings],
        "watch_list": [_row(w, WATCH_COLUMNS) for w in watch],
        "audit_entries": _audit_entries_about(about),
    }


WATCH_IDENTITY = ("given_name", "family_name", "date_of_birth", "pnc_id")


def watch_reference(entry: WatchEntry) -> str:
    """How the export names a watch list entry: it has no client reference."""
    return f"WATCH-{entry.id}"


def collect_watch_entry(entry: WatchEntry) -> dict:
    """The whole record of someone who was only on the watch list (never adopted: an adopted person's entries
    are in their client's export): the entry, the offences recorded on it, and the audit entries about
    either, in the client export's shape, its client-only parts empty. Three queries."""
    offences = db.session.scalars(select(Offence).where(Offence.watch_entry_id == entry.id)
                                  .order_by(Offence.offence_on, Offence.id)).all()
    about = {"watch_entry": [entry.id], "offence": [o.id for o in offences]}
    return _head("subject access export (watch list only)", entry.disposed_at) | {
        "identity": _row(entry, WATCH_IDENTITY) | {"reference": watch_reference(entry)},
        "scheme_periods": [], "custody": [], "referrals": [], "payments": [], "case_notes": [],
        "alcohol_screenings": [],
        "offences": [_offence(o) for o in offences],
        "watch_list": [_row(entry, WATCH_COLUMNS)],
        "audit_entries": _audit_entries_about(about),
    }


def as_json(record: dict) -> bytes:
    return (json.dumps(record, indent=2, ensure_ascii=False, sort_keys=False) + "\n").encode("utf-8")


def as_pdf(record: dict) -> bytes:
    """The export's own template printed by WeasyPrint, tagged (PDF/UA-1), fetching nothing."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    class NoFetching(URLFetcher):
        def fetch(self, url, headers=None):
            raise ValueError(f"the subject access export does not load {url}")

    html = current_app.jinja_env.get_template("data_protection/subject_access_pdf.html").render(record=record)
    return HTML(string=html, url_fetcher=NoFetching(), base_url=None).write_pdf(
        pdf_variant="pdf/ua-1", pdf_identifier=f"iom-subject-access-{record['identity']['reference']}".encode())
