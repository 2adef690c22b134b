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


# --- the files an operator installs agree with each other and with the service's settings -----------------

def gunicorn_settings(monkeypatch, **environment):
    """gunicorn.conf.py read as gunicorn reads it, each setting checked by gunicorn's own validators."""
    import runpy

    from gunicorn.config import Config as GunicornConfig
    for variable in ("WEB_CONCURRENCY", "IOM_BIND", "IOM_TIMEOUT", "IOM_GRACEFUL_TIMEOUT", "IOM_ACCESS_LOG"):
        monkeypatch.delenv(variable, raising=False)
    for variable, value in environment.items():
        monkeypatch.setenv(variable, value)
    settings = GunicornConfig()
    for name, value in runpy.run_path(str(ROOT / "gunicorn.conf.py")).items():
        if name in settings.settings:
            settings.set(name, value)
    return settings


def test_gunicorn_conf_fits_the_longest_request_and_keeps_names_out_of_its_access_log(monkeypatch):
    settings = gunicorn_settings(monkeypatch)
    assert settings.bind == ["127.0.0.1:8000"] and 1 <= settings.workers <= 9
    assert settings.timeout >= 120 and settings.graceful_timeout == settings.timeout  # the import: about 31 s
    assert settings.accesslog is None and settings.control_socket_disable is True
    atoms = set(re.findall(r"%\((\{[^}]+\}[io]|\w)\)s", settings.access_log_format))
    assert atoms <= {"m", "s", "M", "B", "{x-request-id}o"}  # never r, U, q (the address), h (the client), f, a


def test_gunicorn_forks_warm_workers_from_a_master_that_loaded_the_code_once(monkeypatch, app):
    """A worker replaced (over its memory limit) serves at once: the master loaded wsgi.py, which compiled the
    templates, and each forked worker leaves any connection the master's pool holds to it."""
    import runpy
    from types import SimpleNamespace

    from iom.extensions import db
    settings = gunicorn_settings(monkeypatch)
    assert settings.preload_app is True
    assert 'compile_templates(app)' in (ROOT / "wsgi.py").read_text()
    hooks = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    with app.app_context():
        pools = [engine.pool for engine in db.engines.values()]
    hooks["post_fork"](SimpleNamespace(app=SimpleNamespace(wsgi=lambda: app)), None)
    with app.app_context():
        assert all(engine.pool is not pool for engine, pool in zip(db.engines.values(), pools))
    # and so a HUP, which would fork new workers from the old code, is not offered as a reload
    assert not re.search(r"^ExecReload=", (ROOT / "deploy/systemd/iom.service").read_text(), re.M)


def test_a_worker_is_replaced_for_the_memory_it_holds_not_after_a_count_of_requests(monkeypatch):
    import runpy
    from types import SimpleNamespace
    assert gunicorn_settings(monkeypatch).max_requests == 0
    assert gunicorn_settings(monkeypatch, IOM_MAX_REQUESTS="5000").max_requests == 5000   # an operator's own
    hooks = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert hooks["worker_memory_limit"] == 512 * 1024 * 1024
    assert 10 * 1024 * 1024 < hooks["resident_bytes"]() < hooks["worker_memory_limit"]   # this test's process
    lines = []
    worker = SimpleNamespace(alive=True, pid=1234, log=SimpleNamespace(info=lambda *args: lines.append(args)))
    hooks["post_request"](worker, None, {}, None)
    assert worker.alive and not lines                                   # under the limit: it goes on
    monkeypatch.setenv("IOM_WORKER_MEMORY_MB", "1")
    small = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    small["post_request"](worker, None, {}, None)
    assert worker.alive is False and "IOM_WORKER_MEMORY_MB" in lines[0][0]   # over it: finishes, is replaced


def test_every_template_compiles(app):
    from iom import compile_templates
    compiled = compile_templates(app)
    ours = sum(1 for _ in (ROOT / "templates").rglob("*.html"))
    assert compiled > ours > 100


def test_gunicorn_conf_takes_its_settings_from_the_environment(monkeypatch):
    settings = gunicorn_settings(monkeypatch, WEB_CONCURRENCY="3", IOM_BIND="0.0.0.0:9000", IOM_TIMEOUT="300",
                                 IOM_ACCESS_LOG="-")
    assert (settings.workers, settings.bind, settings.timeout, settings.graceful_timeout) == (3, ["0.0.0.0:9000"],
                                                                                               300, 300)
    assert settings.logconfig_dict["loggers"]["gunicorn.access"]["level"] == "INFO"
    assert settings.logconfig_dict["handlers"]["access"]["stream"] == "ext://sys.stdout"


