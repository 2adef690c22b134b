"""unit_costs.csv: the partnership's own cost of one offence of a type, replacing the published
figure for that type. The rules are iom.offending.rules', worded here for a file."""
from iom.imports.reading import Row, Table
from iom.imports.validation.cells import shown
from iom.imports.validation.collector import Checker, Parsed
from iom.imports.validation.money import parse_amount
from iom.imports.validation.offences import offence_type, ruled
from iom.offending.rules import UNIT_COST_LIMIT, check_price_year

SOURCE_LENGTH = 2_000
price_year = ruled(check_price_year, lambda text: f"{shown(text)} is not a price year: write the financial year "
                   "the cost is priced in as YYYY-YY, for example 2015-16", lower=False)


def unit_cost(text: str):
    return parse_amount(text, allow_zero=False, limit=UNIT_COST_LIMIT, what="the cost of one offence")


def check_unit_costs(checker: Checker, table: Table) -> None:
    seen: dict[str, Row] = {}
    for row in checker.rows(table):
        parsed = Parsed(row)
        code = checker.cell(table, parsed, "offence_type", offence_type, required=True)
        checker.cell(table, parsed, "cost_gbp", unit_cost, required=True)
        checker.cell(table, parsed, "price_year", price_year, required=True)
        checker.cell(table, parsed, "source", max_length=SOURCE_LENGTH)
        if code is not None and code in seen:
            checker.refuse(table, parsed, "offence_type", f"{shown(row['offence_type'])} is also on row "
                           f"{seen[code].number}: an offence type has one cost, so keep one of the rows")
        elif code is not None:
            seen[code] = row
        if not parsed.failed:
            checker.plan.unit_costs.append({key: parsed.values[key]
                                            for key in ("offence_type", "cost_gbp", "price_year", "source")})
