"""Fixtures for import tests: files written as a partnership would save them (the helpers and
headers are in tests/builders.py), the command run as the contract documents it."""
import codecs
import textwrap
from datetime import date

import pytest

from iom.clients.models import Client, SchemePeriod
from iom.custody.models import CustodyEvent
from iom.extensions import db
from iom.payments.models import SupportPayment
from tests.builders import fault_lines, table_counts


@pytest.fixture
def write_files(tmp_path):
    """write_files({"clients.csv": text, ...}, folder="in", encoding="utf-8", bom=False, newline="\n")"""
    def write(files: dict[str, str | bytes], folder: str = "in", encoding: str = "utf-8", bom: bool = False,
              newline: str = "\n"):
        path = tmp_path / folder
        path.mkdir(exist_ok=True)
        for name, text in files.items():
            if isinstance(text, bytes):
                data = text
            else:
                data = textwrap.dedent(text).lstrip("\n").replace("\n", newline).encode(encoding)
                if bom:
                    data = codecs.BOM_UTF8 + data
            (path / name).write_bytes(data)
        return path
    return write


@pytest.fixture
def run_import(runner):
    def run(path, *args):
        return runner.invoke(args=["import", str(path), *args])
    return run


@pytest.fixture
def counts(app):
    def count():
        with app.app_context():
            return table_counts()
    return count


@pytest.fixture
def refuses(write_files, run_import, counts):
    """refuses({"clients.csv": ...}) -> the fault lines, having checked exit 1 and nothing written."""
    def check(files: dict, **options) -> list[str]:
        before = counts()
        result = run_import(write_files(files, **options))
        assert result.exit_code == 1, result.output
        assert counts() == before
        assert result.stderr.rstrip().splitlines()[-1].startswith("Nothing was imported")
        return fault_lines(result)
    return check


@pytest.fixture
def accepts(write_files, run_import):
    def check(files: dict, **options):
        result = run_import(write_files(files, **options))
        assert result.exit_code == 0, result.output
        return result
    return check


@pytest.fixture
def existing_client(app):
    """A client already in the database: existing_client('IOM-0001', pnc_id=..., custody=[(status, day)])"""
    def make(reference: str, *, pnc_id: str | None = None, custody=(), payments=()):
        with app.app_context():
            client = Client(reference=reference, given_name="Saved", family_name="Client", pnc_id=pnc_id,
                            programme="other", alcohol_related="unknown")
            db.session.add(client)
            db.session.flush()
            db.session.add(SchemePeriod(client_id=client.id, strand="catch_convict", joined_on=date(2011, 4, 1)))
            for status, day in custody:
                db.session.add(CustodyEvent(client_id=client.id, status=status, from_date=day))
            for paid_on, amount in payments:
                db.session.add(SupportPayment(client_id=client.id, amount_gbp=amount, paid_on=paid_on,
                                              financial_year="2011-12", purpose="other", detail="Saved",
                                              status="approved"))
            db.session.commit()
            return client.id
    return make


