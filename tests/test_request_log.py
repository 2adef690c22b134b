"""The logs an operator reads (iom/request_log.py): one JSON line per request on stderr, errors with
their request id and traceback, and never a name, a search term or what a form carried."""
import json
import re
import logging

import pytest
from flask import g
from sqlalchemy import select

from iom.auth.models import User
from iom.clock import utcnow
from iom.extensions import db
from iom.request_log import JsonLines, signed_in_account_id
from tests.pages import post_form

REQUEST_KEYS = {"time", "level", "logger", "message", "request_id", "user", "method", "route", "status",
                "duration_ms"}


def log_lines(capsys) -> list[dict]:
    """The JSON lines written to stderr since the last call (each line must be one JSON object)."""
    return [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.strip()]


def request_lines(lines: list[dict]) -> list[dict]:
    return [line for line in lines if line["logger"] == "iom.request"]


def test_a_page_writes_one_json_line_with_its_route_user_status_and_time(signed_in, make_client, capsys):
    client, user_id = signed_in("officer")
    reference = make_client("Quillfeather")
    log_lines(capsys)

    response = client.get(f"/clients/{reference}")

    assert response.status_code == 200
    [line] = request_lines(log_lines(capsys))
    assert set(line) == REQUEST_KEYS
    assert line["route"] == "/clients/<reference>" and reference not in json.dumps(line)
    assert (line["user"], line["method"], line["status"], line["level"]) == (user_id, "GET", 200, "info")
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert isinstance(line["duration_ms"], float) and 0 <= line["duration_ms"] < 60_000
    assert line["time"][:10] == utcnow().date().isoformat() and line["time"].endswith("Z")


def test_signed_out_requests_and_unknown_addresses_log_no_user_and_no_path(client, capsys):
    client.get("/login")
    client.get("/clients/Quillfeather/no-such-part/deeper")
    [login, unknown] = request_lines(log_lines(capsys))
    assert (login["route"], login["user"], login["status"]) == ("/login", None, 200)
    assert (unknown["route"], unknown["user"], unknown["status"]) == (None, None, 404)


def test_a_search_term_and_a_name_posted_in_a_form_never_reach_the_log(app, signed_in, capsys):
    client, _ = signed_in("officer")
    log_lines(capsys)

    searched = client.get("/clients?q=Quillfeather&strand=catch_convict")
    added = post_form(client, app, "/clients/new", {
        "given_name": "Zebedee", "family_name": "Quillfeather", "date_of_birth": ["1", "2", "1990"],
        "pnc_id": "11/123456H", "ward": "Central", "programme": "ppo", "alcohol_related": "yes",
        "risk_level": "high", "offender_manager_id": "", "strand": "catch_convict", "joined_on": ["1", "4", "2011"]})

    assert searched.status_code == 200 and added.status_code == 302
    written = capsys.readouterr().err
    lines = [json.loads(line) for line in written.splitlines()]
    # everything but the fields a random id, the clock or a duration fill (a request id may hold "1990")
    said = json.dumps([{key: value for key, value in line.items() if key not in ("request_id", "time", "duration_ms")}
                       for line in lines])
    for typed in ("Quillfeather", "Zebedee", "123456H", "1990", "catch_convict", "q="):
        assert typed not in said
    assert all(re.fullmatch(r"[0-9a-f]{32}", line["request_id"]) for line in lines if "request_id" in line)
    assert [(line["method"], line["route"], line["status"]) for line in request_lines(lines)] == [
        ("GET", "/clients", 200), ("POST", "/clients/new", 302)]


def test_an_unhandled_error_is_logged_with_its_request_id_and_traceback_but_not_its_message(
        app, signed_in, monkeypatch, capsys):
    client, user_id = signed_in("officer")
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def broken(*args, **kwargs):
        from flask import request
        typed = request.args["q"]
        raise ValueError(f"duplicate key (family_name)=({typed})")
    monkeypatch.setattr("iom.clients.views.render_template", broken)
    log_lines(capsys)

    response = client.get("/clients?q=Zebedee")

    assert response.status_code == 500
    lines = log_lines(capsys)
    [error] = [line for line in lines if line["level"] == "error"]
    assert error["request_id"] == response.headers["X-Request-ID"]
    assert (error["logger"], error["route"], error["error"]) == ("iom", "/clients", "builtins.ValueError")
    assert "Traceback (most recent call last)" in error["traceback"] and "in broken" in error["traceback"]
    assert error["traceback"].endswith("\nbuiltins.ValueError\n")  # the type, never the message
    assert "Zebedee" not in json.dumps(lines)
    [line] = request_lines(lines)
    assert (line["status"], line["user"], line["request_id"]) == (500, user_id, error["request_id"])


def test_the_account_id_is_known_without_a_query(app, make_user, count_queries):
    user_id, _ = make_user("officer")
    with app.test_request_context("/"):
        g._login_user = db.session.scalar(select(User).where(User.id == user_id))
        db.session.commit()  # expires the row: reading user.id now would query again
        with count_queries() as counter:
            assert signed_in_account_id() == user_id
        assert counter.count == 0


def test_warning_level_keeps_errors_and_drops_the_request_lines(monkeypatch, database_uri, capsys):
    from iom import create_app
    monkeypatch.setenv("IOM_LOG_LEVEL", "warning")
    quiet = create_app({"SECRET_KEY": "x", "PSEUDONYM_KEY": "y", "AUDIT_KEY": "z",
                        "SQLALCHEMY_DATABASE_URI": database_uri})
    quiet.test_client().get("/login")
    assert request_lines(log_lines(capsys)) == []
    with quiet.app_context():
        db.engine.dispose()


def test_a_traceback_outside_a_request_keeps_its_message():
    """A start-up failure (a missing key) must say why in the log gunicorn writes."""
    try:
        raise RuntimeError("SECRET_KEY is not set")
    except RuntimeError:
        record = logging.LogRecord("gunicorn.error", logging.ERROR, __file__, 1, "Exception in worker process",
                                   None, exc_info=__import__("sys").exc_info())
    line = json.loads(JsonLines().format(record))
    assert line["message"] == "Exception in worker process" and "SECRET_KEY is not set" in line["traceback"]
    assert "request_id" not in line


@pytest.mark.parametrize("path", ["/static/build/application.css", "/healthz"])
def test_public_addresses_are_logged_by_their_rule(client, capsys, path):
    client.get(path)
    [line] = request_lines(log_lines(capsys))
    assert line["route"] in ("/static/<path:filename>", "/healthz") and line["user"] is None


def test_the_development_servers_lines_carry_no_query_string(app, caplog):
    # werkzeug's request line as `make run` writes it: "GET /clients?q=smith HTTP/1.1" 200 -
    import werkzeug.serving
    handler = werkzeug.serving.WSGIRequestHandler.__new__(werkzeug.serving.WSGIRequestHandler)
    handler.path, handler.command, handler.request_version = "/clients?q=smith&officer=", "GET", "HTTP/1.1"
    handler.client_address = ("127.0.0.1", 50000)
    handler.address_string = lambda: "127.0.0.1"
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        handler.log_request(200, "-")
    line = caplog.records[-1].getMessage()
    assert "GET /clients HTTP/1.1" in line and "smith" not in line and "officer" not in line and "?" not in line
