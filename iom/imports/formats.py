"""The import format: which files (or sheets) there are, their columns, and which are required.

shared/contract.md ("Import files") is the law; this is it written down once for the reader,
the checks and the export."""
from dataclasses import dataclass


@dataclass(frozen=True)
class FileFormat:
    """One file of the import: clients.csv, or a sheet named clients (or clients.csv)."""

    kind: str
    columns: tuple[str, ...]
    required: frozenset[str]

    @property
    def file_name(self) -> str:
        return f"{self.kind}.csv"

    def column_list(self) -> str:
        return ", ".join(self.columns)


def _format(kind: str, *columns: str) -> FileFormat:
    """Columns written as in the contract: a trailing * marks a required one."""
    names = tuple(column.rstrip("*") for column in columns)
    required = frozenset(column.rstrip("*") for column in columns if column.endswith("*"))
    return FileFormat(kind, names, required)


# In the order they are checked, reported and written: clients first, since the others name them.
FORMATS: dict[str, FileFormat] = {f.kind: f for f in (
    _format("clients", "reference*", "given_name*", "family_name*", "date_of_birth", "pnc_id", "strand*",
            "programme", "joined_on*", "left_on", "exit_reason", "alcohol_related", "ward", "tier"),
    _format("custody", "reference*", "status*", "from_date*"),
    _format("referrals", "reference*", "kind*", "referred_on*", "agency", "status*", "closed_on"),
    _format("payments", "reference*", "paid_on*", "amount_gbp*", "purpose*", "purpose_category"),
    _format("sac", "month*", "serious_acquisitive_crimes*"),
    _format("budgets", "financial_year*", "amount_gbp*"),
    _format("offences", "reference*", "offence_on*", "offence_type*", "outcome", "crime_reference",
            "alcohol_involved"),
    _format("unit_costs", "offence_type*", "cost_gbp*", "price_year*", "source"),
)}

KIND_ORDER = {kind: index for index, kind in enumerate(FORMATS)}
FILE_NAMES = ", ".join(f.file_name for f in FORMATS.values())

# Columns whose cells a workbook may hold as dates although they name a month: Excel turns a
# typed "2011-12" into 1 December 2011, which reads back as the text it was typed as.
MONTH_COLUMNS = frozenset({"month", "financial_year", "price_year"})


def kind_of(name: str) -> str | None:
    """'clients.csv', 'Clients.CSV', 'clients' (a sheet) -> 'clients'; None for any other name."""
    stem = name.strip().lower()
    stem = stem[:-4] if stem.endswith(".csv") else stem
    return stem if stem in FORMATS else None
