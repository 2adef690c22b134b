"""Each client's latest scheme period and latest custody status, kept on the client's own row, so the
caseload lists, counts, filters and sorts thousands of clients by plain columns instead of working out
every client's period and custody with correlated subqueries on every page.

They are derived, never typed: whenever a scheme period or a custody change is written, by the ORM
(the operations, merges, disposals, the demo) or as rows (the importer), the same transaction works
them out again from the rows themselves, here and nowhere else. Because nobody can date a joining or
a custody change after today, the latest period is the one covering today whenever any does, and the
latest custody change is the one in force today; a leaving day may be in the future, so whether the
client is on the scheme *today* is still decided at read time, from `latest_left_on`.

`check` finds any client whose kept columns differ from their rows (the suite runs it as every test's
database is torn down); `refresh(session)` works every client's out again."""
from sqlalchemy import Delete, Insert, Update, event, func, inspect, literal, or_, select, update
from sqlalchemy.orm import Session

from iom.clients.models import Client, SchemePeriod
from iom.custody.models import CustodyEvent

KEPT = ("latest_strand", "latest_joined_on", "latest_left_on", "latest_custody_status")
WATCHED = {SchemePeriod.__table__.name, CustodyEvent.__table__.name}
BATCH = 500   # client ids in one UPDATE's IN list, within every database's limit on parameters


def _derived(client):
    """The kept columns' values, worked out from the rows, for the client table (or an alias of it)."""
    periods, events = SchemePeriod.__table__.c, CustodyEvent.__table__.c

    def latest_period(column):
        return (select(column).where(periods.client_id == client.c.id)
                .order_by(periods.joined_on.desc(), periods.id.desc()).limit(1).scalar_subquery())
    status = (select(events.status).where(events.client_id == client.c.id)
              .order_by(events.from_date.desc(), events.id.desc()).limit(1).scalar_subquery())
    return {"latest_strand": latest_period(periods.strand), "latest_joined_on": latest_period(periods.joined_on),
            "latest_left_on": latest_period(periods.left_on),
            "latest_custody_status": func.coalesce(status, literal("community"))}


def refresh(session: Session, client_ids=None) -> None:
    """Work the kept columns out again for these clients (every client when None): one UPDATE (one a
    500 clients). The row's `updated_at` and `version` are left alone: this is no one's edit."""
    table = Client.__table__
    statement = update(table).values(**_derived(table), updated_at=table.c.updated_at)
    if client_ids is None:
        session.execute(statement)
    else:
        ids = sorted({client_id for client_id in client_ids if client_id is not None})
        for start in range(0, len(ids), BATCH):
            session.execute(statement.where(table.c.id.in_(ids[start:start + BATCH])))
    for instance in list(session.identity_map.values()):
        if isinstance(instance, Client) and (client_ids is None or instance.id in ids):
            session.expire(instance, KEPT)


def check(session: Session) -> list[int]:
    """Clients whose kept columns differ from their rows (none, unless something wrote around this module)."""
    table = Client.__table__
    derived = _derived(table)
    return list(session.scalars(select(table.c.id).where(or_(*(table.c[name].is_distinct_from(derived[name])
                                                               for name in KEPT))).order_by(table.c.id)))


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, flush_context) -> None:
    """Periods and custody changes flushed through the ORM: their clients' columns worked out again."""
    touched = set()
    for instance in (*session.new, *session.dirty, *session.deleted):
        if isinstance(instance, (SchemePeriod, CustodyEvent)):
            # and the client a row was moved from, if it was
            touched.update((instance.client_id, *(inspect(instance).attrs.client_id.history.deleted or ())))
    if touched:
        refresh(session, touched)


@event.listens_for(Session, "do_orm_execute")
def _statement(state):
    """Rows inserted, updated or deleted by statement (merges, disposals): the clients named in an INSERT's
    rows worked out again, or every client after an UPDATE or DELETE. (The importer hands its rows to the
    driver, round the Session, and calls refresh itself for the clients it wrote.)"""
    statement = state.statement
    if not isinstance(statement, (Insert, Update, Delete)) or statement.table.name not in WATCHED:
        return None
    result = state.invoke_statement()
    if isinstance(statement, Insert):
        rows = state.parameters if isinstance(state.parameters, list) else [state.parameters or {}]
        named = [row.get("client_id") for row in rows]
        refresh(state.session, named if all(named) and len(named) <= 20 * BATCH else None)
    else:
        refresh(state.session)
    return result
