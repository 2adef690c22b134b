"""Benchmark, not a test: offending before and after adoption (`reoffending`) over 5,000 clients
with 50,000 offences and 40,000 custody events.

Generates the caseload into an empty database with bulk core inserts (scheme periods with exits
and re-adoptions, custody and remand spells, offences of every type), then times
`reoffending.before_and_after` for every adoption of the five years (the whole cohort) and the
documented command (`reoffending --from --to --json`, in process: the figures, the audit entry
and the JSON), several times over. In the same run it times two yardsticks, so the figures can be
quoted as ratios on a shared, noisy machine:

- the floor: every offence and custody event read with the database driver alone, no SQLAlchemy
  (the rows any answer must at least read);
- the reference page: `/list?page=N` of the bare Flask app in ../shared/bench/reference_app.py
  (50 rows of a 5,000-row table through the ORM and Jinja), when that file is found.

The figures are checked against a plain count done in Python from the generated rows (days at
risk day by day), so a fast wrong answer cannot pass: a difference stops the script, exit 1.

    .venv/bin/python bench/reoffending_bench.py                  # a temporary SQLite file
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/iom_bench .venv/bin/python bench/reoffending_bench.py

BENCH_DATABASE_URL must name an empty database (it is migrated, then filled): the script refuses
one that already holds clients. Options: --clients, --offences, --custody, --repeat, --seed,
--keep (keep the SQLite file), --explain (print the query plans).
"""
import bisect
import importlib.util
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from unittest import mock

from caseload import ROOT, BenchDatabase, adopted_client, bulk_insert, options

from iom.clients.models import Client, SchemePeriod
from iom.custody.models import CustodyEvent
from iom.extensions import db
from iom.figures import reoffending
from iom.offending.models import NEIGHBOURHOOD_TYPES, OFFENCE_TYPES, SERIOUS_ACQUISITIVE_TYPES, Offence
from iom.offending.unit_costs import DEFAULT_UNIT_COSTS

HISTORY_FROM = date(2007, 4, 1)       # adoptions from here ...
HISTORY_TO = date(2012, 3, 31)        # ... to here: the five financial years timed as one range
TODAY = date(2013, 4, 1)              # every after window has ended: the whole cohort is counted
TIERS = ["fixed", "flex", "free", None]
# acquisitive offending is the commonest on an IOM caseload
TYPE_WEIGHTS = {code: (6 if code in NEIGHBOURHOOD_TYPES or code == "shoplifting" else 2) for code in OFFENCE_TYPES}


def generate(count: int, offences: int, custody: int, seed: int):
    """Clients, their periods (never overlapping), custody events (at most one a day per person)
    and offences (several may share a day), as rows for bulk inserts."""
    rng = random.Random(seed)
    types, weights = list(TYPE_WEIGHTS), list(TYPE_WEIGHTS.values())
    clients, periods, events, crimes = [], [], [], []
    for number in range(1, count + 1):
        client, adoptions, first_joined = adopted_client(rng, number, HISTORY_FROM, HISTORY_TO,
                                                         tier=lambda: rng.choice(TIERS))
        clients.append(client)
        periods += adoptions
        # custody spells from two years before the first adoption, some reaching past it
        day = first_joined - timedelta(days=rng.randrange(0, 730))
        for _ in range(_share(custody, count, number)):
            status = rng.choice(["remand", "custody", "community", "custody", "community"])
            events.append({"client_id": number, "status": status, "from_date": day,
                           "establishment": None if status == "community" else "HMP Bench"})
            day += timedelta(days=rng.randrange(1, 160))
        # offences across the windows around the first adoption (and beyond, which must not count)
        for _ in range(_share(offences, count, number)):
            committed = first_joined + timedelta(days=rng.randrange(-500, 500))
            crimes.append({"client_id": number, "offence_on": committed,
                           "offence_type": rng.choices(types, weights)[0], "alcohol_involved": "unknown"})
    return clients, periods, events, crimes


def _share(total: int, count: int, number: int) -> int:
    """The number-th client's share of `total` rows: total/count each, the remainder spread out."""
    return total // count + (1 if number <= total % count else 0)


def fill(clients, periods, events, crimes) -> None:
    bulk_insert([(Client.__table__, clients), (SchemePeriod.__table__, periods), (CustodyEvent.__table__, events),
                 (Offence.__table__, crimes)])


# --- the plain answer, the slow obvious way ---------------------------------------------------

