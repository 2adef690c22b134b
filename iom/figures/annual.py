"""The end-of-year figures beyond the monthly ones: scheme flow, the cohort, custody, referrals and
payments in detail, the watch list, value for money and data quality.

Like figures.py, each function runs a fixed handful of statements whatever the size of the
caseload, and returns exact counts: small-count suppression and pseudonyms are applied later,
when the review pack is assembled (iom/reports/pack.py). Money is Decimal; days are dates."""
from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from statistics import median
from typing import Sequence

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import aliased

from iom.figures.monthly import IN_CUSTODY, MonthlyFigures, clients_on_scheme_in
from iom.figures.models import SacCount
from iom.figures.months import add_months, has_ended, month_text
from iom.clients.models import ALCOHOL, EXIT_REASONS, PROGRAMMES, CaseNote, Client, SchemePeriod
from iom.clock import LONDON, today_in_london
from iom.custody.models import CustodyEvent
from iom.extensions import db
from iom.payments.models import ACHIEVEMENTS, PURPOSES, SupportPayment
from iom.referrals.models import (CLOSED_STATUSES, DUTY_TO_REFER_OUTCOMES, REFERRAL_KINDS, REFERRAL_OUTCOMES, Referral,
                                  ReferralStatusChange)
from iom.watch.models import WATCH_OUTCOMES, WatchEntry
from iom.years import FinancialYear

NOT_RECORDED = "not_recorded"
# (code, label, youngest, oldest): age on the last day of the year
AGE_BANDS = (
    ("under_18", "Under 18", 0, 17),
    ("18_to_24", "18 to 24", 18, 24),
    ("25_to_34", "25 to 34", 25, 34),
    ("35_to_44", "35 to 44", 35, 44),
    ("45_to_54", "45 to 54", 45, 54),
    ("55_and_over", "55 and over", 55, None),
)
STALE_AFTER_DAYS = 90
MONEY = Decimal("0.01")


def _in_year(column, first: date, last: date):
    return and_(column >= first, column <= last)


def _covers(day: date):
    """A scheme period covering the day (the leaving day still counts)."""
    return and_(SchemePeriod.joined_on <= day, or_(SchemePeriod.left_on.is_(None), SchemePeriod.left_on >= day))


def _as_date(value) -> date | None:
    if isinstance(value, str):  # SQLite may hand an aggregate of dates back as text
        return date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        return value.date()
    return value


def years_with_data(today: date | None = None) -> list[FinancialYear]:
    """Financial years from the first recorded activity to the current one, newest first."""
    today = today or today_in_london()
    firsts = db.session.execute(select(
        select(func.min(SchemePeriod.joined_on)).scalar_subquery(),
        select(func.min(SacCount.month)).scalar_subquery(),
        select(func.max(SchemePeriod.joined_on)).scalar_subquery(),
        select(func.max(SacCount.month)).scalar_subquery(),
    )).one()
    days = [_as_date(day) for day in firsts if day is not None] + [today]
    first, last = FinancialYear.of(min(days)), FinancialYear.of(max(days))
    return [FinancialYear(start) for start in range(last.start, first.start - 1, -1)]


# --- scheme flow and the cohort -----------------------------------------------------------------

