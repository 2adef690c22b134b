"""The signed-in, audited caseload page against the bare Flask page (../shared/bench/reference_app.py),
in one run on this machine: both under `gunicorn -w 2`, the same wrk load, rounds alternating.

    .venv/bin/python bench/page_bench.py                       # SQLite files in a temporary folder
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/iom_page_bench \\
    REF_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/iom_page_ref .venv/bin/python bench/page_bench.py

What it does:
1. makes the import files for 5,000 clients (about 40,000 custody events) with the yardstick's
   scale_data.py, migrates an empty database and imports them with `flask --app iom import`;
2. adds a manager (who sees every client, and their adoption scores) with a known second factor,
   starts the service under gunicorn with two workers and signs in over HTTP, password then code;
3. follows the caseload's "Next" link to its 37th page (`/clients?after=N`: the list is paged by the
   row a page follows, so `?page=37` is the first page, and is measured too);
4. seeds the reference app and starts it the same way;
5. runs `wrk -t1 -c8` for --seconds against each in turn, --rounds times, and prints requests a
   second, the ratio and any non-2xx answer; then `wrk -t2 -c50 --latency` for the percentiles.

The service keeps each caseload page whole while nothing it shows changes (iom/kept_pages.py), so after
the first request of each address wrk measures kept pages; --no-keep-pages runs it with IOM_KEEP_PAGES=0,
every page made afresh (the count, the rows, the markup), as after each change to the caseload.

BENCH_DATABASE_URL (and REF_DATABASE_URL for the reference) must name empty databases: the script
refuses one that holds clients. Needs wrk (Debian's package) and gunicorn (in the venv).
"""
import argparse
import http.cookies
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pyotp

