"""Generations: tokens that tell a worker whether what it kept is still what the database holds.

The table caseload_generation has a row for each kind of data a kept page is made from; triggers
(migrations 0017 and 0018) set a new random token in that row on any change to its tables, whichever way
the change is made (the ORM, a statement, the importer, a merge, a disposal, SQL typed by hand), in the same
transaction as the change. So a worker that keeps something it worked out under the tokens it read *before*
reading the data may use it again while the tokens are the same: any change since would have replaced one.

The tokens are read once a request, with the session's own statement (iom/auth/operations.py), so keeping
costs no statement of its own. They are the database's as the request began: a request that changes data
itself must not use what was kept (only pages that change nothing keep anything).
"""
from collections.abc import Callable
from typing import TypeVar

from flask import current_app, g, has_request_context
from sqlalchemy import BigInteger, Integer, select
from sqlalchemy.orm import Mapped, mapped_column

from iom.extensions import db

CLIENTS = 1      # client rows, which hold their latest period and custody status (iom/clients/latest.py)
OFFENDING = 2    # offences, the score settings and the gravity weights: what an adoption score is made of
ACCOUNTS = 3     # user accounts: the offender managers' names and the officer lists
ROWS = (CLIENTS, OFFENDING, ACCOUNTS)


class CaseloadGeneration(db.Model):
    """A token for each kind of data a kept page is made from (ROWS above: the clients, the offending
    and its scoring, the accounts), replaced by triggers on any change to its tables (migrations 0017 and
    0018), so a worker may keep a caseload page until one changes (iom/kept_pages.py). Nothing in the
    application writes it."""
    __tablename__ = "caseload_generation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[int] = mapped_column(BigInteger)


def columns() -> list:
    """The tokens as scalar subqueries, in ROWS order, to read with another statement."""
    return [select(CaseloadGeneration.token).where(CaseloadGeneration.id == row).scalar_subquery()
            .label(f"generation_{row}") for row in ROWS]


_READ = select(*columns())


def remember(tokens) -> None:
    """Keep the tokens read with another statement for the rest of the request."""
    if has_request_context():
        g.generations = tuple(tokens)


T = TypeVar("T")


def kept(name: str, rows: tuple, make: Callable[[], T]) -> T:
    """What make() works out from the data of these generation rows (e.g. (OFFENDING, ACCOUNTS)), kept by this
    worker until one of their tokens changes: for what is no client's personal data and is read on every
    list page (the scoring in force, the offender managers for the filter). Whole pages are kept by
    iom/kept_pages.py. What is returned is shared: never change it."""
    tokens = current()
    wanted = tuple(tokens[ROWS.index(row)] for row in rows)
    store = current_app.extensions.setdefault("iom.generations", {})
    found = store.get(name)
    if found is not None and found[0] == wanted:
        return found[1]
    value = make()
    store[name] = (wanted, value)
    return value


def current() -> tuple:
    """The tokens as this request began: read with its session, or now by one statement if not yet read."""
    tokens = g.get("generations") if has_request_context() else None
    if tokens is None:
        tokens = tuple(db.session.execute(_READ).one())
        remember(tokens)
    return tokens
