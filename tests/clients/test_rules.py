"""The caseload rules: overlapping periods, leaving days, custody status on a date, PNC ids."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from iom.clients import operations, queries
from iom.clients.models import Client, SchemePeriod
from iom.clients.operations import overlapping_period
from iom.clock import today_in_london
from iom.custody.operations import record_custody_event
from iom.extensions import db
from iom.form_fields import pnc_id_problem
from iom.rules import RuleBroken, StaleEdit


def P(joined, left=None, pid=None):
    return SchemePeriod(id=pid, strand="catch_convict", joined_on=joined, left_on=left)


@pytest.mark.parametrize("joined, left, clash", [
    (date(2011, 1, 1), date(2011, 3, 31), False),   # ends the day before the first starts
    (date(2011, 1, 1), date(2011, 4, 1), True),     # ends on the first's joining day
    (date(2011, 6, 30), None, True),                # starts on the first's leaving day
    (date(2011, 7, 1), date(2011, 8, 1), False),    # starts the day after
    (date(2011, 5, 1), date(2011, 5, 2), True),     # inside
    (date(2010, 1, 1), None, True),                 # open-ended from before
])
def test_overlap_counts_both_end_days(joined, left, clash):
    existing = [P(date(2011, 4, 1), date(2011, 6, 30), pid=1)]
    assert (overlapping_period(existing, joined, left) is not None) is clash


def test_an_open_period_overlaps_everything_after_it():
    assert overlapping_period([P(date(2011, 4, 1), pid=1)], date(2015, 1, 1), date(2015, 2, 1)) is not None


def test_covers_includes_the_leaving_day():
    period = P(date(2011, 4, 1), date(2011, 10, 31))
    assert period.covers(date(2011, 4, 1)) and period.covers(date(2011, 10, 31))
    assert not period.covers(date(2011, 3, 31)) and not period.covers(date(2011, 11, 1))


@pytest.mark.parametrize("pnc, ok", [
    ("11/123456H", True), ("11/0123456H", True), ("2011/123456H", True), (" 11/123456h ", True),
    ("11/123456A", False), ("11123456H", False), ("1/123456H", False), ("11/12345678H", False),
    ("AB/123456H", False), ("", True),
])
def test_pnc_id_format_and_check_letter(pnc, ok):
    assert (pnc_id_problem(pnc) is None) is ok


@pytest.fixture
def a_client(app):
    with app.app_context():
        client = operations.add_client({"given_name": "Ann", "family_name": "Example"}, strand="catch_convict",
                                       joined_on=date(2011, 4, 1))
        db.session.commit()
        yield client


def test_references_are_generated_in_sequence_and_imported_ones_kept(app, a_client):
    assert a_client.reference == "IOM-0001"
    operations.add_client({"given_name": "B", "family_name": "C"}, strand="catch_convict",
                          joined_on=date(2011, 4, 1), reference="IOM-0041")
    assert operations.next_reference() == "IOM-0042"


def test_leave_then_readopt_and_overlap_refused(app, a_client):
    period = db.session.scalar(select(SchemePeriod))
    with pytest.raises(RuleBroken, match="same as or after the date they joined"):
        operations.leave_scheme(a_client, period, left_on=date(2011, 3, 31), exit_reason="completed",
                                version=period.version)
    operations.leave_scheme(a_client, period, left_on=date(2011, 9, 30), exit_reason="desisted",
                            version=period.version)
    with pytest.raises(RuleBroken, match="after 30 September 2011"):
        operations.adopt_client(a_client, strand="resettle_rehabilitate", joined_on=date(2011, 9, 30))
    operations.adopt_client(a_client, strand="resettle_rehabilitate", joined_on=date(2011, 10, 1))
    with pytest.raises(RuleBroken, match="already on the scheme"):
        operations.adopt_client(a_client, strand="catch_convict", joined_on=date(2012, 1, 1))
    db.session.commit()
    assert len(db.session.scalars(select(SchemePeriod)).all()) == 2


def test_leaving_twice_or_with_a_stale_version_is_refused(app, a_client):
    period = db.session.scalar(select(SchemePeriod))
    with pytest.raises(StaleEdit):
        operations.leave_scheme(a_client, period, left_on=date(2011, 9, 30), exit_reason="desisted", version=99)
    operations.leave_scheme(a_client, period, left_on=date(2011, 9, 30), exit_reason="desisted",
                            version=period.version)
    db.session.flush()
    with pytest.raises(RuleBroken, match="already left"):
        operations.leave_scheme(a_client, period, left_on=date(2011, 10, 30), exit_reason="desisted",
                                version=period.version)


def test_custody_status_on_a_date_comes_from_the_history(app, a_client):
    record_custody_event(a_client, status="remand", from_date=date(2011, 5, 10), establishment="HMP Leeds")
    record_custody_event(a_client, status="custody", from_date=date(2011, 6, 1), establishment="HMP Leeds",
                         expected_release_on=date(2011, 12, 1))
    record_custody_event(a_client, status="community", from_date=date(2011, 12, 2))
    db.session.commit()

    def status(day):
        return db.session.scalar(select(queries.custody_status_on(day)).where(Client.id == a_client.id))
    assert status(date(2011, 5, 9)) == "community"     # before any event
    assert status(date(2011, 5, 10)) == "remand"       # the event's own day
    assert status(date(2011, 5, 31)) == "remand"       # the day before the next
    assert status(date(2011, 6, 1)) == "custody"
    assert status(date(2011, 12, 1)) == "custody"
    assert status(date(2011, 12, 2)) == "community"


def test_custody_change_in_the_future_or_twice_a_day_is_refused(app, a_client):
    with pytest.raises(RuleBroken, match="today or in the past"):
        record_custody_event(a_client, status="remand", from_date=today_in_london() + timedelta(days=1),
                             establishment="HMP Leeds")
    record_custody_event(a_client, status="remand", from_date=date(2011, 5, 10), establishment="HMP Leeds")
    with pytest.raises(RuleBroken, match="Only one change can be recorded a day"):
        record_custody_event(a_client, status="custody", from_date=date(2011, 5, 10), establishment="HMP Leeds")
    with pytest.raises(RuleBroken, match="prison or establishment"):
        record_custody_event(a_client, status="custody", from_date=date(2011, 5, 11))
    with pytest.raises(RuleBroken, match="on or after the date of the change"):
        record_custody_event(a_client, status="custody", from_date=date(2011, 5, 12), establishment="HMP Leeds",
                             expected_release_on=date(2011, 5, 1))


def test_custody_before_adoption_is_allowed(app, a_client):
    """Custody is a fact about the person: a remand before adoption is kept."""
    record_custody_event(a_client, status="remand", from_date=date(2010, 12, 1), establishment="HMP Hull")
    db.session.commit()


def test_pnc_id_must_be_unique(app, a_client):
    operations.update_client(a_client, {"pnc_id": "11/123456H"}, version=a_client.version)
    db.session.commit()
    with pytest.raises(RuleBroken, match="already recorded for client IOM-0001"):
        operations.add_client({"given_name": "X", "family_name": "Y", "pnc_id": "11/123456H"},
                              strand="catch_convict", joined_on=date(2011, 4, 1))


def test_update_records_field_changes_and_refuses_a_stale_version(app, a_client):
    from iom.audit.models import AuditEntry
    old_version = a_client.version
    changes = operations.update_client(a_client, {"ward": "Central", "risk_level": "high"}, version=old_version)
    db.session.commit()
    assert changes == {"risk_level": [None, "high"], "ward": [None, "Central"]}
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "client.updated")).one()
    assert entry.changes == {"risk_level": [None, "high"], "ward": [None, "Central"]}
    with pytest.raises(StaleEdit) as stale:
        operations.update_client(a_client, {"ward": "North"}, version=old_version)
    assert [(c.field, c.yours, c.saved) for c in stale.value.conflicts] == [("ward", "North", "Central")]
