"""Shared by the monthly figures page tests: a fixed 'today', quick builders, page readers.

Import the fixtures by name into a test module to use them (pytest finds them there)."""
from datetime import date

import pytest
from sqlalchemy import func, insert, select

from iom.audit.models import AuditEntry
from iom.figures.models import MonthClosure, SacCount, SchemeRule
from iom.clients.models import Client, SchemePeriod
from iom.extensions import db
from tests.watch.test_watch_list import Page, assert_field_error, text_of  # noqa: F401

# Mid-November 2011: October is the latest complete month, November is under way,
# December to March are still to come in the financial year 2011-12.
TODAY = date(2011, 11, 15)
APR, SEP, OCT, NOV, DEC = (date(2011, m, 1) for m in (4, 9, 10, 11, 12))



@pytest.fixture
def today(monkeypatch):
    """Fix 'today' in London (the figures code reads it through iom.clock) at TODAY."""
    def set_today(day: date = TODAY) -> date:
        monkeypatch.setattr("iom.clock.today_in_london", lambda: day)
        return day
    set_today()
    return set_today


def add_clients(app, count: int, *, strand: str = "catch_convict", joined_on: date = date(2011, 4, 1),
                left_on: date | None = None, prefix: str = "C") -> None:
    """Clients with one period each, straight into the tables."""
    with app.app_context():
        start = db.session.scalar(select(func.count()).select_from(Client))
        rows = [{"reference": f"{prefix}-{start + n:05d}", "given_name": "Given", "family_name": f"Family{start + n}",
                 "programme": "ppo", "alcohol_related": "unknown"} for n in range(count)]
        ids = db.session.scalars(insert(Client).returning(Client.id, sort_by_parameter_order=True), rows).all()
        if ids:
            db.session.execute(insert(SchemePeriod), [
                {"client_id": client_id, "strand": strand, "joined_on": joined_on, "left_on": left_on,
                 "exit_reason": "completed" if left_on else None} for client_id in ids])
        db.session.commit()


def set_rule(app, effective_from: date, minimum: int, strands: str = "catch_convict,resettle_rehabilitate") -> None:
    with app.app_context():
        db.session.add(SchemeRule(effective_from=effective_from, minimum_cohort=minimum, counted_strands=strands))
        db.session.commit()


def set_sac(app, month: date, crimes: int) -> None:
    with app.app_context():
        db.session.add(SacCount(month=month, crimes=crimes))
        db.session.commit()


def audit_entries(app, action: str | None = None) -> list[AuditEntry]:
    with app.app_context():
        query = select(AuditEntry).order_by(AuditEntry.seq)
        if action:
            query = query.where(AuditEntry.action == action)
        entries = list(db.session.scalars(query))
        db.session.expunge_all()
        return entries


def stored(app, model, key):
    with app.app_context():
        row = db.session.get(model, key)
        if row is not None:
            db.session.expunge(row)
        return row


def counts(app) -> dict:
    """How many of each figures record exist: 'nothing changed' means these stay the same."""
    with app.app_context():
        return {model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
                for model in (SacCount, SchemeRule, MonthClosure)}


def row_text(response, month_text: str) -> str:
    """The text of one month's row in the year's table."""
    body = response.get_data(as_text=True)
    start = body.index(">", body.index(f'id="month-{month_text}"')) + 1
    return text_of_fragment(body[start:body.index("</tr>", start)])


def plain(response) -> str:
    """The page's words without its markup, whitespace collapsed."""
    return text_of_fragment(response.get_data(as_text=True))


def text_of_fragment(html: str) -> str:
    import re
    from html import unescape
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
