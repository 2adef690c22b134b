"""referrals.csv: a referral and the status it arrives in."""
from iom.imports.reading import Table
from iom.imports.validation.cells import choice, shown
from iom.imports.validation.collector import Checker
from iom.imports.validation.dates import parse_date
from iom.referrals.models import CLOSED_STATUSES, REFERRAL_KINDS, REFERRAL_STATUSES


def check_referrals(checker: Checker, table: Table, known: set[str]) -> None:
    for row in table.rows:
        parsed = checker.person_row(table, row, known)
        checker.cell(table, parsed, "kind", choice(REFERRAL_KINDS, "a kind of referral"), required=True)
        checker.cell(table, parsed, "referred_on", parse_date, required=True)
        checker.cell(table, parsed, "agency", max_length=120)
        status = checker.cell(table, parsed, "status", choice(REFERRAL_STATUSES, "a referral status"), required=True)
        closed = checker.cell(table, parsed, "closed_on", parse_date)
        referred = parsed.values.get("referred_on")
        if status in CLOSED_STATUSES and not row["closed_on"] and "closed_on" not in parsed.failed:
            checker.fault(table, row, "closed_on", f"is empty, but the referral is {status}: enter the date it was "
                          f"{status}")
            parsed.failed.add("closed_on")
        elif status is not None and status not in CLOSED_STATUSES and row["closed_on"]:
            checker.fault(table, row, "closed_on", f"{shown(row['closed_on'])} is given, but the referral is still "
                          f"{status}: empty this cell, or change the status to completed, declined or withdrawn")
            parsed.failed.add("closed_on")
        elif closed is not None and referred is not None and closed < referred:
            checker.fault(table, row, "closed_on", f"{shown(row['closed_on'])} is before referred_on "
                          f"({row['referred_on']}): a referral cannot close before it was made")
            parsed.failed.add("closed_on")
        if not parsed.failed:
            checker.plan.referrals.append({
                "reference": parsed.values["reference"], "kind": parsed.values["kind"],
                "referred_on": referred, "agency_other": parsed.values.get("agency"), "status": status,
                "closed_on": closed if status in CLOSED_STATUSES else None})
