"""referrals.csv: a referral and the status it arrives in."""
from iom.imports.reading import Table
from iom.imports.validation.cells import choice, shown
from iom.imports.validation.collector import Checker
from iom.imports.validation.dates import parse_date
from iom.referrals.models import CLOSED_STATUSES, REFERRAL_KINDS, REFERRAL_STATUSES
from iom.referrals.rules import (CLOSED_BEFORE_REFERRED, CLOSED_ON_FUTURE, CLOSED_ON_MISSING, CLOSED_ON_NOT_CLOSED,
                                 closing_problem)

# The choices' cell parsers, made once: each remembers the texts it has read
KIND = choice(REFERRAL_KINDS, "a kind of referral")
STATUS = choice(REFERRAL_STATUSES, "a referral status")


def check_referrals(checker: Checker, table: Table, known: set[str]) -> None:
    for row in checker.rows(table):
        parsed = checker.person_row(table, row, known)
        checker.cell(table, parsed, "kind", KIND, required=True)
        checker.cell(table, parsed, "referred_on", parse_date, required=True)
        checker.not_future(table, parsed, "referred_on", "the date a referral was made")
        checker.cell(table, parsed, "agency", max_length=120)
        status = checker.cell(table, parsed, "status", STATUS, required=True)
        closed = checker.cell(table, parsed, "closed_on", parse_date)
        referred = parsed.values.get("referred_on")
        problem = closing_problem(status, closed, referred, today=checker.today, closed_given=bool(row["closed_on"]))
        if problem:
            checker.refuse(table, parsed, "closed_on", _closing_words(problem, status, row))
        if not parsed.failed:
            checker.plan.referrals.append({
                "reference": parsed.values["reference"], "kind": parsed.values["kind"],
                "referred_on": referred, "agency_other": parsed.values.get("agency"), "status": status,
                "closed_on": closed if status in CLOSED_STATUSES else None})


def _closing_words(problem: str, status: str | None, row) -> str:
    closed = shown(row["closed_on"])
    return {
        CLOSED_ON_MISSING: f"is empty, but the referral is {status}: enter the date it was {status}",
        CLOSED_ON_NOT_CLOSED: f"{closed} is given, but the referral is still {status}: empty this cell, or change "
                              "the status to completed, declined or withdrawn",
        CLOSED_ON_FUTURE: f"{closed} is in the future: the date a referral closed must be today or earlier",
        CLOSED_BEFORE_REFERRED: f"{closed} is before referred_on ({row['referred_on']}): a referral cannot close "
                                "before it was made",
    }[problem]
