"""Writing a checked import in bulk, never a statement's work per row: on SQLite one INSERT stepped
through each batch of rows (executemany), on PostgreSQL INSERTs of a thousand rows each, in the
caller's transaction. Nothing here commits; nothing here checks a rule (the validation package has done that)."""
from collections.abc import Callable, Iterable

from sqlalchemy import bindparam, insert, select, update

from iom.figures.models import SacCount
from iom.clients import latest
from iom.clients.models import Client, SchemePeriod
from iom.clock import utcnow
from iom.custody.models import CustodyEvent
from iom.extensions import db
from iom.imports.validation import Plan
from iom.money import money_text
from iom.offending.models import Offence, OffenceUnitCost
from iom.payments.models import Budget, SupportPayment
from iom.referrals.models import Referral, ReferralStatusChange

CHUNK = 2000                      # rows handed to the database at a time (and to progress)
IN_LIST = 500                     # values in one IN (...) list, within every database's limit on parameters


def _table(model):
    """The model's Core table: no ORM work per row (several times faster for tens of thousands
    of rows). Every row of a batch carries the same keys."""
    return model.__table__


# What the plan gives for each new client (the match key worked out by the check, as the model's default would)
CLIENT_COLUMNS = ("reference", "given_name", "family_name", "date_of_birth", "pnc_id", "programme", "alcohol_related",
                  "ward", "tier", "match_key")
IMPORTED_NOTE = "Imported from the partnership's records"


