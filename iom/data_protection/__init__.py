"""The data protection duties (docs/data-protection.md): the retention rule, with its review list and
the disposal that erases a person's personal data while keeping what the published figures count, and
the subject access export of one person's whole record."""
