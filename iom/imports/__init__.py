"""Bringing in the partnership's existing records (the import format in shared/contract.md), and
writing the caseload back out in the same format."""