def scheme_flow(financial_year: FinancialYear) -> dict:
    """Adoptions (new and re-adopted), leavers by reason, and who was on the scheme at each end.

    An adoption is a scheme period that starts in the year; it is a re-adoption when the same
    client had an earlier period. A leaver is a period whose leaving day falls in the year."""
    first, last = financial_year.first_day, financial_year.last_day
    earlier = aliased(SchemePeriod)
    has_earlier = (select(earlier.id)
                   .where(earlier.client_id == SchemePeriod.client_id, earlier.joined_on < SchemePeriod.joined_on)
                   .exists())
    adopted, re_adopted, clients_adopted = db.session.execute(
        select(func.count(), func.coalesce(func.sum(case((has_earlier, 1), else_=0)), 0),
               func.count(func.distinct(SchemePeriod.client_id)))
        .where(_in_year(SchemePeriod.joined_on, first, last))
    ).one()
    left_rows = db.session.execute(
        select(SchemePeriod.exit_reason, func.count())
        .where(_in_year(SchemePeriod.left_on, first, last)).group_by(SchemePeriod.exit_reason)
    ).all()
    at_start, at_end, during = db.session.execute(select(
        func.count(func.distinct(case((_covers(first), SchemePeriod.client_id)))),
        func.count(func.distinct(case((_covers(last), SchemePeriod.client_id)))),
        func.count(func.distinct(case((and_(SchemePeriod.joined_on <= last,
                                            or_(SchemePeriod.left_on.is_(None), SchemePeriod.left_on >= first)),
                                       SchemePeriod.client_id)))),
    )).one()
    left_by_reason = {reason: 0 for reason in EXIT_REASONS}
    for reason, count in left_rows:
        left_by_reason[reason or "other"] = left_by_reason.get(reason or "other", 0) + count
    return {
        "on_scheme_at_start": int(at_start),
        "on_scheme_at_end": int(at_end),
        "on_scheme_during_year": int(during),
        "adopted": int(adopted),
        "new_to_scheme": int(adopted) - int(re_adopted),
        "re_adopted": int(re_adopted),
        "clients_adopted": int(clients_adopted),
        "left": sum(left_by_reason.values()),
        "left_by_reason": left_by_reason,
    }


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def age_band(born: date | None, day: date) -> str:
    if born is None:
        return NOT_RECORDED
    age = age_on(born, day)
    for code, _, youngest, oldest in AGE_BANDS:
        if age >= youngest and (oldest is None or age <= oldest):
            return code
    return AGE_BANDS[0][0]


def cohort(financial_year: FinancialYear) -> dict:
    """Clients on the scheme on at least one day of the year, by age band (their age on the
    year's last day), programme of origin and alcohol-related offending."""
    first, last = financial_year.first_day, financial_year.last_day
    in_year = clients_on_scheme_in(first, last).subquery()
    rows = db.session.execute(
        select(Client.date_of_birth, Client.programme, Client.alcohol_related)
        .where(Client.id.in_(select(in_year.c.client_id)))
    ).all()
    by_age = {code: 0 for code, *_ in AGE_BANDS} | {NOT_RECORDED: 0}
    by_programme = {code: 0 for code in PROGRAMMES}
    by_alcohol = {code: 0 for code in ALCOHOL}
    for born, programme, alcohol in rows:
        by_age[age_band(born, last)] += 1
        by_programme[programme] = by_programme.get(programme, 0) + 1
        by_alcohol[alcohol] = by_alcohol.get(alcohol, 0) + 1
    return {"clients": len(rows), "by_age_band": by_age, "by_programme": by_programme,
            "by_alcohol_related": by_alcohol, "ages_taken_on": last}


# --- custody ----------------------------------------------------------------------------------

def custody(financial_year: FinancialYear) -> dict:
    """Custody and remand of clients while they were on the scheme.

    Events count when the client was on the scheme on the event's day: a remand starts when the
    status becomes remand, custody when it becomes custody (from the community or from remand),
    a release when it returns to community from either."""
    first, last = financial_year.first_day, financial_year.last_day
    in_year = select(clients_on_scheme_in(first, last).subquery().c.client_id)
    periods: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for client_id, joined_on, left_on in db.session.execute(
            select(SchemePeriod.client_id, SchemePeriod.joined_on, SchemePeriod.left_on)
            .where(SchemePeriod.client_id.in_(in_year), SchemePeriod.joined_on <= last,
                   or_(SchemePeriod.left_on.is_(None), SchemePeriod.left_on >= first))):
        periods[client_id].append((max(joined_on, first), min(left_on or last, last)))
    events: dict[int, list[tuple[date, str]]] = defaultdict(list)
    for client_id, from_date, status in db.session.execute(
            select(CustodyEvent.client_id, CustodyEvent.from_date, CustodyEvent.status)
            .where(CustodyEvent.client_id.in_(in_year), CustodyEvent.from_date <= last)
            .order_by(CustodyEvent.client_id, CustodyEvent.from_date)):
        events[client_id].append((from_date, status))

    def on_scheme(client_id: int, day: date) -> bool:
        return any(start <= day <= end for start, end in periods[client_id])

    def status_on(client_id: int, day: date) -> str:
        status = "community"
        for from_date, event_status in events[client_id]:
            if from_date > day:
                break
            status = event_status
        return status

    result = {"in_custody_or_remand_at_start": 0, "in_custody_or_remand_at_end": 0, "remands_started": 0,
              "custody_started": 0, "releases": 0, "clients_in_custody_or_remand": 0,
              "days_in_custody_or_remand": 0}
    for client_id in periods:
        for day, key in ((first, "in_custody_or_remand_at_start"), (last, "in_custody_or_remand_at_end")):
            if on_scheme(client_id, day) and status_on(client_id, day) in IN_CUSTODY:
                result[key] += 1
        history = events[client_id]
        days_inside = 0
        for index, (from_date, status) in enumerate(history):
            previous = history[index - 1][1] if index else "community"
            if first <= from_date <= last and on_scheme(client_id, from_date):
                if status == "remand" and previous != "remand":
                    result["remands_started"] += 1
                elif status == "custody" and previous != "custody":
                    result["custody_started"] += 1
                elif status == "community" and previous in IN_CUSTODY:
                    result["releases"] += 1
            if status in IN_CUSTODY:
                until = history[index + 1][0] - timedelta(days=1) if index + 1 < len(history) else last
                start, end = max(from_date, first), min(until, last)
                for period_start, period_end in periods[client_id]:
                    overlap = (min(end, period_end) - max(start, period_start)).days + 1
                    days_inside += max(overlap, 0)
        if days_inside:
            result["clients_in_custody_or_remand"] += 1
            result["days_in_custody_or_remand"] += days_inside
    return result


