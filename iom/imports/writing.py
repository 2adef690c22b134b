"""Writing a checked import: bulk INSERT statements of many rows each (never one per row), in the
caller's transaction. Nothing here commits; nothing here checks a rule (the validation package has done that)."""
from collections.abc import Callable, Iterable

from sqlalchemy import bindparam, insert, select, update

from iom.figures.models import SacCount
from iom.clients.models import Client, SchemePeriod
from iom.clock import utcnow
from iom.custody.models import CustodyEvent
from iom.extensions import db
from iom.imports.validation import Plan
from iom.money import money_text
from iom.offending.models import Offence, OffenceUnitCost
from iom.payments.models import Budget, SupportPayment
from iom.referrals.models import Referral, ReferralStatusChange

CHUNK = 2000                      # rows handed to SQLAlchemy at a time (it batches them further)


def _table(model):
    """The model's Core table: no ORM work per row (several times faster for tens of thousands
    of rows). Every row of a batch carries the same keys."""
    return model.__table__


def _many(model):
    """An INSERT for many rows. Asking for the new ids back makes SQLAlchemy send the rows as
    multi-row VALUES ("insertmanyvalues"), a statement per thousand rows, where psycopg would
    otherwise send each row on its own (pipelined, but still a round of work per row)."""
    table = _table(model)
    return insert(table).returning(table.c.id)


IMPORTED_NOTE = "Imported from the partnership's records"


def _chunks(rows: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def write_plan(plan: Plan, *, actor_id: int | None = None,
               progress: Callable[[int], None] | None = None) -> dict[str, list]:
    """Insert everything the plan holds; `progress(n)` hears of each batch of n rows written.
    Returns the unit costs of crime it replaced, {offence type: [was, now]}, for the audit entry."""
    advance = progress or (lambda count: None)
    now = utcnow()
    ids = dict(plan.existing_ids)
    session = db.session

    for chunk in _chunks(plan.clients):
        rows = [{**client, "created_at": now, "updated_at": now, "version": 1} for client in chunk]
        ids.update((reference, client_id) for client_id, reference in session.execute(
            insert(_table(Client)).returning(_table(Client).c.id, _table(Client).c.reference), rows))
        advance(len(chunk))

    for chunk in _chunks(plan.periods):
        session.execute(_many(SchemePeriod), [
            {"client_id": ids[p["reference"]], "strand": p["strand"], "joined_on": p["joined_on"],
             "left_on": p["left_on"], "exit_reason": p["exit_reason"], "version": 1} for p in chunk])
        advance(len(chunk))

    for chunk in _chunks(plan.custody):
        session.execute(_many(CustodyEvent), [
            {"client_id": ids[e["reference"]], "status": e["status"], "from_date": e["from_date"],
             "recorded_at": now, "recorded_by_id": actor_id} for e in chunk])
        advance(len(chunk))

    referrals = _table(Referral)
    for chunk in _chunks(plan.referrals):
        # RETURNING what the history row needs, so no row has to be matched back to its input
        created = session.execute(
            insert(referrals).returning(referrals.c.id, referrals.c.status, referrals.c.referred_on,
                                        referrals.c.closed_on),
            [{"client_id": ids[r["reference"]], "kind": r["kind"], "referred_on": r["referred_on"],
              "agency_other": r["agency_other"], "status": r["status"], "closed_on": r["closed_on"],
              "created_by_id": actor_id, "created_at": now, "version": 1} for r in chunk]).all()
        # each referral's history starts with the status it arrives in
        session.execute(_many(ReferralStatusChange), [
            {"referral_id": referral_id, "from_status": None, "to_status": status,
             "changed_on": closed_on or referred_on, "changed_at": now, "changed_by_id": actor_id,
             "note": IMPORTED_NOTE} for referral_id, status, referred_on, closed_on in created])
        advance(2 * len(chunk))

    for chunk in _chunks(plan.payments):
        session.execute(_many(SupportPayment), [
            {"client_id": ids[p["reference"]], "amount_gbp": p["amount_gbp"], "paid_on": p["paid_on"],
             "financial_year": p["financial_year"], "purpose": p["purpose"], "detail": p["detail"],
             "status": "approved", "requested_by_id": actor_id, "requested_at": now, "decided_by_id": actor_id,
             "decided_at": now, "decision_note": IMPORTED_NOTE, "version": 1} for p in chunk])
        advance(len(chunk))

    if plan.sac:
        session.execute(insert(_table(SacCount)), [{"month": s["month"], "crimes": s["crimes"], "updated_at": now,
                                            "version": 1} for s in plan.sac])
        advance(len(plan.sac))
    if plan.budgets:
        # Budgets already in the database were checked to be the same; only new years are inserted.
        budgets = _table(Budget)
        years = [b["financial_year"] for b in plan.budgets]
        present = set(session.scalars(select(budgets.c.financial_year).where(budgets.c.financial_year.in_(years))))
        new = [{"financial_year": b["financial_year"], "amount_gbp": b["amount_gbp"], "version": 1}
               for b in plan.budgets if b["financial_year"] not in present]
        if new:
            session.execute(insert(budgets), new)
        if present:
            session.execute(update(budgets).where(budgets.c.financial_year == bindparam("year"))
                            .values(amount_gbp=bindparam("amount"), version=budgets.c.version + 1),
                            [{"year": b["financial_year"], "amount": b["amount_gbp"]} for b in plan.budgets
                             if b["financial_year"] in present])
        advance(len(plan.budgets))

    for chunk in _chunks(plan.offences):
        session.execute(_many(Offence), [
            {"client_id": ids[o["reference"]], "offence_on": o["offence_on"], "offence_type": o["offence_type"],
             "outcome": o["outcome"], "crime_reference": o["crime_reference"],
             "alcohol_involved": o["alcohol_involved"], "recorded_at": now, "recorded_by_id": actor_id, "version": 1}
            for o in chunk])
        advance(len(chunk))
    replaced = _write_unit_costs(plan.unit_costs, now=now, actor_id=actor_id)
    advance(len(plan.unit_costs))
    session.flush()
    return replaced


def _write_unit_costs(costs: list[dict], *, now, actor_id: int | None) -> dict[str, list]:
    """Each type's cost set (its row replaced when the partnership had one: "replaces the cost of
    crime used for that offence type"); what was there before, as the audit trail writes money."""
    if not costs:
        return {}
    table = _table(OffenceUnitCost)
    session = db.session
    before = dict(session.execute(select(table.c.offence_type, table.c.cost_gbp)
                                  .where(table.c.offence_type.in_([c["offence_type"] for c in costs]))).tuples().all())
    new = [{**cost, "set_at": now, "set_by_id": actor_id, "version": 1} for cost in costs
           if cost["offence_type"] not in before]
    if new:
        session.execute(insert(table), new)
    if len(new) < len(costs):
        session.execute(update(table).where(table.c.offence_type == bindparam("type"))
                        .values(cost_gbp=bindparam("cost"), price_year=bindparam("year"), source=bindparam("said"),
                                set_at=now, set_by_id=actor_id, version=table.c.version + 1),
                        [{"type": c["offence_type"], "cost": c["cost_gbp"], "year": c["price_year"],
                          "said": c["source"]} for c in costs if c["offence_type"] in before])
    return {c["offence_type"]: [money_text(before.get(c["offence_type"])), money_text(c["cost_gbp"])] for c in costs}
