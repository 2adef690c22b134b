"""The logs an operator reads: one JSON object per line on stderr (gunicorn, systemd and journald
collect it), one line per request from the `iom.request` logger, and the errors with their request id.

Logging is text, the audit trail is data (docs/operations.md): a line never carries a name, a search
term, a form's values, the address with its query string or ids, the client's network address, or an
exception's message (a database error quotes the row it refused). The route is the URL rule
(`/clients/<int:client_id>`), the user the account's id."""
import json
import logging
import re
import sys
import time
import traceback

from flask import Flask, g, has_request_context, request
from sqlalchemy import inspect

from iom.clock import utcnow

request_log = logging.getLogger("iom.request")

# gunicorn's own lines (when gunicorn.conf.py gives them this formatter) that would carry a client's address
# or a request's address with its query string: kept to these first words, their traceback without messages.
GUNICORN_LINES_WITHOUT_DETAIL = ("Error handling request", "Invalid request from")


def timestamp() -> str:
    """Now in UTC to the millisecond, as ISO 8601 with a Z: 2026-12-02T14:05:09.123Z."""
    return utcnow().isoformat(timespec="milliseconds").replace("+00:00", "Z")


def traceback_without_values(error: BaseException) -> str:
    """The traceback's frames (file, line, function, source line) for `error` and the exceptions it
    was raised from, each named by its type only: an exception's message may quote personal data."""
    chain, seen = [], set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        chain.append(error)
        error = error.__cause__ or (None if error.__suppress_context__ else error.__context__)
    parts = []
    for error in reversed(chain):
        if parts:
            parts.append("\nwhich led to\n\n")
        parts.append("Traceback (most recent call last):\n")
        parts.extend(traceback.format_list(traceback.extract_tb(error.__traceback__)))
        parts.append(f"{type(error).__module__}.{type(error).__qualname__}\n")
    return "".join(parts)


class JsonLines(logging.Formatter):
    """One JSON object per record: time, level, logger, message, the request id inside a request, and
    the record's `fields`. A traceback keeps its exceptions' messages only outside a request (a start-up
    failure such as a missing key must say why); inside one they may hold what was typed."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        in_request = about_a_request = has_request_context()
        if record.name.startswith("gunicorn."):
            for words in GUNICORN_LINES_WITHOUT_DETAIL:
                if message.startswith(words):
                    message, about_a_request = words, True
        line = {"time": timestamp(), "level": record.levelname.lower(), "logger": record.name, "message": message}
        if in_request and g.get("request_id"):
            line["request_id"] = g.request_id
        line.update(getattr(record, "fields", None) or {})
        if record.exc_info and record.exc_info[1] is not None:
            line["traceback"] = (traceback_without_values(record.exc_info[1]) if about_a_request
                                 else "".join(traceback.format_exception(*record.exc_info)))
        return json.dumps(line, default=str, ensure_ascii=False)


class StderrHandler(logging.Handler):
    """Writes to whatever sys.stderr is at the time (a test's capture, gunicorn's redirection)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
            sys.stderr.flush()
        except Exception:  # noqa: BLE001 (a log line must never break the request)
            self.handleError(record)


class WithoutQueryStrings(logging.Filter):
    """The development server's (`make run`, `make demo`) own line per request, `"GET /clients?q=smith
    HTTP/1.1" 200 -`, without the query string: a search for a name is personal data. The path stays."""

    QUERY = re.compile(r"\?[^\s\"\x1b]*")   # up to a space, a quote or a colour code

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(self.QUERY.sub("", arg) if isinstance(arg, str) else arg for arg in record.args)
        if isinstance(record.msg, str):
            record.msg = self.QUERY.sub("", record.msg)
        return True


def configure_logging(app: Flask) -> None:
    """The "iom" loggers write JSON lines to stderr at LOG_LEVEL, once however many apps are built,
    and not again through the root logger's handlers (gunicorn's --log-config, say). The development
    server's lines lose their query strings."""
    werkzeug = logging.getLogger("werkzeug")
    if not any(isinstance(existing, WithoutQueryStrings) for existing in werkzeug.filters):
        werkzeug.addFilter(WithoutQueryStrings())
    logger = logging.getLogger("iom")
    if not any(isinstance(handler, StderrHandler) for handler in logger.handlers):
        handler = StderrHandler()
        handler.setFormatter(JsonLines())
        logger.addHandler(handler)
    logger.setLevel(app.config["LOG_LEVEL"])
    logger.propagate = False


def signed_in_account_id() -> int | None:
    """The account id of the user the request ended with, without a query: Flask-Login keeps the user
    it loaded (or signed in) in g, and SQLAlchemy knows a loaded row's key without reading it again."""
    user = g.get("_login_user")
    state = inspect(user, raiseerr=False) if user is not None else None
    return state.identity[0] if state is not None and state.identity else None


def init_app(app: Flask) -> None:
    """Registered before every other request hook, so the time covers them (and after_request runs last)."""

    @app.before_request
    def start_the_clock():
        # perf_counter measures a duration; it is not the time of day (tests/test_clock.py)
        g.request_started = time.perf_counter()

    @app.after_request
    def log_the_request(response):
        started = g.get("request_started")
        request_log.info("request", extra={"fields": {
            "user": signed_in_account_id(),
            "method": request.method,
            "route": request.url_rule.rule if request.url_rule is not None else None,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started is not None else None,
        }})
        return response
