"""Benchmark, not a test: how long the year's monthly figures take over a realistic caseload.

Generates 5,000 clients with five years of history (scheme periods with exits and re-adoptions,
custody and remand events, about 50,000 offences) into an empty database with bulk inserts, then times
`monthly.year_figures` for the last financial year of that history, several times over, and
reports the minimum and the median. The figures are also checked against a plain count done in
Python from the generated data, so a fast wrong answer cannot pass.

    .venv/bin/python bench/figures_bench.py                     # a temporary SQLite file
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/iom_bench .venv/bin/python bench/figures_bench.py

BENCH_DATABASE_URL must name an empty database (it is migrated, then filled): the script refuses
one that already holds clients. Options: --clients, --repeat, --seed, --keep (keep the SQLite file).
"""
import random
import statistics
import sys
import time
from datetime import date, timedelta

from caseload import BenchDatabase, adopted_client, bulk_insert, options
from iom.clients.models import Client, SchemePeriod
from iom.custody.models import CustodyEvent
from iom.extensions import db
from iom.figures import monthly
from iom.figures.models import SacCount
from iom.figures.months import month_end
from iom.offending.models import OFFENCE_TYPES, SERIOUS_ACQUISITIVE_TYPES, Offence
from iom.years import FinancialYear

YEAR = FinancialYear(2015)            # 2015-16, the year timed: the last of five years of history
HISTORY_FROM = date(2011, 4, 1)
HISTORY_TO = date(2016, 3, 31)


def generate(count: int, seed: int):
    """Clients, their periods (never overlapping), custody events (at most one a day) and offences
    (ten a client on average, of any type on any day, on the scheme or not), as rows."""
    rng = random.Random(seed)
    span = (HISTORY_TO - HISTORY_FROM).days
    clients, periods, events, offences = [], [], [], []
    types = list(OFFENCE_TYPES)
    for number in range(1, count + 1):
        client, adoptions, _ = adopted_client(rng, number, HISTORY_FROM, HISTORY_TO)
        clients.append(client)
        periods += adoptions
        day = HISTORY_FROM - timedelta(days=200) + timedelta(days=rng.randrange(0, span))
        for _ in range(rng.randrange(0, 9)):                       # custody is a fact about the person
            status = rng.choice(["remand", "custody", "community", "custody", "community"])
            events.append({"client_id": number, "status": status, "from_date": day,
                           "establishment": None if status == "community" else "HMP Bench"})
            day += timedelta(days=rng.randrange(1, 240))
        for _ in range(rng.randrange(0, 21)):
            offences.append({"client_id": number, "offence_on": HISTORY_FROM + timedelta(days=rng.randrange(0, span)),
                             "offence_type": rng.choice(types), "alcohol_involved": "unknown", "version": 1})
    return clients, periods, events, offences


def plain_cohort_offences(periods, offences, month: date) -> int:
    """Serious acquisitive offences in the month by someone on the scheme that day, the slow obvious way."""
    on_scheme: dict[int, list[tuple[date, date | None]]] = {}
    for period in periods:
        on_scheme.setdefault(period["client_id"], []).append((period["joined_on"], period["left_on"]))
    return sum(1 for row in offences
               if row["offence_type"] in SERIOUS_ACQUISITIVE_TYPES
               and (row["offence_on"].year, row["offence_on"].month) == (month.year, month.month)
               and any(joined <= row["offence_on"] and (left is None or row["offence_on"] <= left)
                       for joined, left in on_scheme.get(row["client_id"], ())))


def plain_count(periods, events, day: date, counted) -> tuple[int, int, int]:
    """(on the scheme, counted, in custody or on remand) on a day, the slow obvious way."""
    latest: dict[int, tuple[date, str]] = {}
    for event in events:
        if event["from_date"] <= day:
            seen = latest.get(event["client_id"])
            if seen is None or event["from_date"] > seen[0]:
                latest[event["client_id"]] = (event["from_date"], event["status"])
    on = cnt = inside = 0
    for period in periods:
        if period["joined_on"] <= day and (period["left_on"] is None or day <= period["left_on"]):
            on += 1
            cnt += period["strand"] in counted
            inside += latest.get(period["client_id"], (None, "community"))[1] in ("remand", "custody")
    return on, cnt, inside


def fill(clients, periods, events, offences) -> None:
    month, sac = HISTORY_FROM, []
    while month <= HISTORY_TO:
        sac.append({"month": month, "crimes": 60 + (month.month * 7) % 50})
        month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    bulk_insert([(Client.__table__, clients), (SchemePeriod.__table__, periods), (CustodyEvent.__table__, events),
                 (Offence.__table__, offences), (SacCount.__table__, sac)])


def main() -> int:
    args = options(__doc__.splitlines()[0], clients=5_000, repeat=9, seed=20111031).parse_args()
    bench = BenchDatabase()
    with bench.app.app_context():
        started = time.perf_counter()
        if not bench.migrate_if_empty():
            return 2
        clients, periods, events, offences = generate(args.clients, args.seed)
        fill(clients, periods, events, offences)
        loaded = time.perf_counter() - started

        monthly.year_figures(YEAR)  # warm the connection pool and the database's caches
        cohort_timings = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            monthly.cohort_sac_offences(YEAR.months)
            cohort_timings.append(time.perf_counter() - start)
            db.session.rollback()
        timings = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            results = monthly.year_figures(YEAR)
            timings.append(time.perf_counter() - start)
            db.session.rollback()
        month_timings = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            monthly.month_figures(YEAR.months[-1])
            month_timings.append(time.perf_counter() - start)
            db.session.rollback()

        counted = {"catch_convict", "resettle_rehabilitate"}
        for result in results:
            expected = plain_count(periods, events, month_end(result.month), counted)
            got = (result.on_scheme, result.counted_for_minimum, result.in_custody_or_remand)
            expected += (plain_cohort_offences(periods, offences, result.month),)
            got += (result.cohort_serious_acquisitive_offences,)
            if got != expected:
                print(f"WRONG: {result.month_text} gave {got}, a plain count gives {expected}", file=sys.stderr)
                return 1
        database = bench.described()
        db.session.remove()
        db.engine.dispose()

    first, last = YEAR.first_day, YEAR.last_day
    print(f"Database: {database}")
    print(f"Data: {len(clients):,} clients, {len(periods):,} scheme periods, {len(events):,} custody events, "
          f"{len(offences):,} offences, {HISTORY_FROM} to {HISTORY_TO} (generated and loaded in {loaded:.1f} s)")
    print(f"monthly.year_figures('{YEAR}'), twelve months, {args.repeat} runs: "
          f"min {min(timings) * 1000:.1f} ms, median {statistics.median(timings) * 1000:.1f} ms, "
          f"max {max(timings) * 1000:.1f} ms")
    print(f"monthly.month_figures({YEAR.months[-1]:%Y-%m}), {args.repeat} runs: "
          f"min {min(month_timings) * 1000:.1f} ms, median {statistics.median(month_timings) * 1000:.1f} ms")
    print(f"monthly.cohort_sac_offences, twelve months (the one statement within year_figures), {args.repeat} runs: "
          f"min {min(cohort_timings) * 1000:.1f} ms, median {statistics.median(cohort_timings) * 1000:.1f} ms; "
          f"{sum(result.cohort_serious_acquisitive_offences for result in results):,} in the year")
    print(f"Checked against a plain count for every month end from {first} to {last}: all equal. "
          f"On the scheme at the year's end: {results[-1].on_scheme}, counted {results[-1].counted_for_minimum}.")
    bench.remove(args.keep)
    return 0


if __name__ == "__main__":
    sys.exit(main())
