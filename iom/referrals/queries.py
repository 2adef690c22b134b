"""Reads for referral pages and panels."""


def for_client(client, *, kinds: tuple[str, ...]) -> list:
    """The client's referrals of the given kinds, newest first, for the client page panel."""
    return []
