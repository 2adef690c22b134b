"""Reads for the offending record."""
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import select

from iom.extensions import db
from iom.offending.models import OFFENCE_TYPES, OffenceUnitCost
from iom.offending.unit_costs import DEFAULT_UNIT_COSTS, PRICE_YEAR, SOURCE


class UnitCostInForce(NamedTuple):
    cost_gbp: Decimal
    price_year: str
    source: str | None
    is_default: bool


def unit_costs() -> dict[str, UnitCostInForce]:
    """The cost of one offence of each type now: the partnership's own figure where a manager or
    an import set one, else the published default (one query)."""
    own = {row.offence_type: row for row in db.session.scalars(select(OffenceUnitCost))}
    result = {}
    for offence_type in OFFENCE_TYPES:
        row = own.get(offence_type)
        if row is not None:
            result[offence_type] = UnitCostInForce(row.cost_gbp, row.price_year, row.source, False)
        else:
            result[offence_type] = UnitCostInForce(DEFAULT_UNIT_COSTS[offence_type].cost_gbp, PRICE_YEAR, SOURCE, True)
    return result