# --- referrals ----------------------------------------------------------------------------------

def referral_details(financial_year: FinancialYear) -> dict:
    """Per kind, referrals closed in the year: how they closed, their outcomes and the median days
    from referral to closing; for housing, the Duty to Refer referrals made in the year."""
    first, last = financial_year.first_day, financial_year.last_day
    closed = db.session.execute(
        select(Referral.kind, Referral.status, Referral.outcome, Referral.referred_on, Referral.closed_on)
        .where(_in_year(Referral.closed_on, first, last))
    ).all()
    duty_day = func.coalesce(Referral.duty_to_refer_on, Referral.referred_on)
    duty_rows = db.session.execute(
        select(Referral.duty_to_refer_outcome, func.count())
        .where(Referral.kind == "housing", Referral.duty_to_refer_made.is_(True), _in_year(duty_day, first, last))
        .group_by(Referral.duty_to_refer_outcome)
    ).all()
    result = {}
    for kind in REFERRAL_KINDS:
        rows = [row for row in closed if row.kind == kind]
        by_status = {status: 0 for status in CLOSED_STATUSES}
        outcomes = {code: 0 for code in REFERRAL_OUTCOMES[kind]} | {NOT_RECORDED: 0}
        for row in rows:
            by_status[row.status] = by_status.get(row.status, 0) + 1
            code = row.outcome if row.outcome in outcomes else (NOT_RECORDED if not row.outcome else "other")
            outcomes[code] += 1
        days = [(_as_date(row.closed_on) - _as_date(row.referred_on)).days for row in rows]
        result[kind] = {"closed": len(rows), "closed_by_status": by_status,
                        "median_days_to_close": _median(days), "outcomes": outcomes}
    duty_outcomes = {code: 0 for code in DUTY_TO_REFER_OUTCOMES} | {NOT_RECORDED: 0}
    for outcome, count in duty_rows:
        code = outcome if outcome in duty_outcomes else (NOT_RECORDED if not outcome else "other")
        duty_outcomes[code] += count
    result["housing"]["duty_to_refer"] = {"made": sum(duty_outcomes.values()), "outcomes": duty_outcomes}
    return result


def _median(days: list[int]) -> int | float | None:
    """The median as a whole number of days, or a half when it falls between two."""
    if not days:
        return None
    value = median(days)
    return int(value) if value == int(value) else float(value)


# --- payments ---------------------------------------------------------------------------------

