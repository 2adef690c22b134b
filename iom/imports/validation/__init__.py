"""Every rule an import must keep, checked before anything is written. All the faults are
collected, each tied to the file, the spreadsheet row and the column, in words the person who
keeps the spreadsheet can act on; a clean check yields the plan of rows to write.

One module per file of the import (clients, custody, referrals, payments, sac, budgets,
offences, unit_costs), over the shared reading of cells (cells, dates, money) and the fault
collector (collector)."""
from collections.abc import Callable
from datetime import date

from iom.imports.reading import Fault, ReadResult
from iom.imports.validation.budgets import check_budgets, check_budgets_cover_spending
from iom.imports.validation.clients import check_clients
from iom.imports.validation.collector import Checker, Plan
from iom.imports.validation.custody import check_custody
from iom.imports.validation.offences import check_offences
from iom.imports.validation.unit_costs import check_unit_costs
from iom.imports.validation.payments import check_payments
from iom.imports.validation.referrals import check_referrals
from iom.imports.validation.sac import check_sac

__all__ = ["Plan", "check"]


def check(read: ReadResult, today: date, progress: Callable[[int], None] | None = None) -> Plan:
    """Every rule over everything read; the plan says what would be written, or why not. `progress(n)`
    hears of each batch of n rows checked."""
    checker = Checker(read, today, progress)
    plan, tables = checker.plan, checker.tables
    if not tables and not plan.faults:
        label = read.sources[0].name if read.sources else "import"
        plan.faults.append(Fault(label, 1, None, "there is nothing to import: every file given is empty"))
    for table in tables.values():
        plan.rows_by_file[table.label] = len(table.rows)
    plan.existing_ids = checker.clients_in_database(checker.all_references())
    known = set(plan.existing_ids)
    if "clients" in tables:
        known |= check_clients(checker, tables["clients"])
    if "custody" in tables:
        check_custody(checker, tables["custody"], known)
    if "referrals" in tables:
        check_referrals(checker, tables["referrals"], known)
    budgets = check_budgets(checker, tables["budgets"]) if "budgets" in tables else {}
    if "payments" in tables:
        check_payments(checker, tables["payments"], known, budgets)
    elif budgets:
        check_budgets_cover_spending(checker, budgets)
    if "sac" in tables:
        check_sac(checker, tables["sac"])
    if "offences" in tables:
        check_offences(checker, tables["offences"], known)
    if "unit_costs" in tables:
        check_unit_costs(checker, tables["unit_costs"])
    plan.faults.sort(key=lambda fault: fault.sort_key)
    return plan
