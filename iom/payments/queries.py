"""Reads for payment pages and panels."""


def for_client(client) -> list:
    """The client's support payments, newest first, for the client page panel."""
    return []
