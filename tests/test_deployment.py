"""The deployment an operator follows (docs/operations.md): the service started the way the systemd unit
starts it, `gunicorn -c gunicorn.conf.py wsgi:app` on PostgreSQL, signed in to over HTTP and stopped; and
the files in deploy/ agree with the settings they name."""
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import ON_POSTGRES, TEST_DATABASE_URL, _worker_database
from tests.pages import DEFAULT_PASSWORD, TEST_TOTP_SECRET, HttpSession, Page, sign_in_over_http

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def run(command: list[str], environment: dict, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120, **kwargs)
    assert done.returncode == 0, done.stderr
    return done


def wait_for(condition, seconds: float, what: str, process: subprocess.Popen | None = None):
    """Poll `condition` until it gives something truthy (the child may also have died: then say so)."""
    import threading
    finished = threading.Event()
    for _ in range(int(seconds * 10)):
        found = condition()
        if found:
            return found
        if process is not None and process.poll() is not None:
            pytest.fail(f"gunicorn stopped with {process.returncode} before {what}")
        finished.wait(0.1)
    pytest.fail(f"no {what} within {seconds} s")


@pytest.fixture
def gunicorn_database():
    """A database of this test's own (<TEST_DATABASE_URL's>_gunicorn), emptied first, as a PostgreSQL URL."""
    url = _worker_database(TEST_DATABASE_URL, "gunicorn")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url.replace("postgresql+psycopg://", "postgresql://")


@pytest.mark.xdist_group("gunicorn")
@pytest.mark.skipif(not ON_POSTGRES, reason="the start-up check runs on PostgreSQL, as in production: "
                                            "set TEST_DATABASE_URL (make test's second pass does)")
def test_gunicorn_serves_the_caseload_through_its_config_and_stops_cleanly(gunicorn_database, tmp_path):
    environment = {
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "PYTHONPATH": str(ROOT), "HOME": str(tmp_path),
        "LANG": "C.UTF-8", "DATABASE_URL": gunicorn_database,
        "SECRET_KEY": "gunicorn-test-secret-key-" + "s" * 32, "IOM_PSEUDONYM_KEY": "gunicorn-test-pseudonyms-" + "p" * 32,
        "AUDIT_KEY": "gunicorn-test-audit-key-" + "a" * 32,
        "IOM_BIND": "127.0.0.1:0", "WEB_CONCURRENCY": "2",
    }
    flask = [str(BIN / "flask"), "--app", "iom"]
    run([*flask, "db", "upgrade"], environment)
    run([*flask, "create-user", "gunicorn.officer", "--role", "officer", "--name", "Gunicorn Officer",
         "--totp-secret", TEST_TOTP_SECRET], environment, input=f"{DEFAULT_PASSWORD}\n{DEFAULT_PASSWORD}\n")

    log_path = tmp_path / "gunicorn.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen([str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"], cwd=ROOT,
                                  env=environment, stdout=log, stderr=subprocess.STDOUT)
    try:
        listening = wait_for(lambda: re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", log_path.read_text()),
                             30, "Listening line", server)
        session = HttpSession(listening.group(1))
        wait_for(lambda: session.get("/healthz").status_code == 200, 60, "healthy answer", server)
        assert session.get("/healthz").headers["Content-Type"] == "application/json"

        signed_in = sign_in_over_http(session, "gunicorn.officer")
        assert signed_in.status_code == 302, Page(signed_in).summary_errors
        caseload = session.get("/clients?q=Quillfeather")
        assert caseload.status_code == 200 and Page(caseload).title.startswith("Caseload")
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            returncode = server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            raise

    assert returncode == 0
    lines = [json.loads(line) for line in log_path.read_text().splitlines() if line.strip()]  # every line JSON
    [line] = [line for line in lines if line["logger"] == "iom.request" and line["route"] == "/clients"]
    assert (line["status"], line["method"], isinstance(line["user"], int)) == (200, "GET", True)
    assert line["request_id"] == caseload.headers["X-Request-ID"]
    assert "Quillfeather" not in log_path.read_text()
    assert any(line["message"].startswith("Shutting down") for line in lines if line["logger"] == "gunicorn.error")
