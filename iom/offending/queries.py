"""Reads for the offending record. `unit_costs()` is the one place the cost of crime per offence
type is read: the client page, the reoffending figures and value for money all call it.

    unit_costs() -> {offence_type: UnitCostOfCrime(cost_gbp, price_year, source, is_default)}

every one of the contract's sixteen types, in its order (OFFENCE_TYPES): the partnership's own figure
(an OffenceUnitCost row, set by a manager or by unit_costs.csv) where there is one, else the
published default (iom.offending.unit_costs, is_default True). A type the published source does not
cost has the default cost £0.00 (`is_costed` False) until a local figure is set. One query."""
from collections.abc import Iterable
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from iom.extensions import db
from iom.money import PENNY
from iom.offending.models import OFFENCE_TYPES, Offence, OffenceUnitCost
from iom.offending.unit_costs import DEFAULT_UNIT_COSTS, PRICE_YEAR, SOURCE


class UnitCostOfCrime(NamedTuple):
    """The cost of one offence of a type, its price year and source; a tuple, so it unpacks."""

    cost_gbp: Decimal
    price_year: str
    source: str | None
    is_default: bool

    @property
    def is_costed(self) -> bool:
        """False for a type the published source gives no figure for, until a local one is set."""
        return self.cost_gbp > 0


UnitCostInForce = UnitCostOfCrime  # the name the figures' first draft used


def own_unit_costs() -> dict[str, OffenceUnitCost]:
    """The partnership's own figures, by offence type (types with none are absent)."""
    return {row.offence_type: row for row in db.session.scalars(select(OffenceUnitCost))}


def merged_unit_costs(own: dict[str, OffenceUnitCost]) -> dict[str, UnitCostOfCrime]:
    """Own figures over the published defaults, for every type in the contract's order."""
    costs = {}
    for offence_type in OFFENCE_TYPES:
        row = own.get(offence_type)
        if row is not None:
            costs[offence_type] = UnitCostOfCrime(Decimal(row.cost_gbp).quantize(PENNY), row.price_year,
                                                  row.source, False)
        else:
            costs[offence_type] = UnitCostOfCrime(DEFAULT_UNIT_COSTS[offence_type].cost_gbp, PRICE_YEAR, SOURCE,
                                                  True)
    return costs


def unit_costs() -> dict[str, UnitCostOfCrime]:
    """Every offence type's cost of one offence (see the module's docstring): one query."""
    return merged_unit_costs(own_unit_costs())


def cost_of(offences: Iterable[Offence], costs: dict[str, UnitCostOfCrime]) -> Decimal:
    """The cost of crime of some offences: each costs its type's unit cost."""
    return sum((costs[offence.offence_type].cost_gbp for offence in offences), Decimal("0.00"))


def offences_for(client_id: int) -> list[Offence]:
    """A client's offences, newest first (by the day committed, then the latest recorded): one query."""
    return list(db.session.scalars(select(Offence).options(joinedload(Offence.recorded_by))
                                   .where(Offence.client_id == client_id)
                                   .order_by(Offence.offence_on.desc(), Offence.id.desc())))


def load_offence(offence_id: int) -> Offence | None:
    return db.session.get(Offence, offence_id, options=[joinedload(Offence.recorded_by)], populate_existing=True)