def test_the_nginx_example_matches_the_service(monkeypatch):
    from iom.config import Config
    nginx = (ROOT / "deploy/nginx/iom.conf").read_text()
    settings = gunicorn_settings(monkeypatch)
    assert f"client_max_body_size {Config.MAX_CONTENT_LENGTH // (1024 * 1024)}m;" in nginx
    assert int(re.search(r"proxy_read_timeout (\d+)s;", nginx).group(1)) > settings.timeout
    assert f"server {settings.bind[0]} " in nginx
    for header in ("X-Forwarded-For $proxy_add_x_forwarded_for", "X-Forwarded-Proto $scheme",
                   "X-Request-ID $request_id"):
        assert f"proxy_set_header {header};" in nginx
    log_format = re.search(r"log_format iom_json(.*?);\n", nginx, re.S).group(1)
    for variable in ("$request_uri", "$args", "$query_string", "$request ", "$remote_addr", "$http_referer", "$uri"):
        assert variable not in log_format
    assert "IOM_BEHIND_HTTPS=1" in nginx and "IOM_PROXY_FIX_HOPS=1" in nginx


def test_the_systemd_units_run_commands_that_exist(monkeypatch, app):
    units = {path.name: path.read_text() for path in (ROOT / "deploy/systemd").iterdir()}
    service = units["iom.service"]
    assert "ExecStart=/opt/iom/.venv/bin/gunicorn -c gunicorn.conf.py wsgi:app" in service
    stop = int(re.search(r"TimeoutStopSec=(\d+)", service).group(1))
    assert stop > gunicorn_settings(monkeypatch).graceful_timeout
    commands = {command for unit in units.values() for command in re.findall(r"flask --app iom ([a-z-]+)", unit)}
    assert commands == {"audit-checkpoint", "audit-verify"} and commands <= set(app.cli.list_commands(None))
    for name in units:
        if name.endswith(".timer"):
            assert f"{name.removesuffix('.timer')}.service" in units


def test_the_systemd_units_pass_systemd_analyze(tmp_path):
    import shutil
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed here")
    for path in (ROOT / "deploy/systemd").iterdir():  # the paths of an installation, made real for the check
        unit = (path.read_text().replace("/opt/iom/.venv", str(BIN.parent)).replace("/opt/iom", str(ROOT))
                .replace("/etc/iom/iom.env", str(ROOT / "deploy/iom.env.example")))
        (tmp_path / path.name).write_text(unit)
    done = subprocess.run([analyze, "verify", *sorted(str(path) for path in tmp_path.iterdir())],
                          capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stderr.strip(), done.stdout.strip()) == (0, "", "")


def test_the_image_builds_its_assets_in_a_stage_and_runs_without_node():
    dockerfile = (ROOT / "Dockerfile").read_text()
    stages = re.split(r"^FROM ", dockerfile, flags=re.M)[1:]
    assert len(stages) == 2 and stages[0].startswith("${NODE_IMAGE} AS assets") and "npm run build" in stages[0]
    final = stages[1]
    assert not re.search(r"\b(npm|node|nodejs)\b", final.replace("NODE_IMAGE", ""))
    assert "COPY --from=assets /build/iom/static/build/ iom/static/build/" in final
    assert 'CMD ["gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]' in final and "USER iom" in final
    # the packages CI ran, by hash, not whatever an unpinned install resolves on the day
    assert "COPY requirements/lock.txt requirements/lock.txt" in final
    assert "pip install --quiet --require-hashes -r requirements/lock.txt" in final
    assert "pip install --quiet --no-deps --no-build-isolation -e ." in final
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {"instance/*", ".venv", "node_modules", "iom/static/build"} <= set(ignored)


def test_compose_migrates_as_the_owner_and_serves_as_the_service_role():
    compose = (ROOT / "compose.yaml").read_text()
    migrate = compose[compose.index("  migrate:"):compose.index("  web:")]
    web = compose[compose.index("  web:"):compose.index("volumes:\n  db:")]
    assert "db upgrade && flask --app iom grant-service-role iom_service" in migrate
    assert "postgresql://iom_owner:" in migrate and "postgresql://iom_service:" in web
    assert "service_completed_successfully" in web and '"127.0.0.1:8000:8000"' in web
    guide = (ROOT / "docs/operations.md").read_text()
    for variable in set(re.findall(r"\$\{([A-Z_]+)", compose)):
        assert f"`{variable}`" in guide


def test_the_environment_file_example_names_only_real_settings():
    from iom.config import environment_variables
    gunicorn_variables = set(re.findall(r'os\.environ\.get\("([A-Z_]+)"', (ROOT / "gunicorn.conf.py").read_text()))
    example = (ROOT / "deploy/iom.env.example").read_text()
    named = set(re.findall(r"^#?([A-Z][A-Z0-9_]+)=", example, re.M))
    assert named - environment_variables() - gunicorn_variables == set()
    assert {"DATABASE_URL", "SECRET_KEY", "IOM_PSEUDONYM_KEY", "AUDIT_KEY", "IOM_BEHIND_HTTPS",
            "IOM_PROXY_FIX_HOPS"} <= named
