"""Value for money on the cohort's own offending: the change in the cost of the crimes the clients
adopted in a financial year committed (the year after adoption against the year before, as
reoffending.before_and_after works it out for adoptions from 1 April to 31 March) set against what
the scheme cost in that year: its approved support payments, and the staff and other costs a manager
enters for the year (SchemeCost).

- *Fall in the cost of crime* = before − after (negative when the cohort's crime cost more after).
- *Net* = fall − what the scheme cost: positive when the fall more than paid for the scheme.
- *Break-even*: the cost of crime must fall by what the scheme cost; at the average cost of an
  offence the cohort committed in the year before adoption, that is so many fewer offences (rounded
  up to a whole offence).

Clients whose year after adoption has not ended are left out of both windows (the contract's
`not_yet_a_year`), so a year's figure is provisional until its last adoption is a year old; the date
it completes is given. The whole scheme's costs are set against the change in one year's adoptions
only, so the comparison errs against the scheme. Costs of crime are in the unit costs' price years and
the scheme's costs in the year's own prices: neither is adjusted for inflation."""
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal

from iom.clock import today_in_london
from iom.extensions import db
from iom.figures.reoffending import WINDOW_DAYS, Reoffending, before_and_after
from iom.offending.models import SchemeCost
from iom.payments.queries import YearPosition, year_summary
from iom.years import FinancialYear

PENNY = Decimal("0.01")
PAYMENTS_SOURCE = "Approved support payments dated in the year, from the tracker's payments ledger"


@dataclass
class CohortValue:
    financial_year: FinancialYear
    reoffending: Reoffending
    payments_gbp: Decimal
    payments_count: int
    scheme_cost: SchemeCost | None

    @property
    def counted(self) -> int:
        """Clients adopted in the year whose year after adoption has ended: those in both windows."""
        return self.reoffending.clients - self.reoffending.not_yet_a_year

    @property
    def complete_on(self) -> date | None:
        """The first day on which every client adopted in the year is counted; None once they all are."""
        waiting = [member.adopted_on for member in self.reoffending.members if not member.counted]
        return max(waiting) + timedelta(days=WINDOW_DAYS) if waiting else None

    @property
    def fall_in_cost_gbp(self) -> Decimal:
        return -self.reoffending.all.change_in_cost_gbp

    @property
    def fall_in_offences(self) -> int:
        return self.reoffending.before.offences - self.reoffending.after.offences

    @property
    def scheme_cost_gbp(self) -> Decimal | None:
        """Support payments plus staff and other costs; None until the staff and other costs are entered."""
        if self.scheme_cost is None:
            return None
        return self.payments_gbp + self.scheme_cost.staff_costs_gbp + self.scheme_cost.other_costs_gbp

    @property
    def net_gbp(self) -> Decimal | None:
        cost = self.scheme_cost_gbp
        return None if cost is None or not self.counted else self.fall_in_cost_gbp - cost

    @property
    def average_offence_cost_gbp(self) -> Decimal | None:
        """The average cost of an offence the cohort committed in the year before adoption."""
        before = self.reoffending.before
        if not before.offences or not before.cost_gbp:
            return None
        return (before.cost_gbp / before.offences).quantize(PENNY)

    @property
    def break_even_offences(self) -> int | None:
        """How many fewer offences, at the average cost, would pay for the scheme (rounded up)."""
        cost, average = self.scheme_cost_gbp, self.average_offence_cost_gbp
        if cost is None or average is None:
            return None
        return int((cost / average).to_integral_value(rounding=ROUND_CEILING))

    @property
    def uncosted_offences(self) -> int:
        """Offences in the two windows of types with no cost of crime (counted at £0.00)."""
        uncosted = {code for code, cost in self.reoffending.unit_costs.items() if not cost.cost_gbp}
        return sum(count for window in (self.reoffending.before, self.reoffending.after)
                   for code, count in window.by_type.items() if code in uncosted)

    @property
    def reason(self) -> str | None:
        """Why no net figure is worked out, in words; None when it is."""
        year = self.financial_year
        if not self.reoffending.clients:
            return f"No client was adopted in {year}, so there is no cohort whose offending can be compared."
        if not self.counted:
            return (f"No client adopted in {year} has yet had a full year since adoption, so there is nothing "
                    "to compare yet.")
        if self.scheme_cost is None:
            return (f"The scheme's staff and other costs for {year} have not been entered, so what the scheme cost "
                    "is not known and no net figure is worked out.")
        return None


def cohort_value_for_money(financial_year: FinancialYear, *, today: date | None = None,
                           reoffending: Reoffending | None = None, payments: YearPosition | None = None) -> CohortValue:
    """The value for money on the offending of the clients adopted in the year. Seven queries, four of
    them the before-and-after figures' and two the payments': pass `reoffending` or `payments` when they
    are already worked out for that year."""
    today = today or today_in_london()
    if reoffending is None:
        reoffending = before_and_after(financial_year.first_day, financial_year.last_day, today=today)
    payments = payments or year_summary(financial_year)
    return CohortValue(financial_year, reoffending, payments.approved.quantize(PENNY), payments.count,
                       db.session.get(SchemeCost, financial_year.label))