def plain_figures(clients, periods, events, crimes, first: date, last: date, today: date) -> dict:
    """The contract's before-and-after object, counted day by day in Python."""
    adopted: dict[int, date] = {}
    for period in periods:
        if first <= period["joined_on"] <= last:
            seen = adopted.get(period["client_id"])
            if seen is None or period["joined_on"] < seen:
                adopted[period["client_id"]] = period["joined_on"]
    history: dict[int, list[tuple[date, str]]] = {}
    for event in events:
        history.setdefault(event["client_id"], []).append((event["from_date"], event["status"]))
    for spells in history.values():
        spells.sort()
    committed: dict[int, list[dict]] = {}
    for crime in crimes:
        committed.setdefault(crime["client_id"], []).append(crime)

    def status_on(client_id, day):
        spells = history.get(client_id, [])
        index = bisect.bisect_right(spells, (day, "\uffff")) - 1
        return spells[index][1] if index >= 0 else "community"

    windows = {name: Counter() for name in ("before", "after")}
    costs = {name: Decimal("0.00") for name in windows}
    not_yet = 0
    for client_id, day_a in adopted.items():
        if day_a + timedelta(days=364) >= today:
            not_yet += 1
            continue
        for name, start in (("before", day_a - timedelta(days=365)), ("after", day_a)):
            end = start + timedelta(days=364)
            window = windows[name]
            window["clients"] += 1
            window["days_at_risk"] += sum(status_on(client_id, start + timedelta(days=n)) == "community"
                                          for n in range(365))
            mine = [crime for crime in committed.get(client_id, []) if start <= crime["offence_on"] <= end]
            window["offences"] += len(mine)
            window["clients_offending"] += bool(mine)
            window["serious_acquisitive"] += sum(c["offence_type"] in SERIOUS_ACQUISITIVE_TYPES for c in mine)
            window["neighbourhood"] += sum(c["offence_type"] in NEIGHBOURHOOD_TYPES for c in mine)
            costs[name] += sum((DEFAULT_UNIT_COSTS[c["offence_type"]].cost_gbp for c in mine), Decimal("0.00"))
    result = {"from": first.isoformat(), "to": last.isoformat(), "clients": len(adopted), "not_yet_a_year": not_yet}
    for name, window in windows.items():
        keys = ("clients", "offences", "clients_offending", "serious_acquisitive", "neighbourhood", "days_at_risk")
        result[name] = {key: window[key] for key in keys}
        rate = reoffending.per_100_years(window["offences"], window["days_at_risk"])
        result[name]["per_100_years_at_risk"] = float(rate) if rate is not None else None
        result[name]["cost_gbp"] = f"{costs[name]:.2f}"
    return result


# --- timing -----------------------------------------------------------------------------------

def timed(run, repeat: int) -> list[float]:
    run()  # warm the connection pool and the database's caches
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        timings.append(time.perf_counter() - start)
        db.session.rollback()
    return timings


def shown(timings: list[float]) -> str:
    return f"min {min(timings) * 1000:.0f} ms, median {statistics.median(timings) * 1000:.0f} ms"


def reference_page(repeat: int, url: str | None):
    """Timings of the shared yardstick's /list page, or None when its file is not found: on PostgreSQL
    in the benchmark's own database (its one table, `person`, is none of the service's), else in a
    SQLite file of its own."""
    here = ROOT
    while True:
        candidate = os.path.join(here, "shared", "bench", "reference_app.py")
        if os.path.exists(candidate) or os.path.dirname(here) == here:
            break
        here = os.path.dirname(here)
    if not os.path.exists(candidate):
        return None
    folder = tempfile.mkdtemp(prefix="iom-bench-ref-")
    os.environ["REF_DB"] = os.path.join(folder, "ref.db")
    if url and url.startswith("postgresql"):
        os.environ["REF_DATABASE_URL"] = url
    else:
        os.environ.pop("REF_DATABASE_URL", None)
    spec = importlib.util.spec_from_file_location("reference_app", candidate)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.seed()
    browser = module.app.test_client()
    pages = iter(range(10 ** 6))

    def one():
        assert browser.get(f"/list?page={next(pages) % 100 + 1}").status_code == 200
    one()
    timings = []
    for _ in range(repeat * 5):
        start = time.perf_counter()
        one()
        timings.append(time.perf_counter() - start)
    with module.app.app_context():
        module.db.drop_all()
        module.db.engine.dispose()
    shutil.rmtree(folder)
    return timings


def explain(first: date, last: date) -> None:
    """Each of the measure's statements with the database's plan for it."""
    from sqlalchemy import event
    statements = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))
    event.listen(db.engine, "before_cursor_execute", keep)
    reoffending.before_and_after(first, last, today=TODAY)
    event.remove(db.engine, "before_cursor_execute", keep)
    sqlite = db.engine.dialect.name == "sqlite"
    for statement, parameters in statements:
        if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
            continue
        prefix = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN ANALYZE "
        plan = db.session.connection().exec_driver_sql(prefix + statement, parameters).all()
        print("\n" + statement.strip()[:160].replace("\n", " ") + " ...")
        for row in plan:
            print("   ", " | ".join(str(cell) for cell in row))
    db.session.rollback()


