"""offences.csv: each client's offences, one row each. The rules are iom.offending.rules',
worded here for a file."""
from iom.clients.models import Client
from iom.imports.reading import Table
from iom.imports.validation.cells import Problem, either, shown
from iom.imports.validation.collector import Checker, Parsed, clients_by
from iom.imports.validation.dates import parse_date
from iom.offending.models import ALCOHOL_INVOLVED, OFFENCE_OUTCOMES, OFFENCE_TYPES
from iom.offending.rules import (CRIME_REFERENCE_LENGTH, OFFENCE_IN_FUTURE, check_alcohol_involved,
                                 check_crime_reference, check_offence_type, check_outcome, offence_date_problem)
from iom.rules import RuleBroken


def ruled(rule, words, *, lower: bool = True):
    """A cell parser that asks an offending rule, and words its refusal for the file."""
    def parse(text: str):
        try:
            return rule(text.strip().lower() if lower else text)
        except RuleBroken:
            raise Problem(words(text)) from None
    return parse


offence_type = ruled(check_offence_type, lambda text: f"{shown(text)} is not an offence type: use "
                     f"{either(OFFENCE_TYPES)}")
outcome = ruled(check_outcome, lambda text: f"{shown(text)} is not an outcome: use {either(OFFENCE_OUTCOMES)}")
alcohol_involved = ruled(check_alcohol_involved, lambda text: f"{shown(text)} is not an answer the service knows: "
                         f"use {either(ALCOHOL_INVOLVED)}")
crime_reference = ruled(check_crime_reference, lambda text: f"is {len(text)} characters long: it can be at most "
                        f"{CRIME_REFERENCE_LENGTH} characters", lower=False)


def check_offences(checker: Checker, table: Table, known: set[str]) -> None:
    rows: list[Parsed] = []
    for row in checker.rows(table):
        parsed = checker.person_row(table, row, known)
        checker.cell(table, parsed, "offence_on", parse_date, required=True)
        checker.cell(table, parsed, "offence_type", offence_type, required=True)
        checker.cell(table, parsed, "outcome", outcome)
        checker.cell(table, parsed, "crime_reference", crime_reference)
        checker.cell(table, parsed, "alcohol_involved", alcohol_involved)
        rows.append(parsed)
    born = _birthdays(checker, {p.values["reference"] for p in rows if p.ok("reference", "offence_on")})
    for parsed in rows:
        if parsed.ok("reference", "offence_on"):
            _check_day(checker, table, parsed, born.get(parsed.values["reference"]))
        if not parsed.failed:
            values = parsed.values
            checker.plan.offences.append({
                "reference": values["reference"], "offence_on": values["offence_on"],
                "offence_type": values["offence_type"], "outcome": values["outcome"],
                "crime_reference": values["crime_reference"],
                "alcohol_involved": values["alcohol_involved"] or "unknown"})


def _check_day(checker: Checker, table: Table, parsed: Parsed, date_of_birth) -> None:
    text = shown(parsed.row["offence_on"])
    problem = offence_date_problem(parsed.values["offence_on"], today=checker.today, date_of_birth=date_of_birth)
    if problem == OFFENCE_IN_FUTURE:
        checker.refuse(table, parsed, "offence_on", f"{text} is in the future: the date an offence was committed "
                       "must be today or earlier")
    elif problem:
        checker.refuse(table, parsed, "offence_on", f"{text} is before {parsed.values['reference']}'s date of "
                       f"birth ({date_of_birth.isoformat()}): check the date the offence was committed, or the "
                       "date of birth")


def _birthdays(checker: Checker, references: set[str]) -> dict:
    """Each person's date of birth, from clients.csv of this import or else the database."""
    born = {reference: checker.plan.birthdays[reference] for reference in references
            if reference in checker.plan.birthdays}
    return clients_by(Client.reference, Client.date_of_birth, references - set(born)) | born
