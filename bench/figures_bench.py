"""Benchmark, not a test: how long the year's monthly figures take over a realistic caseload.

Generates 5,000 clients with five years of history (scheme periods with exits and re-adoptions,
custody and remand events) into an empty database with bulk inserts, then times
`monthly.year_figures` for the last financial year of that history, several times over, and
reports the minimum and the median. The figures are also checked against a plain count done in
Python from the generated data, so a fast wrong answer cannot pass.

    .venv/bin/python bench/figures_bench.py                     # a temporary SQLite file
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/iom_bench .venv/bin/python bench/figures_bench.py

BENCH_DATABASE_URL must name an empty database (it is migrated, then filled): the script refuses
one that already holds clients. Options: --clients, --repeat, --seed, --keep (keep the SQLite file).
"""
import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, inspect, insert, select, text  # noqa: E402

from iom import create_app  # noqa: E402
from iom.figures import monthly  # noqa: E402
from iom.figures.models import SacCount  # noqa: E402
from iom.figures.months import month_end  # noqa: E402
from iom.offending.models import OFFENCE_TYPES, SERIOUS_ACQUISITIVE_TYPES, Offence  # noqa: E402
from iom.years import FinancialYear  # noqa: E402
from iom.clients.models import Client, SchemePeriod  # noqa: E402
from iom.config import normalise_database_url  # noqa: E402
from iom.custody.models import CustodyEvent  # noqa: E402
from iom.extensions import db  # noqa: E402

YEAR = FinancialYear.parse("2015-16")  # the year timed: the last of five years of history
HISTORY_FROM = date(2011, 4, 1)
HISTORY_TO = date(2016, 3, 31)
STRANDS = ["prevent_deter", "catch_convict", "catch_convict", "resettle_rehabilitate", "resettle_rehabilitate"]
EXIT_REASONS = ["completed", "desisted", "moved_away", "deselected", "transferred", "other"]
BATCH = 2_000


def generate(count: int, seed: int):
    """Clients, their periods (never overlapping), custody events (at most one a day) and offences
    (ten a client on average, on or off the scheme), as rows."""
    rng = random.Random(seed)
    span = (HISTORY_TO - HISTORY_FROM).days
    clients, periods, events, offences = [], [], [], []
    types = list(OFFENCE_TYPES)
    for number in range(1, count + 1):
        clients.append({"id": number, "reference": f"BENCH-{number:05d}", "given_name": "Bench",
                        "family_name": f"Client{number:05d}", "programme": rng.choice(["ppo", "dip", "youth", "other"]),
                        "alcohol_related": rng.choice(["yes", "no", "unknown"])})
        day = HISTORY_FROM + timedelta(days=rng.randrange(0, span))
        for _ in range(rng.choice([1, 1, 1, 2, 2, 3])):          # some leave and are adopted again
            if day > HISTORY_TO:
                break
            left = day + timedelta(days=rng.randrange(0, 700)) if rng.random() < 0.6 else None
            periods.append({"client_id": number, "strand": rng.choice(STRANDS), "joined_on": day, "left_on": left,
                            "exit_reason": rng.choice(EXIT_REASONS) if left else None})
            if left is None:
                break
            day = left + timedelta(days=rng.randrange(1, 300))
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
    for table, rows in ((Client.__table__, clients), (SchemePeriod.__table__, periods),
                        (CustodyEvent.__table__, events), (Offence.__table__, offences)):
        for start in range(0, len(rows), BATCH):
            db.session.execute(insert(table), rows[start:start + BATCH])
    first, last = HISTORY_FROM, HISTORY_TO
    month = first
    sac = []
    while month <= last:
        sac.append({"month": month, "crimes": 60 + (month.month * 7) % 50})
        month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    db.session.execute(insert(SacCount.__table__), sac)
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT setval('client_id_seq', (SELECT max(id) FROM client))"))
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--seed", type=int, default=20111031)
    parser.add_argument("--keep", action="store_true", help="keep the temporary SQLite file")
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL")
    workdir = None
    if not url:
        workdir = tempfile.mkdtemp(prefix="iom-bench-")
        url = f"sqlite:///{os.path.join(workdir, 'bench.sqlite3')}"
    url = normalise_database_url(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-" + "x" * 40})
    with app.app_context():
        if inspect(db.engine).has_table("client") and db.session.scalar(select(func.count()).select_from(Client)):
            print("The database in BENCH_DATABASE_URL already holds clients: give an empty one.", file=sys.stderr)
            return 2
        started = time.perf_counter()
        upgrade()
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
        dialect = db.engine.dialect.name
        version = db.session.scalar(text("SELECT sqlite_version()" if dialect == "sqlite" else "SHOW server_version"))
        db.session.remove()
        db.engine.dispose()

    first, last = YEAR.first_day, YEAR.last_day
    print(f"Database: {dialect} {version}" + (f" (temporary file in {workdir})" if workdir else ""))
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
    if workdir and not args.keep:
        for name in os.listdir(workdir):
            os.remove(os.path.join(workdir, name))
        os.rmdir(workdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
