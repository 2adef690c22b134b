"""Builders for review-pack tests: rows made with the models directly, inside an app context."""
from datetime import date, datetime, timezone
from decimal import Decimal

from sqlalchemy import update

from iom.figures.models import SacCount
from iom.clients.models import CaseNote, Client, SchemePeriod
from iom.custody.models import CustodyEvent
from iom.extensions import db

FIRST, LAST = date(2011, 4, 1), date(2012, 3, 31)       # 2011-12
BEFORE, AFTER = date(2011, 3, 31), date(2012, 4, 1)      # the days either side


def client(ref, periods=(), *, given="Given", family=None, born=None, pnc=None, ward=None, programme="other",
           alcohol="unknown", custody=(), risk=None, updated=None):
    """periods: [(strand, joined, left)] or [(strand, joined, left, reason)]; custody: [(status, from_date)]."""
    row = Client(reference=ref, given_name=given, family_name=family or f"Family{ref}", date_of_birth=born,
                 pnc_id=pnc, ward=ward, programme=programme, alcohol_related=alcohol, risk_level=risk)
    if updated is not None:
        row.created_at = row.updated_at = updated
    db.session.add(row)
    db.session.flush()
    for period in periods:
        strand, joined, left, *reason = period
        db.session.add(SchemePeriod(client_id=row.id, strand=strand, joined_on=joined, left_on=left,
                                    exit_reason=(reason[0] if reason else "completed") if left else None))
    for status, day in custody:
        db.session.add(CustodyEvent(client_id=row.id, status=status, from_date=day,
                                    establishment=None if status == "community" else "HMP Nowhere"))
    db.session.flush()
    if updated is not None:  # the flush above bumped updated_at through onupdate; put it back
        db.session.execute(update(Client).where(Client.id == row.id).values(updated_at=updated))
        db.session.expire(row)
    return row


def sac(month: date, crimes: int) -> None:
    db.session.add(SacCount(month=month, crimes=crimes))
    db.session.flush()


def referral(person, kind, referred_on, status="open", closed_on=None, outcome=None, **extra):
    from iom.referrals.models import Referral
    row = Referral(client_id=person.id, kind=kind, referred_on=referred_on, status=status, closed_on=closed_on,
                   outcome=outcome, **extra)
    db.session.add(row)
    db.session.flush()
    return row


def payment(person, paid_on, amount, purpose="id_documents", status="approved", achieved=None, detail="For ID"):
    from iom.years import FinancialYear
    from iom.payments.models import SupportPayment
    row = SupportPayment(client_id=person.id, paid_on=paid_on, amount_gbp=Decimal(amount), purpose=purpose,
                         status=status, achieved=achieved, detail=detail, financial_year=FinancialYear.of(paid_on).label)
    db.session.add(row)
    db.session.flush()
    return row


def watch(added_on, closed_on=None, outcome=None, *, given="Watched", family="Person", born=None, pnc=None,
          person=None):
    from iom.watch.models import WatchEntry
    row = WatchEntry(given_name=given, family_name=family, date_of_birth=born, pnc_id=pnc,
                     partner_agency="Partner", reason="Concern", added_on=added_on, closed_on=closed_on,
                     outcome=outcome, client_id=person.id if person is not None else None)
    db.session.add(row)
    db.session.flush()
    return row


def note(person, written_on: date, author_id: int, body="Seen at home"):
    db.session.add(CaseNote(client_id=person.id, author_id=author_id, body=body,
                            written_at=datetime(written_on.year, written_on.month, written_on.day, 12,
                                                tzinfo=timezone.utc)))
    db.session.flush()


def old_timestamp() -> datetime:
    """A record last touched long before the years under test."""
    return datetime(2009, 1, 1, tzinfo=timezone.utc)
