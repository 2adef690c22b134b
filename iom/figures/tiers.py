"""The cohort by the 2020 national IOM strategy's tiers (fixed, flex, free, or not set): how many of
those on the scheme on a day are in each, for the monthly figures (taken on the month's last day)."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select

from iom.clients.models import COHORT_TIERS, Client, SchemePeriod
from iom.extensions import db
from iom.figures.months import month_end

NOT_SET = "not_set"
TIER_LABELS = {**COHORT_TIERS, NOT_SET: "Not set"}


@dataclass(frozen=True)
class TierCounts:
    """Clients on the scheme on `day` in each tier; every tier present, 0 when nobody is in it."""

    day: date
    fixed: int = 0
    flex: int = 0
    free: int = 0
    not_set: int = 0

    @property
    def total(self) -> int:
        return self.fixed + self.flex + self.free + self.not_set

    def as_json(self) -> dict:
        """{"fixed": 12, "flex": 30, "free": 25, "not_set": 4}: the tiers in the strategy's order."""
        return {tier: getattr(self, tier) for tier in TIER_LABELS}


def tiers_on(day: date) -> TierCounts:
    """Clients on the scheme on a day (any strand; the contract's rule, the leaving day included), by
    tier: one statement."""
    on_scheme = (select(SchemePeriod.client_id)
                 .where(SchemePeriod.joined_on <= day, or_(SchemePeriod.left_on.is_(None), SchemePeriod.left_on >= day)))
    tier = func.coalesce(Client.tier, NOT_SET)
    rows = db.session.execute(select(tier, func.count()).where(Client.id.in_(on_scheme)).group_by(tier)).all()
    return TierCounts(day, **{name: count for name, count in rows if name in TIER_LABELS})


def month_tiers(month: date) -> TierCounts:
    """The month's tiers, taken on its last day as every monthly figure is."""
    return tiers_on(month_end(month))
