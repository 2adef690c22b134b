"""Each client's latest scheme period and custody status, kept on the client row (iom/clients/latest.py),
agree with the rows after every kind of write: the operations, rows added or moved by statement (the
importer, a merge), rows edited and deleted through the ORM. (The app fixture checks every test's
database the same way as it tears down.)"""
from datetime import date, timedelta

from sqlalchemy import delete, insert, update

from iom.clients import latest, operations
from iom.clients.models import Client, SchemePeriod
from iom.custody.models import CustodyEvent
from iom.custody.operations import record_custody_event
from iom.extensions import db


def kept(client_id: int) -> tuple:
    db.session.expire_all()
    client = db.session.get(Client, client_id)
    return (client.latest_strand, client.latest_joined_on, client.latest_left_on, client.latest_custody_status)


def new_client(family: str, *, joined_on=date(2011, 4, 1), strand="catch_convict") -> Client:
    return operations.add_client({"given_name": "Kept", "family_name": family, "programme": "ppo",
                                  "alcohol_related": "no"}, strand=strand, joined_on=joined_on)


def test_the_operations_keep_the_latest_period_and_custody(ctx):
    client = new_client("Operations")
    db.session.commit()
    assert kept(client.id) == ("catch_convict", date(2011, 4, 1), None, "community")

    record_custody_event(client, status="custody", from_date=date(2011, 6, 1), establishment="HMP Leeds")
    record_custody_event(client, status="remand", from_date=date(2011, 5, 1), establishment="HMP Leeds")
    db.session.commit()
    assert kept(client.id)[3] == "custody"   # the latest by date, not the last recorded

    period = db.session.query(SchemePeriod).filter_by(client_id=client.id).one()
    operations.leave_scheme(db.session.get(Client, client.id), period, left_on=date(2012, 1, 31),
                            exit_reason="completed", version=period.version)
    db.session.commit()
    assert kept(client.id) == ("catch_convict", date(2011, 4, 1), date(2012, 1, 31), "custody")

    operations.adopt_client(db.session.get(Client, client.id), strand="prevent_deter", joined_on=date(2013, 2, 1))
    db.session.commit()
    assert kept(client.id) == ("prevent_deter", date(2013, 2, 1), None, "custody")
    assert latest.check(db.session) == []


def test_rows_written_by_statement_and_edited_or_deleted_through_the_orm(ctx):
    first, second = new_client("Statement"), new_client("Other", strand="resettle_rehabilitate")
    db.session.commit()
    db.session.execute(insert(CustodyEvent), [
        {"client_id": first.id, "status": "custody", "from_date": date(2011, 5, 1)},
        {"client_id": second.id, "status": "remand", "from_date": date(2011, 5, 2)}])
    db.session.commit()
    assert kept(first.id)[3] == "custody" and kept(second.id)[3] == "remand"

    db.session.execute(update(CustodyEvent).where(CustodyEvent.client_id == second.id).values(status="community"))
    db.session.commit()
    assert kept(second.id)[3] == "community"

    event = db.session.query(CustodyEvent).filter_by(client_id=first.id).one()
    event.from_date, event.status = date(2011, 5, 3), "remand"
    db.session.commit()
    assert kept(first.id)[3] == "remand"
    db.session.delete(db.session.query(CustodyEvent).filter_by(client_id=first.id).one())
    db.session.commit()
    assert kept(first.id)[3] == "community"

    db.session.execute(delete(SchemePeriod).where(SchemePeriod.client_id == second.id))
    db.session.commit()
    assert kept(second.id) == (None, None, None, "community")
    assert latest.check(db.session) == []


def test_a_row_moved_to_another_client_is_kept_on_both(ctx):
    kept_record, duplicate = new_client("Kept"), new_client("Duplicate", joined_on=date(2011, 9, 1))
    db.session.commit()
    record_custody_event(duplicate, status="custody", from_date=date(2011, 10, 1), establishment="HMP Leeds")
    db.session.commit()
    event = db.session.query(CustodyEvent).filter_by(client_id=duplicate.id).one()
    event.client_id = kept_record.id
    db.session.commit()
    assert kept(kept_record.id)[3] == "custody" and kept(duplicate.id)[3] == "community"


def test_a_merge_keeps_the_latest_period_and_custody(ctx):
    kept_record, duplicate = new_client("Merged"), new_client("Merged", joined_on=date(2011, 9, 1))
    db.session.commit()
    operations.leave_scheme(kept_record, db.session.query(SchemePeriod).filter_by(client_id=kept_record.id).one(),
                            left_on=date(2011, 8, 1), exit_reason="completed", version=1)
    record_custody_event(duplicate, status="custody", from_date=date(2011, 10, 1), establishment="HMP Leeds")
    db.session.commit()
    operations.merge_clients(db.session.get(Client, kept_record.id), db.session.get(Client, duplicate.id))
    db.session.commit()
    assert kept(kept_record.id) == ("catch_convict", date(2011, 9, 1), None, "custody")
    assert latest.check(db.session) == []


def test_an_import_keeps_them_for_its_new_clients_and_for_one_already_in_the_database(ctx):
    """The importer hands its rows to the driver, round the Session's statement events, and refreshes
    the clients it wrote itself."""
    from iom.imports import operations as imports
    from iom.imports.reading import read_named_files
    existing = new_client("Existing")
    db.session.commit()
    assert existing.latest_custody_status == "community"
    plan = imports.check_import(read_named_files([
        ("clients.csv", b"reference,given_name,family_name,strand,joined_on\nIOM-9001,New,Person,prevent_deter,"
                        b"2011-05-01\n"),
        ("custody.csv", f"reference,status,from_date\n{existing.reference},custody,2011-06-01\n"
                        "IOM-9001,remand,2011-06-02\n".encode())]))
    assert plan.is_valid, plan.faults
    imports.import_caseload(plan, actor_label="test")
    assert existing.latest_custody_status == "custody"      # the loaded client expired, not left as it was
    new = db.session.query(Client).filter_by(reference="IOM-9001").one()
    assert (new.latest_strand, new.latest_joined_on, new.latest_custody_status) == ("prevent_deter",
                                                                                      date(2011, 5, 1), "remand")
    db.session.commit()
    assert latest.check(db.session) == []


def test_check_finds_a_client_written_around_the_module(ctx):
    client = new_client("Around")
    db.session.commit()
    db.session.execute(update(Client.__table__).where(Client.__table__.c.id == client.id)
                       .values(latest_custody_status="custody"))
    assert latest.check(db.session) == [client.id]
    latest.refresh(db.session)
    assert latest.check(db.session) == []


def test_the_caseload_shows_a_leaving_day_still_to_come_as_on_the_scheme(app, ctx):
    from iom.clients.queries import CaseloadFilters, caseload
    client = new_client("Leaving", joined_on=date(2011, 4, 1))
    db.session.commit()
    period = db.session.query(SchemePeriod).filter_by(client_id=client.id).one()
    today = date(2011, 12, 1)
    period.left_on, period.exit_reason = today + timedelta(days=1), "completed"
    db.session.commit()
    for day, on in ((today, True), (today + timedelta(days=1), True), (today + timedelta(days=2), False)):
        shown = caseload(CaseloadFilters(scheme="on"), day).rows
        assert [row.client.id for row in shown] == ([client.id] if on else [])
        left = caseload(CaseloadFilters(scheme="left"), day).rows
        assert [row.client.id for row in left] == ([] if on else [client.id])
