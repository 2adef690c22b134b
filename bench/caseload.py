"""The benchmarks' caseload: the database they fill (BENCH_DATABASE_URL, or a temporary SQLite file,
migrated with the real migrations; one that already holds clients is refused, so a benchmark can
never be pointed at live data by mistake) and the clients they fill it with. Shared by
figures_bench.py and reoffending_bench.py; the import and pack benches refuse and empty their databases
with it."""
import argparse
import os
import shutil
import sys
import tempfile
from datetime import date, timedelta

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import create_engine, func, insert, inspect, select, text  # noqa: E402

from iom import create_app  # noqa: E402
from iom.clients.models import Client  # noqa: E402
from iom.config import normalise_database_url  # noqa: E402
from iom.extensions import db  # noqa: E402

SECRET_KEY = "bench-" + "x" * 40
BATCH = 2_000
STRANDS = ["prevent_deter", "catch_convict", "catch_convict", "resettle_rehabilitate", "resettle_rehabilitate"]
EXIT_REASONS = ["completed", "desisted", "moved_away", "deselected", "transferred", "other"]


def adopted_client(rng, number: int, first_day: date, last_day: date, **drawn):
    """(client row, scheme periods, first day adopted): a client first adopted on a random day from
    first_day to last_day, with one to three periods that never overlap (about 60% end; a leaver
    may be adopted again 1 to 300 days later, in any strand). `drawn` columns are callables, drawn
    after the programme and alcohol."""
    client = {"id": number, "reference": f"BENCH-{number:05d}", "given_name": "Bench",
              "family_name": f"Client{number:05d}", "programme": rng.choice(["ppo", "dip", "youth", "other"]),
              "alcohol_related": rng.choice(["yes", "no", "unknown"])}
    client.update({name: draw() for name, draw in drawn.items()})
    first = day = first_day + timedelta(days=rng.randrange(0, (last_day - first_day).days))
    periods = []
    for _ in range(rng.choice([1, 1, 1, 2, 2, 3])):
        if day > last_day:
            break
        left = day + timedelta(days=rng.randrange(0, 700)) if rng.random() < 0.6 else None
        periods.append({"client_id": number, "strand": rng.choice(STRANDS), "joined_on": day, "left_on": left,
                        "exit_reason": rng.choice(EXIT_REASONS) if left else None})
        if left is None:
            break
        day = left + timedelta(days=rng.randrange(1, 300))
    return client, periods, first


# What an import fills: emptied after a benchmark's run on a database of BENCH_DATABASE_URL (children first).
CASELOAD_TABLES = ("offence", "offence_unit_cost", "referral_status_change", "referral", "support_payment",
                   "custody_event", "scheme_period", "client", "sac_count", "budget")


def refuse_if_it_holds_clients(url: str) -> None:
    """Exit, saying why, when the (migrated) database already holds clients: never live data by mistake."""
    engine = create_engine(normalise_database_url(url))
    with engine.connect() as connection:
        if connection.execute(text("SELECT count(*) FROM client")).scalar():
            sys.exit(f"{url} already holds clients: give BENCH_DATABASE_URL an empty database")
    engine.dispose()


def empty_caseload(url: str) -> None:
    """Delete what a benchmark imported (its audit entries stay, as audit entries do)."""
    engine = create_engine(normalise_database_url(url))
    with engine.begin() as connection:
        for table in CASELOAD_TABLES:
            connection.execute(text(f"DELETE FROM {table}"))  # nosec B608: the table names are this file's constants
    engine.dispose()


class BenchDatabase:
    """The URL, the app on it, and the temporary folder when the database is a SQLite file of its own."""

    def __init__(self):
        self.url = os.environ.get("BENCH_DATABASE_URL")
        self.workdir = None
        if not self.url:
            self.workdir = tempfile.mkdtemp(prefix="iom-bench-")
            self.url = f"sqlite:///{os.path.join(self.workdir, 'bench.sqlite3')}"
        self.url = normalise_database_url(self.url)
        self.app = create_app({"SQLALCHEMY_DATABASE_URI": self.url, "SECRET_KEY": SECRET_KEY,
                               "PSEUDONYM_KEY": "bench-pseudonyms-" + "y" * 32,
                               "AUDIT_KEY": SECRET_KEY + "-audit"})

    def migrate_if_empty(self) -> bool:
        """Migrate the database (inside an app context); False, with a message, when it holds clients."""
        if inspect(db.engine).has_table("client") and db.session.scalar(select(func.count()).select_from(Client)):
            print("The database in BENCH_DATABASE_URL already holds clients: give an empty one.", file=sys.stderr)
            return False
        upgrade()
        return True

    def described(self) -> str:
        dialect = db.engine.dialect.name
        version = db.session.scalar(text("SELECT sqlite_version()" if dialect == "sqlite" else "SHOW server_version"))
        return f"{dialect} {version}" + (f" (temporary file in {self.workdir})" if self.workdir else "")

    def remove(self, keep: bool) -> None:
        if self.workdir and not keep:
            shutil.rmtree(self.workdir)


def options(description: str, **defaults) -> argparse.ArgumentParser:
    """--keep and the whole-number options given with their defaults (clients=5_000, repeat=9, ...)."""
    parser = argparse.ArgumentParser(description=description)
    for name, default in defaults.items():
        parser.add_argument(f"--{name}", type=int, default=default)
    parser.add_argument("--keep", action="store_true", help="keep the temporary SQLite file")
    return parser


def bulk_insert(tables: list[tuple]) -> None:
    """(table, rows) in order, in INSERTs of BATCH rows; the client id sequence moved past the ids
    given (PostgreSQL); committed, then ANALYZE so the planner knows the tables' sizes."""
    for table, rows in tables:
        for start in range(0, len(rows), BATCH):
            db.session.execute(insert(table), rows[start:start + BATCH])
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT setval('client_id_seq', (SELECT max(id) FROM client))"))
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()
