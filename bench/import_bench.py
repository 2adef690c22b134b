"""Import benchmark: 5,000 clients, 50,000 other rows and 50,000 offences through `flask --app iom import`.

    .venv/bin/python bench/import_bench.py                 # a fresh SQLite file in a temp folder
    .venv/bin/python bench/import_bench.py --xlsx          # the same data as one workbook as well
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/iom_bench .venv/bin/python bench/import_bench.py

BENCH_DATABASE_URL must name a database with no clients: it is migrated, filled, and what the
benchmark imported is deleted again after each run. Prints the wall-clock time of the checking
run (--dry-run) and of the real import, each a separate process started the documented way."""
import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from caseload import empty_caseload, refuse_if_it_holds_clients  # noqa: E402  (bench/caseload.py)
FLASK = [os.path.join(ROOT, ".venv", "bin", "flask"), "--app", "iom"]
PNC_LETTERS = "ZABCDEFGHJKLMNPQRTUVWXY"
STRANDS = ("prevent_deter", "catch_convict", "resettle_rehabilitate")
FIRST_DAY = date(2000, 4, 1)


def pnc(year: int, serial: int) -> str:
    return f"{year:02d}/{serial}{PNC_LETTERS[int(f'{year:02d}{serial:07d}') % 23]}"


def day(rng: random.Random, start: date = FIRST_DAY, span: int = 7000) -> date:
    return start + timedelta(days=rng.randrange(span))


OFFENCE_TYPES = ("domestic_burglary", "robbery", "shoplifting", "theft_from_vehicle", "violence_with_injury",
                 "criminal_damage", "drug_offence", "breach")