def _chunks(rows: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


class _Inserts:
    """Rows handed straight to the driver, for files of tens of thousands of rows: each table's INSERT
    built once, each value converted as SQLAlchemy would convert it (the column's own bind processor,
    once per distinct value), and none of SQLAlchemy's work per row, which was most of the import's
    writing time. Through the connection's exec_driver_sql, so the statements are still SQLAlchemy's
    to log and count, and a refusal is still its IntegrityError.

    This bypasses the Session's statement events, so iom.clients.latest does not hear of these rows:
    the caller refreshes the imported clients' kept columns itself (write_plan does, once, at the end)."""

    PLACEHOLDERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}   # sqlite3's and psycopg's

    def __init__(self, session):
        self.connection = session.connection()
        self.dialect = self.connection.dialect
        self.placeholder = self.PLACEHOLDERS[self.dialect.paramstyle]
        self.built: dict = {}

    def statement(self, model, columns: tuple[str, ...], fixed: dict) -> tuple[str, list, tuple]:
        """The INSERT, built once per table for all its batches."""
        key = (model, columns, tuple(fixed.items()))
        if key not in self.built:
            self.built[key] = self._build(model, columns, fixed)
        return self.built[key]

    def _build(self, model, columns: tuple[str, ...], fixed: dict) -> tuple[str, list, tuple]:
        """The INSERT, each varying column's converter, and the fixed columns' converted values. A column
        with a Python-side default must be given (as a varying or fixed column) unless that default is a
        plain value, which is then written as SQLAlchemy would have written it."""
        table = _table(model)
        fixed = dict(fixed)
        for column in table.c:
            if column.default is not None and column.key not in fixed and column.key not in columns:
                if not column.default.is_scalar:
                    raise ValueError(f"{table.name}.{column.key} has a computed default: give its value")
                fixed[column.key] = column.default.arg
        names = (*columns, *fixed)
        quote = self.dialect.identifier_preparer.quote
        listed, marks = ", ".join(quote(name) for name in names), ", ".join([self.placeholder] * len(names))
        sql = f"INSERT INTO {quote(table.name)} ({listed}) VALUES ({marks})"  # nosec B608: names from the models
        converters = [self._converter(table.c[name]) for name in columns]
        constants = []
        for name, value in fixed.items():
            convert = self._converter(table.c[name])
            constants.append(value if convert is None else convert(value))
        return sql, converters, tuple(constants)

    def _converter(self, column):
        process = column.type._cached_bind_processor(self.dialect)
        if process is None:
            return None
        seen: dict = {}

        def convert(value):
            # the same dates, statuses and ids recur across thousands of rows: convert each once
            try:
                return seen[value]
            except KeyError:
                converted = seen[value] = process(value)
                return converted
        return convert

    def _rows(self, converters: list, constants: tuple, rows: Iterable[tuple]) -> list[tuple]:
        """Each row's values converted, the fixed columns' after them."""
        active = [(index, convert) for index, convert in enumerate(converters) if convert is not None]
        written = []
        for row in rows:
            if active:
                row = list(row)
                for index, convert in active:
                    row[index] = convert(row[index])
                row = tuple(row)
            written.append(row + constants)
        return written

    def write(self, model, columns: tuple[str, ...], rows: Iterable[tuple], fixed: dict, *,
              as_returned: bool = False) -> None:
        """as_returned: the rows' values are the driver's own already (as RETURNING gave them), so they
        are not converted again."""
        sql, converters, constants = self.statement(model, columns, fixed)
        if as_returned:
            converters = [None] * len(converters)
        written = self._rows(converters, constants, rows)
        if not written:
            return
        if self.dialect.name == "sqlite":
            self.connection.exec_driver_sql(sql, written)   # in-process: a row costs a step, not a round trip
        else:
            self._multirow(sql, written, "")                # one statement of many rows, not one per row

    def write_returning(self, model, columns: tuple[str, ...], rows: list[tuple], fixed: dict,
                        returning: tuple[str, ...]) -> list[tuple]:
        """The same rows as multi-row INSERT ... VALUES (...), (...) RETURNING `returning`; the values come
        back as the driver gives them (for writing into other rows, not for reading)."""
        sql, converters, constants = self.statement(model, columns, fixed)
        written = self._rows(converters, constants, rows)
        if not written:
            return []
        quote = self.dialect.identifier_preparer.quote
        return self._multirow(sql, written, f" RETURNING {', '.join(quote(name) for name in returning)}")

    def _multirow(self, sql: str, written: list[tuple], tail: str) -> list[tuple]:
        """As many rows a statement as the dialect's limit on parameters allows (a thousand at most)."""
        head, values = sql.split(" VALUES ", 1)
        per_statement = max(1, min(1000, self.dialect.insertmanyvalues_max_parameters // len(written[0])))
        returned = []
        for start in range(0, len(written), per_statement):
            batch = written[start:start + per_statement]
            result = self.connection.exec_driver_sql(head + " VALUES " + ", ".join([values] * len(batch)) + tail,
                                                     tuple(value for row in batch for value in row))
            if tail:
                returned.extend(result.all())
        return returned


def write_plan(plan: Plan, *, actor_id: int | None = None,
               progress: Callable[[int], None] | None = None) -> dict[str, list]:
    """Insert everything the plan holds; `progress(n)` hears of each batch of n rows written.
    Returns the unit costs of crime it replaced, {offence type: [was, now]}, for the audit entry."""
    advance = progress or (lambda count: None)
    now = utcnow()
    ids = dict(plan.existing_ids)
    session = db.session
    inserts = _Inserts(session)
    touched: set[int] = set()          # clients given periods or custody changes: their kept columns

    clients = _table(Client)
    for chunk in _chunks(plan.clients, IN_LIST):
        inserts.write(Client, CLIENT_COLUMNS, [tuple(client[name] for name in CLIENT_COLUMNS) for client in chunk],
                      {"created_at": now, "updated_at": now, "version": 1})
        # their ids, by the references just written (unique): the driver's executemany returns none
        written = [client["reference"] for client in chunk]
        ids.update(session.execute(select(clients.c.reference, clients.c.id)
                                   .where(clients.c.reference.in_(written))).tuples().all())
        advance(len(chunk))

    for chunk in _chunks(plan.periods):
        rows = [(ids[p["reference"]], p["strand"], p["joined_on"], p["left_on"], p["exit_reason"]) for p in chunk]
        inserts.write(SchemePeriod, ("client_id", "strand", "joined_on", "left_on", "exit_reason"), rows,
                      {"version": 1})
        touched.update(row[0] for row in rows)
        advance(len(chunk))

    for chunk in _chunks(plan.custody):
        rows = [(ids[e["reference"]], e["status"], e["from_date"]) for e in chunk]
        inserts.write(CustodyEvent, ("client_id", "status", "from_date"), rows,
                      {"recorded_at": now, "recorded_by_id": actor_id})
        touched.update(row[0] for row in rows)
        advance(len(chunk))

    for chunk in _chunks(plan.referrals):
        # RETURNING what the history row needs, so no row has to be matched back to its input
        created = inserts.write_returning(
            Referral, ("client_id", "kind", "referred_on", "agency_other", "status", "closed_on"),
            [(ids[r["reference"]], r["kind"], r["referred_on"], r["agency_other"], r["status"], r["closed_on"])
             for r in chunk],
            {"created_by_id": actor_id, "created_at": now, "version": 1},
            returning=("id", "status", "referred_on", "closed_on"))
        # each referral's history starts with the status it arrives in
        inserts.write(ReferralStatusChange, ("referral_id", "to_status", "changed_on"),
                      [(referral_id, status, closed_on or referred_on)
                       for referral_id, status, referred_on, closed_on in created],
                      {"from_status": None, "changed_at": now, "changed_by_id": actor_id, "note": IMPORTED_NOTE},
                      as_returned=True)
        advance(2 * len(chunk))

    for chunk in _chunks(plan.payments):
        inserts.write(SupportPayment, ("client_id", "amount_gbp", "paid_on", "financial_year", "purpose", "detail"),
                      [(ids[p["reference"]], p["amount_gbp"], p["paid_on"], p["financial_year"], p["purpose"],
                        p["detail"]) for p in chunk],
                      {"status": "approved", "requested_by_id": actor_id, "requested_at": now,
                       "decided_by_id": actor_id, "decided_at": now, "decision_note": IMPORTED_NOTE, "version": 1})
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
        inserts.write(Offence, ("client_id", "offence_on", "offence_type", "outcome", "crime_reference",
                                "alcohol_involved"),
                      [(ids[o["reference"]], o["offence_on"], o["offence_type"], o["outcome"], o["crime_reference"],
                        o["alcohol_involved"]) for o in chunk],
                      {"recorded_at": now, "recorded_by_id": actor_id, "version": 1})
        advance(len(chunk))
    replaced = _write_unit_costs(plan.unit_costs, now=now, actor_id=actor_id)
    advance(len(plan.unit_costs))
    if touched:
        latest.refresh(session, touched)
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
