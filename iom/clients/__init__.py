"""The caseload: clients, their scheme periods, case notes, duplicates and merging, and the client pages."""
