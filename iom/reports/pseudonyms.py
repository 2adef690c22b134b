"""Pseudonyms for clients in a year's review pack: a keyed hash, the same for a client throughout
one year's pack, different in another year's, and meaningless without the pseudonym key. That key is
the pseudonyms' own (PSEUDONYM_KEY, IOM_PSEUDONYM_KEY), not the session key, so rotating SECRET_KEY
leaves every pack's pseudonyms as they were.

pseudonym = "P-" + the first 10 hex digits of HMAC-SHA256(year key, client id), upper case, where
the year key is HMAC-SHA256(PSEUDONYM_KEY, "iom-annual-review:" + financial year)."""
import hashlib
import hmac
from collections.abc import Iterable

from flask import current_app

PREFIX = "P-"
SHORT = 10
LONG = 20  # used for the whole pack in the unlikely event two clients share a short pseudonym


def _year_key(financial_year: str, secret_key: str | bytes) -> bytes:
    secret = secret_key.encode("utf-8") if isinstance(secret_key, str) else secret_key
    return hmac.new(secret, f"iom-annual-review:{financial_year}".encode("ascii"), hashlib.sha256).digest()


def _digest(key: bytes, client_id: int) -> str:
    return hmac.new(key, str(int(client_id)).encode("ascii"), hashlib.sha256).hexdigest().upper()


class Pseudonyms:
    """The pseudonyms of one year's pack. Call it with a client id."""

    def __init__(self, financial_year: str, client_ids: Iterable[int] = (), secret_key: str | bytes | None = None):
        self.financial_year = financial_year
        self._key = _year_key(financial_year, secret_key if secret_key is not None
                              else current_app.config["PSEUDONYM_KEY"])
        self.length = SHORT
        ids = sorted(set(client_ids))
        if len({_digest(self._key, client_id)[:SHORT] for client_id in ids}) < len(ids):
            self.length = LONG

    def __call__(self, client_id: int) -> str:
        return PREFIX + _digest(self._key, client_id)[:self.length]


def pseudonym(client_id: int, financial_year: str, secret_key: str | bytes | None = None) -> str:
    """One client's pseudonym in one year's pack (short form)."""
    return Pseudonyms(financial_year, secret_key=secret_key)(client_id)


def find_client_id(code: str, financial_year: str, client_ids: Iterable[int],
                   secret_key: str | bytes | None = None) -> int | None:
    """Which of these clients carries the pseudonym in that year's pack (a manager's look-up)."""
    code = (code or "").strip().upper()
    if not code.startswith(PREFIX) or len(code) not in (len(PREFIX) + SHORT, len(PREFIX) + LONG):
        return None
    key = _year_key(financial_year, secret_key if secret_key is not None else current_app.config["PSEUDONYM_KEY"])
    wanted = code[len(PREFIX):]
    for client_id in client_ids:
        if hmac.compare_digest(_digest(key, client_id)[:len(wanted)], wanted):
            return client_id
    return None
