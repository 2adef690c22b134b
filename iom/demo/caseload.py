"""The fictional caseload. Filled in as each area of the service lands."""


def generate(seed: int) -> None:
    """Add the fictional caseload to the current transaction."""
    return None