def payment_details(financial_year: FinancialYear) -> dict:
    """Approved payments in the year by purpose and by what they achieved; requests still waiting
    and rejected; how many clients were helped."""
    first, last = financial_year.first_day, financial_year.last_day
    rows = db.session.execute(
        select(SupportPayment.client_id, SupportPayment.status, SupportPayment.purpose, SupportPayment.achieved,
               SupportPayment.amount_gbp)
        .where(_in_year(SupportPayment.paid_on, first, last))
    ).all()
    by_purpose = {code: {"count": 0, "total_gbp": Decimal("0.00")} for code in PURPOSES}
    achieved = {code: 0 for code in ACHIEVEMENTS} | {NOT_RECORDED: 0}
    statuses = Counter(row.status for row in rows)
    clients = set()
    for row in rows:
        if row.status != "approved":
            continue
        clients.add(row.client_id)
        purpose = by_purpose.setdefault(row.purpose, {"count": 0, "total_gbp": Decimal("0.00")})
        purpose["count"] += 1
        purpose["total_gbp"] += Decimal(row.amount_gbp)
        code = row.achieved if row.achieved in achieved else (NOT_RECORDED if not row.achieved else "other")
        achieved[code] += 1
    for purpose in by_purpose.values():
        purpose["total_gbp"] = purpose["total_gbp"].quantize(MONEY)
    return {"by_purpose": by_purpose, "achieved": achieved, "clients_helped": len(clients),
            "awaiting_decision": statuses.get("requested", 0), "rejected": statuses.get("rejected", 0)}


# --- watch list -------------------------------------------------------------------------------

def watch_flow(financial_year: FinancialYear) -> dict:
    """Entries open at the start (added before 1 April, not closed before it), added in the year,
    adopted onto the scheme or closed otherwise in the year, and open at the end."""
    first, last = financial_year.first_day, financial_year.last_day
    rows = db.session.execute(
        select(WatchEntry.added_on, WatchEntry.closed_on, WatchEntry.outcome)
        .where(WatchEntry.added_on <= last, or_(WatchEntry.closed_on.is_(None), WatchEntry.closed_on >= first))
    ).all()
    closed_by_outcome = {code: 0 for code in WATCH_OUTCOMES if code != "adopted"}
    result = {"open_at_start": 0, "added": 0, "adopted": 0, "closed_other": 0, "open_at_end": 0}
    for added_on, closed_on, outcome in rows:
        if added_on < first:
            result["open_at_start"] += 1
        if added_on >= first:
            result["added"] += 1
        if closed_on is not None and closed_on <= last:
            if outcome == "adopted":
                result["adopted"] += 1
            else:
                result["closed_other"] += 1
                closed_by_outcome[outcome] = closed_by_outcome.get(outcome, 0) + 1
        else:
            result["open_at_end"] += 1
    result["closed"] = result["adopted"] + result["closed_other"]
    result["closed_other_by_outcome"] = closed_by_outcome
    return result


# --- value for money --------------------------------------------------------------------------

LEFT_OUT_NOT_ENDED, LEFT_OUT_NOT_RECORDED = "not_ended", "not_recorded"