ROOT = Path(__file__).resolve().parent.parent
YARDSTICKS = Path(os.environ.get("IOM_YARDSTICKS") or ROOT.parent / "shared" / "bench")  # ../shared/bench
BIN = Path(sys.executable).parent
SECRET = "BENCHPAGEBENCHPAGEBENCHPAGE23456"
PASSWORD = "bench page lantern 4242"
WRK_LINE = re.compile(r"Requests/sec:\s+([\d.]+)")
NON_2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
PERCENTILE = re.compile(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except Exception:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer in {seconds} s")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """Just enough of a browser to sign in: one cookie jar (by hand, so a Secure cookie is kept too)."""

    def __init__(self, base: str):
        self.base, self.cookies = base, {}
        self.opener = urllib.request.build_opener(NoRedirect)

    def request(self, path: str, data: dict | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body)
        if self.cookies:
            req.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        try:
            response = self.opener.open(req, timeout=60)
        except urllib.error.HTTPError as error:
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            jar = http.cookies.SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                self.cookies[name] = morsel.value
        return response.status, response.headers.get("Location", ""), response.read().decode("utf-8", "replace")

    def csrf(self, path: str) -> str:
        status, _, html = self.request(path)
        match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or \
            re.search(r'value="([^"]+)"[^>]*name="csrf_token"', html)
        if not match:
            raise SystemExit(f"no CSRF token on {path} ({status})")
        return match.group(1)

    def sign_in(self, username: str) -> None:
        status, location, _ = self.request("/login", {"csrf_token": self.csrf("/login"), "username": username,
                                                      "password": PASSWORD})
        if status != 302 or "/login/code" not in location:
            raise SystemExit(f"sign-in: the password step answered {status} {location}")
        status, location, _ = self.request("/login/code", {"csrf_token": self.csrf("/login/code"),
                                                           "code": pyotp.TOTP(SECRET).now()})
        if status != 302:
            raise SystemExit(f"sign-in: the code step answered {status}")

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())


def wrk(url: str, seconds: int, connections: int, threads: int = 1, cookie: str = "", latency: bool = False) -> dict:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
    if latency:
        command.append("--latency")
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    result = {"rps": float(WRK_LINE.search(output).group(1)),
              "non_2xx": int(NON_2XX.search(output).group(1)) if NON_2XX.search(output) else 0}
    for percent, value, unit in PERCENTILE.findall(output):
        result[f"p{percent}_ms"] = float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--no-keep-pages", action="store_true",
                        help="run the service with IOM_KEEP_PAGES=0: every caseload page made afresh")
    options = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is missing: apt-get install wrk", file=sys.stderr)
        return 1
    work = Path(tempfile.mkdtemp(prefix="iom-page-bench-"))
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{work / 'iom.sqlite3'}"
    ref_url = os.environ.get("REF_DATABASE_URL") or ""
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-" + "s" * 40,
           "IOM_PSEUDONYM_KEY": "bench-" + "p" * 40, "AUDIT_KEY": "bench-" + "a" * 40, "FLASK_DEBUG": "0",
           "IOM_KEEP_PAGES": "0" if options.no_keep_pages else "1"}
    flask = [str(BIN / "flask"), "--app", "iom"]
    servers = []
    try:
        subprocess.run([sys.executable, str(YARDSTICKS / "scale_data.py"), str(work / "data"), str(options.clients)],
                       check=True, capture_output=True)
        subprocess.run(flask + ["db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
        started = time.perf_counter()
        imported = subprocess.run(flask + ["import", str(work / "data")], env=env, cwd=ROOT, capture_output=True,
                                  text=True)
        if imported.returncode:
            print(imported.stdout, imported.stderr, file=sys.stderr)
            return 1
        print(f"imported {options.clients:,} clients in {time.perf_counter() - started:.1f} s")
        subprocess.run(flask + ["create-user", "bench-manager", "--role", "manager", "--name", "Bench Manager",
                                "--totp-secret", SECRET], input=f"{PASSWORD}\n{PASSWORD}\n", text=True, env=env,
                       cwd=ROOT, check=True, capture_output=True)

        iom_port, ref_port = free_port(), free_port()
        servers.append(subprocess.Popen([str(BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{iom_port}",
                                         "--log-level", "warning", "wsgi:app"], env=env, cwd=ROOT,
                                        stdout=subprocess.DEVNULL, stderr=open(work / "iom.log", "w")))
        ref_env = {**os.environ, "REF_DB": str(work / "ref.db")}
        if ref_url:
            ref_env["REF_DATABASE_URL"] = ref_url
        subprocess.run([sys.executable, "reference_app.py"], cwd=YARDSTICKS, env=ref_env, check=True,
                       capture_output=True, timeout=120)
        servers.append(subprocess.Popen([str(BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{ref_port}",
                                         "--log-level", "warning", "reference_app:app"], env=ref_env, cwd=YARDSTICKS,
                                        stdout=subprocess.DEVNULL, stderr=open(work / "ref.log", "w")))
        iom_base, ref_base = f"http://127.0.0.1:{iom_port}", f"http://127.0.0.1:{ref_port}"
        wait_for(iom_base + "/healthz")
        wait_for(ref_base + "/hello")

        browser = Browser(iom_base)
        browser.sign_in("bench-manager")
        path = "/clients"
        for _ in range(36):
            _, _, html = browser.request(path)
            found = re.search(r'<a[^>]*href="(/clients\?[^"]*after=\d+[^"]*)"[^>]*rel="next"', html) or \
                re.search(r'rel="next"[^>]*href="(/clients\?[^"]*)"', html)
            if not found:
                raise SystemExit(f"no Next link on {path}")
            path = found.group(1).replace("&amp;", "&")
        status, _, html = browser.request(path)
        shown = re.search(r"page (\d+) of ([\d,]+)", html, re.IGNORECASE)
        print(f"the 37th page: {path} ({status}; {shown.group(0) if shown else 'no page number'})")
        cookie = browser.cookie_header()

        targets = {"reference /list?page=37": (ref_base + "/list?page=37", ""),
                   f"iom {path}": (iom_base + path, cookie),
                   "iom /clients?page=37": (iom_base + "/clients?page=37", cookie)}
        for url_, cookie_ in targets.values():  # warm-up
            wrk(url_, 2, options.connections, cookie=cookie_)
        results = {name: [] for name in targets}
        for _ in range(options.rounds):
            for name, (url_, cookie_) in targets.items():
                results[name].append(wrk(url_, options.seconds, options.connections, cookie=cookie_))
        reference = statistics.median(r["rps"] for r in results["reference /list?page=37"])
        dialect = "PostgreSQL" if url.startswith("postgres") else "SQLite"
        pages = "made afresh" if options.no_keep_pages else "kept"
        print(f"\n{dialect}; pages {pages}; gunicorn -w 2; wrk -t1 -c{options.connections} -d{options.seconds}s, "
              f"{options.rounds} rounds alternating (median requests a second)")
        for name, rounds in results.items():
            rps = statistics.median(r["rps"] for r in rounds)
            bad = sum(r["non_2xx"] for r in rounds)
            print(f"  {name:<40} {rps:8.1f}  ratio {rps / reference:5.2f}  non-2xx {bad}  "
                  f"rounds {', '.join(str(round(r['rps'])) for r in rounds)}")
        print(f"\n50 connections, wrk -t2 -c50 -d{options.seconds}s --latency:")
        for name in ("reference /list?page=37", f"iom {path}"):
            url_, cookie_ = targets[name]
            r = wrk(url_, options.seconds, 50, threads=2, cookie=cookie_, latency=True)
            print(f"  {name:<40} {r['rps']:8.1f} req/s  p50 {r.get('p50_ms', 0):6.1f} ms  "
                  f"p99 {r.get('p99_ms', 0):6.1f} ms  non-2xx {r['non_2xx']}")
        return 0
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
        for server in servers:
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        if options.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