def generate(folder: str, clients: int = 5000, seed: int = 2011, offences: int = 50_000) -> dict[str, int]:
    """The CSV files: `clients` clients (a fifth re-adopted), 50,000 rows in the caseload's other
    files, `offences` offences (all after their person's birth) and a few unit costs of crime."""
    rng = random.Random(seed)
    rows: dict[str, list[list]] = {name: [] for name in ("clients", "custody", "referrals", "payments", "sac",
                                                          "budgets", "offences", "unit_costs")}
    for n in range(1, clients + 1):
        reference = f"IOM-{n:05d}"
        details = [f"Given{n}", f"Demo-{n}", date(1960 + n % 40, 1 + n % 12, 1 + n % 28).isoformat(),
                   pnc(n % 20, n), ]
        extra = [rng.choice(["ppo", "dip", "youth", "other"]), rng.choice(["yes", "no", "unknown"]),
                 f"Ward {n % 17}"]
        joined = day(rng, span=5000)
        if n % 5 == 0:
            left = joined + timedelta(days=rng.randrange(30, 400))
            rows["clients"].append([reference, *details, rng.choice(STRANDS), extra[0], joined.isoformat(),
                                    left.isoformat(), "completed", extra[1], extra[2]])
            joined = left + timedelta(days=rng.randrange(1, 300))
        rows["clients"].append([reference, *details, rng.choice(STRANDS), extra[0], joined.isoformat(), "", "",
                                extra[1], extra[2]])
        for custody_day in sorted({day(rng) for _ in range(5)}):
            rows["custody"].append([reference, rng.choice(["community", "remand", "custody"]),
                                    custody_day.isoformat()])
        for _ in range(3):
            referred = day(rng)
            status = rng.choice(["open", "accepted", "completed", "declined", "withdrawn"])
            closed = (referred + timedelta(days=rng.randrange(0, 200))).isoformat() \
                if status in ("completed", "declined", "withdrawn") else ""
            rows["referrals"].append([reference, rng.choice(["housing", "mental_health"]), referred.isoformat(),
                                      "Demo agency", status, closed])
    while len(rows["custody"]) + len(rows["referrals"]) + len(rows["payments"]) < 50_000 - 260:
        rows["payments"].append([f"IOM-{rng.randrange(1, clients + 1):05d}", day(rng).isoformat(),
                                 f"{rng.randrange(500, 10000) / 100:.2f}", rng.choice(["Bus fare", "id_documents"])])
    for year in range(2000, 2020):
        rows["budgets"].append([f"{year}-{(year + 1) % 100:02d}", "100000.00"])
    for month in range(240):
        rows["sac"].append([f"{2000 + month // 12}-{month % 12 + 1:02d}", rng.randrange(30, 130)])
    for _ in range(offences):
        rows["offences"].append([f"IOM-{rng.randrange(1, clients + 1):05d}", day(rng).isoformat(),
                                 rng.choice(OFFENCE_TYPES), rng.choice(["convicted", "charged", ""]),
                                 rng.choice(["", f"CR/{rng.randrange(10**6):06d}"]), rng.choice(["yes", "no", ""])])
    for code in OFFENCE_TYPES[:4]:
        rows["unit_costs"].append([code, f"{rng.randrange(500, 12000)}.00", "2015-16", "Bench figure"])
    from iom.imports.formats import FORMATS
    for kind, body in rows.items():
        with open(os.path.join(folder, f"{kind}.csv"), "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(FORMATS[kind].columns)
            writer.writerows(body)
    return {kind: len(body) for kind, body in rows.items()}


def to_workbook(folder: str, path: str) -> None:
    import xlsxwriter
    workbook = xlsxwriter.Workbook(path, {"constant_memory": True})
    from iom.imports.formats import FORMATS
    for kind in FORMATS:
        sheet = workbook.add_worksheet(kind)
        with open(os.path.join(folder, f"{kind}.csv"), encoding="utf-8") as handle:
            for r, row in enumerate(csv.reader(handle)):
                sheet.write_row(r, 0, row)
    workbook.close()


def run(args: list[str], env: dict) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    result = subprocess.run(FLASK + args, cwd=ROOT, env=env, capture_output=True, text=True)
    return time.perf_counter() - started, result


def empty_database(env: dict, scratch: str) -> str:
    """Migrate the database; refuse one that holds clients not made by this benchmark."""
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{os.path.join(scratch, 'bench.sqlite3')}"
    env["DATABASE_URL"] = url
    _, upgraded = run(["db", "upgrade"], env)
    if upgraded.returncode:
        sys.exit(upgraded.stderr)
    refuse_if_it_holds_clients(url)
    return url


def timed_import(path: str, env: dict, scratch: str, label: str) -> None:
    url = empty_database(env, scratch)
    try:
        checked_s, checked = run(["import", path, "--dry-run"], env)
        if checked.returncode:
            sys.exit(checked.stdout + checked.stderr)
        imported_s, imported = run(["import", path], env)
        if imported.returncode:
            sys.exit(imported.stdout + imported.stderr)
    finally:
        empty_caseload(url)
    print(f"{label}: check only (--dry-run) {checked_s:.1f}s; import {imported_s:.1f}s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--xlsx", action="store_true", help="also time the same data as one .xlsx workbook")
    parser.add_argument("--clients", type=int, default=5000)
    parser.add_argument("--offences", type=int, default=50_000)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="iom-import-bench-") as scratch:
        folder = os.path.join(scratch, "files")
        os.mkdir(folder)
        counts = generate(folder, options.clients, offences=options.offences)
        others = sum(count for kind, count in counts.items() if kind != "clients")
        env = {**os.environ, "SECRET_KEY": "bench-" + "x" * 32, "IOM_PSEUDONYM_KEY": "bench-pseudonyms-" + "y" * 32,
               "AUDIT_KEY": "bench-audit-" + "x" * 32}
        where = "PostgreSQL" if os.environ.get("BENCH_DATABASE_URL") else "SQLite"
        print(f"{options.clients:,} clients ({counts['clients']:,} rows in clients.csv) and {others:,} other rows "
              f"({', '.join(f'{kind} {count:,}' for kind, count in counts.items() if kind != 'clients')}); "
              f"database: {where}")
        timed_import(folder, env, scratch, "CSV folder")
        if options.xlsx:
            book = os.path.join(scratch, "caseload.xlsx")
            to_workbook(folder, book)
            timed_import(book, env, scratch, "Workbook  ")


if __name__ == "__main__":
    main()