def value_for_money(months: list[MonthlyFigures], costs: Sequence, baseline, today: date | None = None) -> dict:
    """An estimate: serious acquisitive crimes avoided against the baseline's monthly rate, times
    the unit cost of a crime weighted by each type's local share. Says why when it cannot be made.

    Crimes avoided = the baseline's average per counted month x the year's counted months - the
    crimes recorded in those months. A month is counted only when it has ended and has a recorded
    count (a count for a month still running is a part month); the rest are listed with the reason.
    Shares below 100% leave the rest of the crimes costed at nothing (the estimate is then low,
    never inflated).

    `costs` are the unit costs (crime_type, cost_gbp, share_percent, source, price_year) and
    `baseline` the year's baseline period (baseline_from, baseline_to: first days of months) or None;
    the reports area keeps them and passes them in."""
    unit_costs = [{"crime_type": cost.crime_type, "cost_gbp": Decimal(cost.cost_gbp).quantize(MONEY),
                   "share_percent": Decimal(cost.share_percent).quantize(MONEY), "source": cost.source,
                   "price_year": cost.price_year} for cost in costs]
    shares_total = sum((cost["share_percent"] for cost in unit_costs), Decimal("0.00"))
    weighted = sum((cost["cost_gbp"] * cost["share_percent"] / 100 for cost in unit_costs), Decimal("0"))
    today = today or today_in_london()
    counted, left_out = [], []
    for month in months:
        if not has_ended(month.month, today):
            left_out.append({"month": month.month_text, "reason": LEFT_OUT_NOT_ENDED})
        elif month.serious_acquisitive_crimes is None:
            left_out.append({"month": month.month_text, "reason": LEFT_OUT_NOT_RECORDED})
        else:
            counted.append(month)
    recorded = [month.serious_acquisitive_crimes for month in counted]
    result = {
        "is_estimate": True, "available": False, "reason": None,
        "unit_costs": unit_costs, "shares_total_percent": shares_total,
        "weighted_unit_cost_gbp": weighted.quantize(MONEY) if shares_total else None,
        "baseline": None,
        "year": {"months_recorded": len(recorded), "sac_total": sum(recorded),
                 "average_sac_per_month": (Decimal(sum(recorded)) / len(recorded)).quantize(MONEY)
                 if recorded else None,
                 "months_counted": [month.month_text for month in counted], "months_left_out": left_out},
        "expected_sac_at_baseline_rate": None, "crimes_avoided": None, "estimated_value_gbp": None,
        "price_years": sorted({cost["price_year"] for cost in unit_costs}),
    }
    if baseline is not None:
        baseline_months = []
        month = baseline.baseline_from
        while month <= baseline.baseline_to:
            baseline_months.append(month)
            month = add_months(month, 1)
        counts = [crimes for (crimes,) in db.session.execute(
            select(SacCount.crimes).where(SacCount.month >= baseline.baseline_from,
                                          SacCount.month <= baseline.baseline_to,
                                          SacCount.month < date(today.year, today.month, 1)))]
        result["baseline"] = {
            "from": month_text(baseline.baseline_from), "to": month_text(baseline.baseline_to),
            "months": len(baseline_months), "months_recorded": len(counts), "sac_total": sum(counts),
            "average_sac_per_month": (Decimal(sum(counts)) / len(counts)).quantize(MONEY) if counts else None,
        }
    if baseline is None:
        result["reason"] = "No baseline period has been set for this year, so no estimate is made."
    elif not result["baseline"]["months_recorded"]:
        result["reason"] = "No serious acquisitive crime counts are recorded for the baseline period, " \
                           "so no estimate is made."
    elif not any(has_ended(month.month, today) for month in months):
        result["reason"] = "No month of this year has ended yet, so no estimate is made."
    elif not recorded:
        result["reason"] = "No serious acquisitive crime count is recorded for a month of this year that has " \
                           "ended, so no estimate is made."
    elif shares_total <= 0:
        result["reason"] = "No crime type has a share of serious acquisitive crime set in the unit-cost table, " \
                           "so no weighted cost can be worked out and no estimate is made."
    elif shares_total > 100:
        result["reason"] = "The shares in the unit-cost table add up to more than 100%, so no estimate is made " \
                           "until they are corrected."
    else:
        average = Decimal(result["baseline"]["sac_total"]) / result["baseline"]["months_recorded"]
        expected = average * len(recorded)
        avoided = expected - sum(recorded)
        result.update(available=True, expected_sac_at_baseline_rate=expected.quantize(MONEY),
                      crimes_avoided=avoided.quantize(MONEY),
                      estimated_value_gbp=(avoided * weighted).quantize(MONEY))
    return result


# --- data quality -----------------------------------------------------------------------------

