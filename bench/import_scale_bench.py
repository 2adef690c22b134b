"""Import against its floor: the 5,000-client set of ../shared/bench/scale_data.py (52,275 rows), our import
in-process beside the plain `executemany` floor of ../shared/bench/import_floor.py, rounds alternated.

    .venv/bin/python bench/import_scale_bench.py                       # 3 rounds, fresh SQLite files
    .venv/bin/python bench/import_scale_bench.py --rounds 5 --profile /tmp/import.prof
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/iom_bench .venv/bin/python bench/import_scale_bench.py

Our figure is what the `import` command does, from reading the files to the commit (read_path,
check_import, import_caseload, commit), without starting the app or migrating the database. The floor
reads the same CSVs and writes them with one executemany per file into plain SQLite tables, in a
process of its own (its start-up is outside its own timer too). BENCH_DATABASE_URL must name a database
with no clients: it is migrated, and what each round imported is deleted again."""
import argparse
import contextlib
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "bench")   # scale_data.py, import_floor.py (--shared)
CASELOAD_TABLES = ("offence", "offence_unit_cost", "referral_status_change", "referral", "support_payment",
                   "custody_event", "scheme_period", "client", "sac_count", "budget")


def generate(shared: str, folder: str, clients: int) -> None:
    subprocess.run([sys.executable, os.path.join(shared, "scale_data.py"), folder, str(clients)], check=True,
                   stdout=subprocess.DEVNULL)


def floor(shared: str, folder: str, scratch: str) -> float:
    path = os.path.join(scratch, "floor.sqlite3")
    if os.path.exists(path):
        os.remove(path)
    done = subprocess.run([sys.executable, os.path.join(shared, "import_floor.py"), folder, path], check=True,
                          capture_output=True, text=True)
    return float(done.stdout.split()[0])


def make_app(scratch: str, round_number: int):
    """An app against a fresh, migrated database (a new SQLite file each round, or BENCH_DATABASE_URL emptied)."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from iom import create_app
    from iom.config import normalise_database_url
    from iom.extensions import db
    url = normalise_database_url(os.environ.get("BENCH_DATABASE_URL")
                                 or f"sqlite:///{os.path.join(scratch, f'ours-{round_number}.sqlite3')}")
    app = create_app({"SECRET_KEY": "bench-" + "x" * 32, "PSEUDONYM_KEY": "bench-pseudonyms-" + "y" * 32,
                      "AUDIT_KEY": "bench-audit-" + "x" * 32, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context(), contextlib.redirect_stderr(io.StringIO()):   # Alembic's log of each migration
        upgrade()
        if db.session.execute(text("SELECT count(*) FROM client")).scalar():
            sys.exit(f"{url} already holds clients: give BENCH_DATABASE_URL an empty database")
        db.session.remove()
    return app


def empty(app) -> None:
    from sqlalchemy import text

    from iom.extensions import db
    with app.app_context():
        for table in CASELOAD_TABLES:
            db.session.execute(text(f"DELETE FROM {table}"))  # nosec B608: the names are this file's constants
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def ours(app, folder: str, profiler=None) -> dict[str, float]:
    """The import command's work, in stages: read, check, write (with its audit entry and the commit)."""
    from iom.extensions import db
    from iom.imports import operations
    from iom.imports.commands import COMMAND_LINE
    from iom.imports.reading import read_path
    with app.app_context():
        if profiler:
            profiler.enable()
        started = time.perf_counter()
        read = read_path(folder)
        read_at = time.perf_counter()
        plan = operations.check_import(read)
        checked_at = time.perf_counter()
        if plan.faults:
            sys.exit("\n".join(str(fault) for fault in plan.faults[:20]))
        operations.import_caseload(plan, actor_label=COMMAND_LINE)
        db.session.commit()
        done = time.perf_counter()
        if profiler:
            profiler.disable()
        db.session.remove()
    return {"read": read_at - started, "check": checked_at - read_at, "write": done - checked_at,
            "total": done - started}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", help="write a cProfile of our last round to this file")
    parser.add_argument("--shared", default=SHARED, help="the folder of scale_data.py and import_floor.py")
    options = parser.parse_args()
    shared = options.shared
    with tempfile.TemporaryDirectory(prefix="iom-import-scale-") as scratch:
        folder = os.path.join(scratch, "files")
        generate(shared, folder, options.clients)
        rows = sum(sum(1 for _ in open(os.path.join(folder, name), encoding="utf-8")) - 1
                   for name in os.listdir(folder))
        where = "PostgreSQL" if os.environ.get("BENCH_DATABASE_URL") else "SQLite"
        print(f"{options.clients:,} clients, {rows:,} rows; our database: {where}; the floor's: SQLite")
        floors, timings = [], []
        for number in range(1, options.rounds + 1):
            floors.append(floor(shared, folder, scratch))
            app = make_app(scratch, number)
            profiler = None
            if options.profile and number == options.rounds:
                import cProfile
                profiler = cProfile.Profile()
            try:
                timings.append(ours(app, folder, profiler))
            finally:
                if os.environ.get("BENCH_DATABASE_URL"):
                    empty(app)
            if profiler:
                profiler.dump_stats(options.profile)
            t = timings[-1]
            print(f"round {number}: floor {floors[-1]:.3f}s; ours {t['total']:.3f}s (read {t['read']:.3f}, "
                  f"check {t['check']:.3f}, write {t['write']:.3f}); ratio {t['total'] / floors[-1]:.1f}x")
        ratios = [t["total"] / f for t, f in zip(timings, floors)]
        median = {stage: statistics.median(t[stage] for t in timings) for stage in ("read", "check", "write", "total")}
        print(f"median: floor {statistics.median(floors):.3f}s; ours {median['total']:.3f}s "
              f"(read {median['read']:.3f}, check {median['check']:.3f}, write {median['write']:.3f}); "
              f"median ratio {statistics.median(ratios):.1f}x")


if __name__ == "__main__":
    main()
