"""The published cost of one crime of each offence type, used until a manager sets the
partnership's own (OffenceUnitCost).

Source: Home Office, *The economic and social costs of crime*, second edition (Heeks, Reed,
Tafsiri and Prince, Research Report 99, July 2018), Table 1, unit costs of crimes against
individuals, in 2015/16 prices: the total cost (in anticipation of, as a consequence of and in
response to the crime). The report costs crimes against individuals and households; it gives
no figure for the other types here (crimes against businesses are costed separately there,
and drug, public order and breach offences not at all). Those default to nothing rather than
to a borrowed figure, so the cost of crime never claims more than the source supports: their
offences are counted, but cost £0.00 until a manager sets a figure with its own source.
"""
from dataclasses import dataclass
from decimal import Decimal

from iom.offending.models import OFFENCE_TYPES

SOURCE = ("Home Office, The economic and social costs of crime, second edition, Research Report 99 "
          "(July 2018), Table 1")
PRICE_YEAR = "2015-16"


@dataclass(frozen=True)
class PublishedCost:
    cost_gbp: Decimal
    report_category: str | None  # the report's own name for the figure; None: not costed there


_PUBLISHED = {
    "domestic_burglary": PublishedCost(Decimal("5930.00"), "Domestic burglary"),
    "robbery": PublishedCost(Decimal("11320.00"), "Robbery (against individuals)"),
    "theft_of_vehicle": PublishedCost(Decimal("10290.00"), "Theft of vehicle"),
    "theft_from_vehicle": PublishedCost(Decimal("870.00"), "Theft from vehicle"),
    "theft_from_person": PublishedCost(Decimal("1380.00"), "Theft from person"),
    "violence_with_injury": PublishedCost(Decimal("14050.00"), "Violence with injury"),
    "violence_without_injury": PublishedCost(Decimal("5930.00"), "Violence without injury"),
    "criminal_damage": PublishedCost(Decimal("1350.00"), "Criminal damage (other than arson)"),
}
NOT_COSTED = PublishedCost(Decimal("0.00"), None)

DEFAULT_UNIT_COSTS: dict[str, PublishedCost] = {code: _PUBLISHED.get(code, NOT_COSTED) for code in OFFENCE_TYPES}