def _london_day_end(day: date) -> datetime:
    """The first moment after the day ends in London, in UTC: timestamps before it fall on or before the day."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=LONDON).astimezone(timezone.utc)


def data_quality(financial_year: FinancialYear, today: date | None = None) -> dict:
    """Cases with no update in 90 days or more, and records with fields missing.

    Cases are the clients on the scheme on the check day: the year's last day, or today while the
    year is still running. Their last update is the latest of anything dated on or before the check
    day: adoption or leaving, custody changes, referrals made, closed or changed, payments, case
    notes and edits to the client's record. 'stale' lists client ids with the days since."""
    first, last = financial_year.first_day, financial_year.last_day
    today = today or today_in_london()
    check_day = min(last, today)
    cutoff = _london_day_end(check_day)
    open_cases = select(SchemePeriod.client_id).where(_covers(check_day)).distinct()
    dated = [
        select(SchemePeriod.client_id, func.max(SchemePeriod.joined_on))
        .where(SchemePeriod.joined_on <= check_day).group_by(SchemePeriod.client_id),
        select(SchemePeriod.client_id, func.max(SchemePeriod.left_on))
        .where(SchemePeriod.left_on <= check_day).group_by(SchemePeriod.client_id),
        select(CustodyEvent.client_id, func.max(CustodyEvent.from_date))
        .where(CustodyEvent.from_date <= check_day).group_by(CustodyEvent.client_id),
        select(Referral.client_id, func.max(Referral.referred_on))
        .where(Referral.referred_on <= check_day).group_by(Referral.client_id),
        select(Referral.client_id, func.max(Referral.closed_on))
        .where(Referral.closed_on <= check_day).group_by(Referral.client_id),
        select(Referral.client_id, func.max(ReferralStatusChange.changed_on))
        .join(Referral, Referral.id == ReferralStatusChange.referral_id)
        .where(ReferralStatusChange.changed_on <= check_day).group_by(Referral.client_id),
        select(SupportPayment.client_id, func.max(SupportPayment.paid_on))
        .where(SupportPayment.paid_on <= check_day).group_by(SupportPayment.client_id),
        select(CaseNote.client_id, func.max(CaseNote.written_at))
        .where(CaseNote.written_at < cutoff).group_by(CaseNote.client_id),
        select(Client.id, Client.updated_at).where(Client.updated_at < cutoff),
    ]
    latest: dict[int, date] = {}
    case_ids = set(db.session.scalars(open_cases))
    for query in dated:
        for client_id, value in db.session.execute(query.where(query.selected_columns[0].in_(open_cases))):
            if value is None:
                continue
            if isinstance(value, datetime):
                value = value.astimezone(LONDON).date() if value.tzinfo else value.date()
            day = _as_date(value)
            if client_id not in latest or day > latest[client_id]:
                latest[client_id] = day
    stale = sorted(((client_id, (check_day - latest[client_id]).days) for client_id in case_ids
                    if (check_day - latest.get(client_id, date.min)).days >= STALE_AFTER_DAYS),
                   key=lambda item: (-item[1], item[0]))

    in_year = select(clients_on_scheme_in(first, last).subquery().c.client_id)
    missing = db.session.execute(select(
        func.count(),
        func.sum(case((Client.date_of_birth.is_(None), 1), else_=0)),
        func.sum(case((Client.pnc_id.is_(None), 1), else_=0)),
        func.sum(case((or_(Client.ward.is_(None), Client.ward == ""), 1), else_=0)),
        func.sum(case((Client.alcohol_related == "unknown", 1), else_=0)),
        func.sum(case((Client.risk_level.is_(None), 1), else_=0)),
        func.sum(case((Client.offender_manager_id.is_(None), 1), else_=0)),
    ).where(Client.id.in_(in_year))).one()
    referrals_without_outcome = db.session.scalar(
        select(func.count()).select_from(Referral)
        .where(_in_year(Referral.closed_on, first, last), or_(Referral.outcome.is_(None), Referral.outcome == "")))
    duty_not_recorded = db.session.scalar(
        select(func.count()).select_from(Referral)
        .where(Referral.kind == "housing", _in_year(Referral.referred_on, first, last),
               Referral.duty_to_refer_made.is_(None)))
    payments_without_result = db.session.scalar(
        select(func.count()).select_from(SupportPayment)
        .where(SupportPayment.status == "approved", _in_year(SupportPayment.paid_on, first, last),
               or_(SupportPayment.achieved.is_(None), SupportPayment.achieved == "")))
    # only months that have ended can be missing their count
    ended = [month for month in (add_months(first, n) for n in range(12)) if has_ended(month, today)]
    months_without_sac = len(ended) - (db.session.scalar(
        select(func.count()).select_from(SacCount).where(SacCount.month.in_(ended))) or 0) if ended else 0
    clients = int(missing[0] or 0)
    return {
        "checked_on": check_day,
        "open_cases": len(case_ids),
        "stale_after_days": STALE_AFTER_DAYS,
        "stale": stale,
        "clients_checked": clients,
        "missing": {
            "date_of_birth": int(missing[1] or 0),
            "pnc_id": int(missing[2] or 0),
            "ward": int(missing[3] or 0),
            "alcohol_related": int(missing[4] or 0),
            "risk_level": int(missing[5] or 0),
            "offender_manager": int(missing[6] or 0),
            "referral_outcome": int(referrals_without_outcome or 0),
            "duty_to_refer": int(duty_not_recorded or 0),
            "payment_result": int(payments_without_result or 0),
            "sac_count": months_without_sac,
        },
    }
