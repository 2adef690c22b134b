"""Recording custody changes. Nothing is overwritten: each change is a new dated event."""
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import select

from iom import audit
from iom.clock import today_in_london, uk_date
from iom.custody.models import CUSTODY_STATUSES, CustodyEvent
from iom.custody.rules import change_on_day
from iom.extensions import db
from iom.rules import RuleBroken

if TYPE_CHECKING:  # custody is a fact about a client, beneath the clients area: only the type is needed
    from iom.clients.models import Client


def record_custody_event(client: "Client", *, status: str, from_date: date, establishment: str | None = None,
                         expected_release_on: date | None = None, recorded_by=None) -> CustodyEvent:
    """Record that from a date the client is in the community, on remand or in custody."""
    if status not in CUSTODY_STATUSES:
        raise RuleBroken("Select where they are now: community, remand or custody", "status")
    if from_date > today_in_london():
        raise RuleBroken("Date of the change must be today or in the past", "from_date")
    recorded = dict(db.session.execute(select(CustodyEvent.from_date, CustodyEvent.status)
                                       .where(CustodyEvent.client_id == client.id,
                                              CustodyEvent.from_date == from_date)).tuples().all())
    if (existing := change_on_day(recorded, from_date)) is not None:
        raise RuleBroken(f"A change is already recorded for {uk_date(from_date)} "
                         f"({CUSTODY_STATUSES[existing].lower()}). Only one change can be recorded a day",
                         "from_date")
    establishment = (establishment or "").strip() or None
    if status == "community":
        establishment, expected_release_on = None, None
    elif establishment is None:
        raise RuleBroken("Enter the prison or establishment", "establishment")
    if expected_release_on is not None and expected_release_on < from_date:
        raise RuleBroken("Expected release date must be on or after the date of the change",
                         "expected_release_on")
    event = CustodyEvent(client_id=client.id, status=status, from_date=from_date, establishment=establishment,
                         expected_release_on=expected_release_on,
                         recorded_by_id=recorded_by.id if recorded_by is not None else None)
    db.session.add(event)
    db.session.flush()
    audit.record("custody.recorded", f"Client {client.reference}: {CUSTODY_STATUSES[status].lower()} from {uk_date(from_date)}",
                 subject=client, changes={"custody_event": [None, event.id], "status": [None, status],
                                          "from_date": [None, from_date], "establishment": [None, establishment],
                                          "expected_release_on": [None, expected_release_on]})
    return event