def main() -> int:
    parser = options(__doc__.splitlines()[0], clients=5_000, offences=50_000, custody=40_000, repeat=7, seed=20110401)
    parser.add_argument("--explain", action="store_true", help="print the database's plan for each query")
    args = parser.parse_args()
    bench = BenchDatabase()
    app, url = bench.app, bench.url
    first, last = HISTORY_FROM, HISTORY_TO
    with app.app_context():
        started = time.perf_counter()
        if not bench.migrate_if_empty():
            return 2
        clients, periods, events, crimes = generate(args.clients, args.offences, args.custody, args.seed)
        fill(clients, periods, events, crimes)
        loaded = time.perf_counter() - started

        db.session.remove()
        reference = reference_page(args.repeat, url)  # the yardstick, in the same run on the same machine
        if args.explain:
            explain(first, last)
        result = reoffending.before_and_after(first, last, today=TODAY)
        measure = timed(lambda: reoffending.before_and_after(first, last, today=TODAY), args.repeat)

        runner = app.test_cli_runner()
        command_args = ["reoffending", "--from", first.isoformat(), "--to", last.isoformat(), "--json"]
        with mock.patch("iom.clock.today_in_london", lambda: TODAY):  # the command asks iom.clock for today
            outputs = []
            command = timed(lambda: outputs.append(runner.invoke(args=command_args)), args.repeat)
        if any(output.exit_code != 0 for output in outputs):
            print(f"The command failed: {outputs[0].output}", file=sys.stderr)
            return 1

        def read_everything():
            cursor = db.session.connection().connection.dbapi_connection.cursor()
            for statement in ("SELECT client_id, offence_on, offence_type FROM offence",
                              "SELECT client_id, from_date, status FROM custody_event"):
                cursor.execute(statement)
                cursor.fetchall()
            cursor.close()
        floor = timed(read_everything, args.repeat)

        expected = plain_figures(clients, periods, events, crimes, first, last, TODAY)
        got = result.as_json()
        got.pop("by")
        if got != expected:
            print(f"WRONG: the measure gave\n  {got}\na plain count gives\n  {expected}", file=sys.stderr)
            return 1
        if json.loads(outputs[-1].output) != {**expected, "by": result.as_json()["by"]}:
            print("WRONG: the command's JSON differs from the measure's", file=sys.stderr)
            return 1
        db.session.remove()
        # the documented command once, in a fresh process as an operator runs it (start-up included);
        # its today is the real one, long after every window here, so its figures are the same
        environment = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-" + "x" * 40,
                       "IOM_PSEUDONYM_KEY": "bench-pseudonyms-" + "y" * 32,
                       "AUDIT_KEY": "bench-audit-" + "x" * 40}

        def in_a_process(*words):
            began = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "flask", "--app", "iom", *words], cwd=ROOT, env=environment,
                                  capture_output=True, text=True)
            return done, time.perf_counter() - began
        _, start_up = in_a_process("reoffending", "--help")  # Python, the service's modules and create_app
        process, whole_command = in_a_process(*command_args)
        if process.returncode != 0 or json.loads(process.stdout)["before"] != expected["before"]:
            print(f"The command run in its own process failed: {process.stderr}", file=sys.stderr)
            return 1
        database = bench.described()
        db.session.remove()
        db.engine.dispose()

    print(f"Database: {database}")
    print(f"Data: {len(clients):,} clients, {len(periods):,} scheme periods, {len(events):,} custody events, "
          f"{len(crimes):,} offences (generated and loaded in {loaded:.1f} s)")
    print(f"Cohort: adoptions {first} to {last}, today {TODAY}: {result.clients:,} clients, "
          f"{result.before.offences:,} offences before and {result.after.offences:,} after")
    print(f"reoffending.before_and_after, {args.repeat} runs:  {shown(measure)}")
    print(f"reoffending --json (in process), {args.repeat} runs: {shown(command)}")
    print(f"flask --app iom reoffending --json in a fresh process: {whole_command * 1000:.0f} ms, of which starting "
          f"(as `reoffending --help` takes) {start_up * 1000:.0f} ms")
    print(f"floor: every offence and custody event read by the database driver alone: {shown(floor)} "
          f"(the measure takes {statistics.median(measure) / statistics.median(floor):.1f} times as long)")
    if reference is not None:
        print(f"yardstick: reference_app /list, {len(reference)} requests: {shown(reference)} "
              f"(the measure takes {statistics.median(measure) / statistics.median(reference):.0f} "
              "times one reference page)")
    else:
        print("yardstick: shared/bench/reference_app.py not found beside the repository; not timed")
    print("Checked against a plain day-by-day count in Python: equal.")
    bench.remove(args.keep)
    return 0


if __name__ == "__main__":
    sys.exit(main())
