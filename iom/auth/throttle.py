"""Failed sign-ins counted by address and by account, in the database so every worker and host sees the
same counts. An address that fails too often, or across many accounts, is stopped; one account is refused
only to the address attacking it, so its owner still signs in from elsewhere; and an account takes at most
its hourly ceiling of failures (ASVS 4.0.3 2.2.1) from all addresses together."""
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import case, delete, func, select

from iom.auth.models import SignInFailure
from iom.clock import utcnow
from iom.extensions import db

HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class Limits:
    window: timedelta            # the span the address counts cover
    per_account_per_address: int  # failures against one account from one address in the window
    accounts_per_address: int     # different accounts failed from one address in the window
    per_address: int              # failures of any kind from one address in the window
    per_account_per_hour: int     # failures against one account from every address in an hour


def limits() -> Limits:
    config = current_app.config
    return Limits(config["SIGN_IN_WINDOW"], config["SIGN_IN_FAILURES_PER_ACCOUNT_PER_ADDRESS"],
                  config["SIGN_IN_ACCOUNTS_PER_ADDRESS"], config["SIGN_IN_FAILURES_PER_ADDRESS"],
                  config["SIGN_IN_FAILURES_PER_ACCOUNT_PER_HOUR"])


@dataclass(frozen=True)
class Refusal:
    """Why a sign-in is refused before any password is checked, and until when."""

    reason: str  # 'address' | 'account_from_address' | 'account'
    until: datetime


def _count(*conditions):
    return db.session.scalar(select(func.count()).select_from(SignInFailure).where(*conditions))


def _until(*conditions, lasting: timedelta) -> datetime:
    """When the oldest counted failure leaves the window: the refusal lifts then (or sooner)."""
    oldest = db.session.scalar(select(func.min(SignInFailure.failed_at)).where(*conditions))
    return (oldest or utcnow()) + lasting


def refusal(username: str, address: str) -> Refusal | None:
    """Whether this address may try this account now. Checked before the password, so a stopped
    address learns nothing. Two counting queries in all (the indexes cover both)."""
    rules = limits()
    now = utcnow()
    recent = now - rules.window
    from_address = (SignInFailure.address == address, SignInFailure.failed_at > recent)
    accounts, failures, against_this = db.session.execute(
        select(func.count(func.distinct(SignInFailure.username)), func.count(),
               func.coalesce(func.sum(case((SignInFailure.username == username, 1), else_=0)), 0))
        .where(*from_address)).one()
    if accounts >= rules.accounts_per_address or failures >= rules.per_address:
        return Refusal("address", _until(*from_address, lasting=rules.window))
    if against_this >= rules.per_account_per_address:
        return Refusal("account_from_address",
                       _until(*from_address, SignInFailure.username == username, lasting=rules.window))
    hour = (SignInFailure.username == username, SignInFailure.failed_at > now - HOUR)
    if _count(*hour) >= rules.per_account_per_hour:
        return Refusal("account", _until(*hour, lasting=HOUR))
    return None


def record_failure(username: str, address: str) -> None:
    """Count one failure (the caller commits), and forget failures older than an hour."""
    now = utcnow()
    db.session.execute(delete(SignInFailure).where(SignInFailure.failed_at <= now - max(HOUR, limits().window)))
    db.session.add(SignInFailure(username=username, address=address, failed_at=now))
    db.session.flush()


def forget_failures(username: str, address: str | None = None) -> None:
    """After a full sign-in from an address, its failures against the account no longer count (other
    addresses' still do); an administrator's reset forgets them all."""
    condition = [SignInFailure.username == username]
    if address is not None:
        condition.append(SignInFailure.address == address)
    db.session.execute(delete(SignInFailure).where(*condition))
