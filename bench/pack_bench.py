"""The review pack at 500 and 5,000 clients: each format of `flask --app iom annual-report` timed as a
whole command, with its peak memory and (for the PDF) its page count, and the 5,000/500 ratios.

    .venv/bin/python bench/pack_bench.py                       # a temporary SQLite file per caseload
    .venv/bin/python bench/pack_bench.py --sizes 500 --runs 1  # a quick look
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/iom_pack_bench .venv/bin/python bench/pack_bench.py

What it does, for each caseload size:
1. makes the import files with the yardstick's scale_data.py (../shared/bench/scale_data.py: N clients,
   adopted from April 2007 to May 2011, about 8 custody events and 1.5 referrals each, SAC counts to
   March 2012), migrates an empty database (`flask --app iom db upgrade`) and imports them with
   `flask --app iom import`;
2. runs `flask --app iom annual-report --year 2010-11 --format F --output FILE` for json, csv, xlsx
   and pdf, --runs times each (rounds alternating the formats), and keeps the best and the median
   wall-clock time and the largest peak resident memory (the child's own ru_maxrss, from wait4);
3. counts the PDF's pages with pypdf.

BENCH_DATABASE_URL must name an empty database: the script refuses one that holds clients, and empties
the caseload tables again after each size (the audit entries stay, as audit entries do).
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from caseload import empty_caseload, refuse_if_it_holds_clients  # noqa: E402  (bench/caseload.py)

YARDSTICKS = Path(os.environ.get("IOM_YARDSTICKS") or ROOT.parent / "shared" / "bench")  # ../shared/bench
FORMATS = ("json", "csv", "xlsx", "pdf")


def flask(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flask", "--app", "iom", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True)


def timed(env: dict, *args: str) -> tuple[float, float]:
    """Wall-clock seconds and peak resident MB of one whole command (this child's own, from wait4)."""
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "flask", "--app", "iom", *args], env=env, cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    error = child.stderr.read().decode()
    child.stderr.close()
    if child.returncode:
        sys.exit(f"{' '.join(args)} failed ({child.returncode}): {error}")
    return seconds, usage.ru_maxrss / 1024  # kilobytes on Linux


def pages(path: Path) -> int:
    from pypdf import PdfReader
    return len(PdfReader(path).pages)


def filled_database(env: dict, work: Path, clients: int) -> str:
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{work / f'pack-{clients}.sqlite3'}"
    env["DATABASE_URL"] = url
    data = work / f"data-{clients}"
    subprocess.run([sys.executable, str(YARDSTICKS / "scale_data.py"), str(data), str(clients)], check=True,
                   capture_output=True)
    upgraded = flask(env, "db", "upgrade")
    if upgraded.returncode:
        sys.exit(upgraded.stderr)
    refuse_if_it_holds_clients(url)
    started = time.perf_counter()
    imported = flask(env, "import", str(data))
    if imported.returncode:
        sys.exit(imported.stdout + imported.stderr)
    print(f"{clients:,} clients imported in {time.perf_counter() - started:.1f} s", flush=True)
    return url


def emptied(url: str) -> None:
    if os.environ.get("BENCH_DATABASE_URL"):  # a SQLite file goes with the temporary folder
        empty_caseload(url)


def measure(env: dict, work: Path, clients: int, year: str, runs: int) -> dict[str, dict]:
    url = filled_database(env, work, clients)
    try:
        times = {fmt: [] for fmt in FORMATS}
        peaks = {fmt: 0.0 for fmt in FORMATS}
        for _ in range(runs):
            for fmt in FORMATS:
                output = work / f"pack-{clients}.{fmt}"
                seconds, peak = timed(env, "annual-report", "--year", year, "--format", fmt, "--output", str(output))
                times[fmt].append(seconds)
                peaks[fmt] = max(peaks[fmt], peak)
        results = {fmt: {"best": min(times[fmt]), "median": statistics.median(times[fmt]), "peak_mb": peaks[fmt],
                         "bytes": (work / f"pack-{clients}.{fmt}").stat().st_size} for fmt in FORMATS}
        results["pdf"]["pages"] = pages(work / f"pack-{clients}.pdf")
        return results
    finally:
        emptied(url)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 5000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--year", default="2010-11", help="a year the yardstick's data covers (2007-08 to 2011-12)")
    options = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    env = {**os.environ, "SECRET_KEY": "bench-" + "s" * 40, "IOM_PSEUDONYM_KEY": "bench-" + "p" * 40,
           "AUDIT_KEY": "bench-" + "a" * 40, "FLASK_DEBUG": "0",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    where = "PostgreSQL" if os.environ.get("BENCH_DATABASE_URL") else "SQLite"
    results = {}
    with tempfile.TemporaryDirectory(prefix="iom-pack-bench-") as scratch:
        for clients in options.sizes:
            results[clients] = measure(env, Path(scratch), clients, options.year, options.runs)
    print(f"\n`annual-report --year {options.year}`, {where}, best (median) of {options.runs} whole commands")
    header = "| format | " + " | ".join(f"{n:,} clients" for n in options.sizes)
    ratio = len(options.sizes) > 1
    print(header + (f" | {options.sizes[-1]:,}/{options.sizes[0]:,} |" if ratio else " |"))
    print("|---" * (len(options.sizes) + 1 + ratio) + "|")
    for fmt in FORMATS:
        cells = []
        for n in options.sizes:
            r = results[n][fmt]
            cell = f"{r['best']:.2f} s ({r['median']:.2f}), {r['peak_mb']:.0f} MB"
            if fmt == "pdf":
                cell += f", {r['pages']} pages"
            cells.append(cell)
        line = f"| {fmt} | " + " | ".join(cells)
        if ratio:
            line += f" | {results[options.sizes[-1]][fmt]['best'] / results[options.sizes[0]][fmt]['best']:.2f}x"
        print(line + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
