"""The one importer, used by `flask --app iom import` and by the upload pages: check every rule,
then write everything and one audit entry in the caller's transaction (the caller commits)."""
import hashlib
from collections.abc import Callable
from decimal import Decimal

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from iom import audit
from iom.audit.models import AuditEntry
from iom.clock import today_in_london
from iom.extensions import db
from iom.imports import validation, writing
from iom.imports.reading import ReadResult, collector_paused
from iom.imports.validation import Plan
from iom.money import gbp

COUNT_LABELS = (
    ("clients", "new clients"),
    ("periods", "periods on the scheme"),
    ("custody_events", "custody events"),
    ("referrals", "referrals"),
    ("payments", "support payments"),
    ("sac_months", "months of serious acquisitive crime counts"),
    ("budgets", "yearly budgets"),
    ("offences", "offences"),
    ("unit_costs", "unit costs of crime"),
)
# Named only when the import has some: the offending record came later than the rest.
NAMED_WHEN_ANY = frozenset({"offences", "unit_costs"})
SINGULAR = {"new clients": "new client", "periods on the scheme": "period on the scheme",
            "custody events": "custody event", "referrals": "referral", "support payments": "support payment",
            "months of serious acquisitive crime counts": "month of serious acquisitive crime counts",
            "yearly budgets": "yearly budget", "offences": "offence", "unit costs of crime": "unit cost of crime"}


def counted(count: int, label: str) -> str:
    """(1, 'referrals') -> '1 referral'; (2, 'referrals') -> '2 referrals'."""
    return f"{count:,} {SINGULAR.get(label, label) if count == 1 else label}"


def counted_labels(counts: dict) -> list[tuple[str, str]]:
    """The (key, label) pairs to name for these counts, in order."""
    return [(key, label) for key, label in COUNT_LABELS if counts.get(key) or key not in NAMED_WHEN_ANY]


def record_check(action: str, summary: str, sources, *, actor_label: str | None = None, **changes) -> None:
    """Audit an import checked (import.checked) or refused (import.refused): the files by name, size and hash."""
    audit.record(action, summary, subject=("import", None), actor_label=actor_label,
                 changes={"files": [None, [{"name": s.name, "sha256": s.sha256, "bytes": s.size} for s in sources]],
                          **{key: [None, value] for key, value in changes.items()}})


def check_import(read: ReadResult, progress: Callable[[int], None] | None = None) -> Plan:
    """Every rule, against the database as it is now. It takes the budget locks of the years it
    checks (held until the caller commits the import or rolls back), but changes no figure.
    `progress(n)` hears of each batch of n rows checked."""
    with collector_paused():
        return validation.check(read, today_in_london(), progress)


def summary_lines(plan: Plan) -> list[str]:
    """What the import adds, one line each, for people."""
    counts = plan.counts()
    lines = []
    for key, label in counted_labels(counts):
        noun = SINGULAR.get(label, label) if counts[key] == 1 else label
        line = f"{counts[key]:>7,} {noun}"
        if key == "payments" and counts[key]:
            line += f" totalling {gbp(Decimal(counts['payments_total_gbp']))}"
        lines.append(line)
    if counts["sac_months_already_recorded"]:
        lines.append(f"{counts['sac_months_already_recorded']:>7,} crime count(s) already recorded with the same "
                     "number, left as they are")
    if counts["budgets_already_set"]:
        lines.append(f"{counts['budgets_already_set']:>7,} budget(s) already set to the same amount, left as they are")
    return lines


def files_digest(plan: Plan) -> str:
    combined = hashlib.sha256()
    for source in plan.sources:
        combined.update(f"{source.name}\0{source.sha256}\0".encode())
    return combined.hexdigest()


def import_caseload(plan: Plan, *, actor=None, actor_label: str | None = None,
                    progress: Callable[[int], None] | None = None) -> AuditEntry:
    """Write a checked plan and its one audit entry; flushes, never commits."""
    if not plan.is_valid:
        raise ValueError("an import with faults cannot be written")
    with collector_paused():
        replaced = writing.write_plan(plan, actor_id=actor.id if actor is not None else None, progress=progress)
    counts = plan.counts()
    names = ", ".join(source.name for source in plan.sources)
    return audit.record(
        "caseload.imported",
        f"Imported {names}: " + ", ".join(counted(counts[key], label) for key, label in counted_labels(counts)),
        subject=("import", files_digest(plan)[:16]),
        changes={
            "files": [None, [{"name": source.name, "sha256": source.sha256, "bytes": source.size,
                              "rows": plan.rows_by_file.get(source.name)} for source in plan.sources]],
            "rows_by_file": [None, plan.rows_by_file],
            "counts": [None, counts],
            **({"unit_costs_gbp": [None, replaced]} if replaced else {}),
        },
        actor=actor, actor_label=actor_label)


def refresh_planner_statistics() -> None:
    """After an import has committed: the query planner's statistics, so the caseload's queries are
    planned for the data now held (SQLite keeps none unless asked; PostgreSQL's autovacuum would
    catch up later). Not part of the import's transaction: a failure here loses nothing."""
    try:
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
