"""The caseload's generation: a token that tells a worker whether what it kept is still what the database holds.

The table caseload_generation has one row. Triggers (migrations 0017 and 0018) set a new random token in it
on any change to what a caseload page shows: the clients (which hold their latest period and custody status,
iom/clients/latest.py), the offences, the score settings and gravity weights (the adoption scores), and the
accounts (the offender managers' names, the officer list); whichever way the change is made (the ORM, a
statement, the importer, a merge, a disposal, SQL typed by hand), in the same transaction as the change. So a
worker that keeps something it worked out under the token it read *before* reading the data may use it again
while the token is the same: any change since would have replaced it.

One row, not one for each kind of data: a transaction that changes a client and an offence, and another that
changes an offence and then a client, each lock the one row first and never wait for each other crosswise.

The token is read once a request, with the session's own statement (iom/auth/operations.py), so keeping
costs no statement of its own. It is the database's as the request began: a request that changes data itself
must not use what was kept (only pages that change nothing keep anything).
"""
from collections.abc import Callable
from typing import TypeVar

from flask import current_app, g, has_request_context
from sqlalchemy import BigInteger, Integer, select
from sqlalchemy.orm import Mapped, mapped_column

from iom.extensions import db


class CaseloadGeneration(db.Model):
    """One row: a token replaced by triggers on any change to what a caseload page shows (migrations 0017 and
    0018), so a worker may keep a page until it changes (iom/kept_pages.py). Nothing in the application
    writes it."""
    __tablename__ = "caseload_generation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[int] = mapped_column(BigInteger)


def columns() -> list:
    """The token as a scalar subquery, to read with another statement."""
    return [select(CaseloadGeneration.token).where(CaseloadGeneration.id == 1).scalar_subquery()
            .label("caseload_generation")]


_READ = select(*columns())


def remember(token: int) -> None:
    """Keep the token read with another statement for the rest of the request."""
    if has_request_context():
        g.caseload_generation = token


def current() -> int:
    """The token as this request began: read with its session, or now by one statement if not yet read."""
    token = g.get("caseload_generation") if has_request_context() else None
    if token is None:
        token = db.session.scalar(_READ)
        remember(token)
    return token


T = TypeVar("T")


def kept(name: str, make: Callable[[], T]) -> T:
    """What make() works out from the data the token covers, kept by this worker until the token changes: for
    what is no client's personal data and is read on every list page (the scoring in force, the offender
    managers for the filter). Whole pages are kept by iom/kept_pages.py. What is returned is shared: never
    change it."""
    token = current()
    store = current_app.extensions.setdefault("iom.generations", {})
    found = store.get(name)
    if found is not None and found[0] == token:
        return found[1]
    value = make()
    store[name] = (token, value)
    return value
